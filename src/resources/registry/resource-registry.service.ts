import { Injectable, Logger } from '@nestjs/common';
import type { MetricDefinitions } from '../../common/metrics/metric-definitions';
import { ManagedResource, ResourceHealth } from './managed-resource';
import { dependencyOrder } from './resource-graph';
import { ResourceState } from './resource-state';

/**
 * Knows every managed resource, in the order their declared dependencies give (`dependsOn`:
 * Redis before the cache that uses it). The boot and the admin initialize walk that order;
 * shutdown walks it backwards.
 */
@Injectable()
export class ResourceRegistry {
  private readonly logger = new Logger(ResourceRegistry.name);
  private readonly resources = new Map<string, ManagedResource>();
  private readonly figures = new Map<string, () => number>();
  private readonly metricSets = new Map<string, (m: MetricDefinitions) => void>();

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

  /**
   * Series a feature defines for /metrics under `owner` (captions: the cached-answer
   * histogram), as a resource does with `defineMetrics`: called once, when the metrics are set up.
   */
  contributeMetrics(owner: string, define: (m: MetricDefinitions) => void): void {
    this.metricSets.set(owner, define);
  }

  /** The contributed metric definitions, by owner. */
  contributedMetrics(): ReadonlyMap<string, (m: MetricDefinitions) => void> {
    return this.metricSets;
  }

  /** The contributed figure now, or undefined when no feature contributes it. */
  figure(name: string): number | undefined {
    return this.figures.get(name)?.();
  }

  get(name: string): ManagedResource | undefined {
    return this.resources.get(name);
  }

  /** Every resource, dependencies first. @throws ResourceGraphError (unknown name, cycle) */
  all(): ManagedResource[] {
    return dependencyOrder([...this.resources.values()]);
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

  /**
   * The boot: opens every resource in dependency order. A required resource that cannot open
   * stops it (throws), as does an unknown dependency or a cycle; an optional one is left in
   * `error` to recover by itself.
   */
  async startAll(): Promise<void> {
    for (const resource of this.all()) await resource.startUp();
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
