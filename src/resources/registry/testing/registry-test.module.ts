import { Global, Module } from '@nestjs/common';
import { ResourceRegistry } from '../resource-registry.service';
import { ResourcesBoot } from '../resources-boot';

/**
 * The registry and its boot (resources open at init, close at shutdown), without the admin
 * routes and the app's lifecycle: for specs that mount a few resource modules on their own.
 */
@Global()
@Module({ providers: [ResourceRegistry, ResourcesBoot], exports: [ResourceRegistry] })
export class RegistryTestModule {}
