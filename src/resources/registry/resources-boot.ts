import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ResourceRegistry } from './resource-registry.service';

/**
 * Opens every registered resource when the app starts and closes them when it stops, in the
 * order of their declared dependencies (ResourceRegistry.startAll / shutdownAll): the one place
 * Nest's hooks reach the resources.
 *
 * Every resource is constructed (and registered) before any onModuleInit runs. The registry's
 * module is global and imported before the resources', so Nest runs this onModuleInit before
 * any other provider's, which may then use the resources, and this onApplicationShutdown after
 * every feature's, which may still use them while they stop.
 */
@Injectable()
export class ResourcesBoot implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly registry: ResourceRegistry) {}

  onModuleInit(): Promise<void> {
    return this.registry.startAll();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.registry.shutdownAll();
  }
}
