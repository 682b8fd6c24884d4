import { Injectable, Logger } from '@nestjs/common';
import { ManagedResource, ResourceHealth } from './managed-resource';
import { ResourceState, ResourceType } from './resource-state';

/** Order of dependence: the cache and models use Redis and HTTP, which outlive them. */
const DEPENDENCE_ORDER = [
  ResourceType.DATABASE,
  ResourceType.REDIS,
  ResourceType.HTTP_CLIENT,
  ResourceType.CACHE,
  ResourceType.AI_MODEL,
];

/**
 * Knows every managed resource, kept in order of dependence (the database and Redis before
 * the cache and models that use them). Initialize walks that order; shutdown walks it backwards.
 */
@Injectable()
export class ResourceRegistry {
  private readonly logger = new Logger(ResourceRegistry.name);
  private readonly resources = new Map<string, ManagedResource>();

  register(resource: ManagedResource): void {
    this.resources.set(resource.name, resource);
  }

  get(name: string): ManagedResource | undefined {
    return this.resources.get(name);
  }

  all(): ManagedResource[] {
    const rank = (r: ManagedResource) => DEPENDENCE_ORDER.indexOf(r.type);
    return [...this.resources.values()].sort((a, b) => rank(a) - rank(b));
  }

  states(): Record<string, ResourceState> {
    return Object.fromEntries(this.all().map((r) => [r.name, r.state]));
  }

  /** True once every resource finished initializing (ready, busy or disabled). */
  allInitialized(): boolean {
    return this.all().every((r) =>
      [ResourceState.READY, ResourceState.BUSY, ResourceState.DISABLED].includes(r.state),
    );
  }

  /** Opens every resource in order; one failing does not stop the others from trying. */
  async initializeAll(): Promise<Record<string, ResourceState>> {
    for (const resource of this.all()) {
      await resource.init().catch((error: Error) => {
        this.logger.error(`initialize ${resource.name} failed: ${error.message}`);
      });
    }
    return this.states();
  }

  /** Closes every resource in reverse order of dependence. */
  async shutdownAll(): Promise<Record<string, ResourceState>> {
    for (const resource of this.all().reverse()) await resource.shutdown();
    return this.states();
  }

  async healthAll(): Promise<Record<string, ResourceHealth>> {
    const entries = await Promise.all(
      this.all().map(async (r) => [r.name, await r.health()] as const),
    );
    return Object.fromEntries(entries);
  }
}
