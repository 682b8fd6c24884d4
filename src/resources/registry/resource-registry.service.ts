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
  private readonly figures = new Map<string, () => number>();

  register(resource: ManagedResource): void {
    this.resources.set(resource.name, resource);
  }

  /**
   * A figure a feature contributes to the observers (monitoring, alerts, metrics), read by name
   * at the moment they collect, so they never import the feature that owns it.
   */
  contributeFigure(name: string, read: () => number): void {
    this.figures.set(name, read);
  }

  /** The contributed figure now, or undefined when no feature contributes it. */
  figure(name: string): number | undefined {
    return this.figures.get(name)?.();
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

  /**
   * What the startup probe still waits for, by resource (empty once started): required
   * resources until they are usable, optional ones only until their first attempt has ended.
   */
  startupPending(): Record<string, string[]> {
    const pending = this.all().map((r) => [r.name, r.startupPending()] as const);
    return Object.fromEntries(pending.filter(([, waits]) => waits.length > 0));
  }

  /** Opens every resource in order; one failing does not stop the others from trying. */
  async initializeAll(): Promise<Record<string, ResourceState>> {
    for (const resource of this.all()) {
      await resource.init().catch((error: Error) => {
        const line = `initialize ${resource.name} failed: ${error.message}`;
        if (resource.required) this.logger.error(line);
        else this.logger.warn(`${line} (optional: serving without it)`);
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
