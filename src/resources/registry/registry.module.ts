import { Global, Module } from '@nestjs/common';
import { ResourceRegistry } from './resource-registry.service';
import { ResourcesAdminController } from './resources-admin.controller';
import { ResourcesBoot } from './resources-boot';
import { ResourcesLifecycleService } from './resources-lifecycle.service';

/** The registry of managed resources, their boot, and the admin initialize/shutdown routes. */
@Global()
@Module({
  controllers: [ResourcesAdminController],
  providers: [ResourceRegistry, ResourcesBoot, ResourcesLifecycleService],
  exports: [ResourceRegistry, ResourcesLifecycleService],
})
export class RegistryModule {}
