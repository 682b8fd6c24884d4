import { Logger } from '@nestjs/common';
import {
  IllegalStateTransitionError,
  ResourceUnavailableError,
} from '../../common/errors/app-errors';
import type { MetricDefinitions } from '../../common/metrics/metric-definitions';
import type { ResourceObservation, SelfTestPlan } from './observation';
import { ResourceState, ResourceType, canTransition } from './resource-state';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'disabled';

export interface ResourceHealth {
  status: HealthStatus;
  /** Safe, secret-free detail for probes and status pages. */
  details?: Record<string, unknown>;
}

/** What every shared resource offers the registry, health checks and status endpoints. */
export interface ManagedResource {
  readonly name: string;
  readonly type: ResourceType;
  readonly state: ResourceState;
  /**
   * Whether readiness and the startup probe need this resource. A required resource that is
   * down takes the instance out of rotation; an optional one (Redis, the cache, outbound HTTP)
   * is reported but never fails a probe, because its users degrade instead of failing.
   */
  readonly required: boolean;
  /**
   * Names of the resources this one uses. It opens after them and closes before them, at boot
   * and on the admin initialize/shutdown; an unknown name or a cycle stops the start.
   */
  readonly dependsOn: readonly string[];
  /**
   * What the startup probe still waits for on this resource, as short phrases (empty once it
   * has started). A required resource waits until it is usable; an optional one only until its
   * first initialization attempt has ended, whatever its outcome.
   */
  startupPending(): string[];
  /**
   * The boot's open (the registry calls it in dependency order): like `init`, except that an
   * optional resource that cannot open does not throw; it stays in `error` and recovers later.
   */
  startUp(): Promise<void>;
  /** Opens the resource. Idempotent: a second call while ready is a no-op. */
  init(): Promise<void>;
  /** Drains and closes the resource. Idempotent: a second call is a no-op. */
  shutdown(): Promise<void>;
  health(): Promise<ResourceHealth>;
  stats(): Record<string, unknown>;
  /** How many times each transition happened, keyed `from->to`. */
  transitionCounts(): Record<string, number>;
  /**
   * What observers see of it now (see observation.ts): operations, errors, its pool, its own
   * figures. Monitoring, /metrics and the dashboard read resources only through this.
   */
  observe(): ResourceObservation;
  /** Its own Prometheus series, beyond the pool ones built from `observe().pool`; read at scrape time. */
  defineMetrics?(m: MetricDefinitions): void;
  /** Its part in POST /resources/testing/performance; a resource without one is not exercised. */
  selfTestPlan?(): SelfTestPlan;
}

/** How long an observer (a probe, monitoring) waits for one `health()` before calling it unhealthy. */
export const HEALTH_CHECK_TIMEOUT_MS = 3000;

/** Returned by `doInit` when the resource is not configured and so has nothing to open. */
export const RESOURCE_DISABLED = Symbol('resource-disabled');

/**
 * The lifecycle every resource shares: the v14 state machine, idempotent init/shutdown that
 * coalesce concurrent calls, and a guard that turns use-after-shutdown into a typed error.
 * Subclasses implement only how to open, close and probe their backend.
 */
export abstract class ManagedResourceBase implements ManagedResource {
  protected readonly logger: Logger;
  private current: ResourceState = ResourceState.CLOSED;
  private readonly transitions = new Map<string, number>();
  private initializing?: Promise<void>;
  private shuttingDown?: Promise<void>;
  /** Why the resource is in `error`, for status pages. Never holds a secret. */
  protected lastError?: string;

  readonly required: boolean;
  private readonly dependencies: string[];

  protected constructor(
    readonly name: string,
    readonly type: ResourceType,
    options: { required: boolean; dependsOn?: readonly string[] },
  ) {
    this.logger = new Logger(`Resource:${name}`);
    this.required = options.required;
    this.dependencies = [...(options.dependsOn ?? [])];
  }

  get dependsOn(): readonly string[] {
    return this.dependencies;
  }

  /**
   * Declares one more resource this one uses, for what is plugged into it after construction
   * (a model loader that calls the HTTP pool makes the model pool depend on it). Call it from a
   * constructor: the order is fixed when the boot starts.
   */
  addDependency(name: string): void {
    if (!this.dependencies.includes(name)) this.dependencies.push(name);
  }

  get state(): ResourceState {
    return this.current;
  }

  /** True when the resource can serve calls (ready or busy). */
  get isUsable(): boolean {
    return this.current === ResourceState.READY || this.current === ResourceState.BUSY;
  }

  startupPending(): string[] {
    const started = this.required
      ? this.isUsable || this.current === ResourceState.DISABLED
      : this.current !== ResourceState.INITIALIZING && this.current !== ResourceState.CLOSED;
    return started ? [] : [`state ${this.current}`];
  }

  transitionCounts(): Record<string, number> {
    return Object.fromEntries(this.transitions);
  }

  /**
   * The boot's open, the same for every resource: a required resource that cannot open stops
   * the start; an optional one starts in `error` (its move there is logged with the reason) and
   * recovers by itself once its backend answers.
   */
  async startUp(): Promise<void> {
    await this.init().catch((error: unknown) => {
      if (this.required) throw error;
    });
  }

  async init(): Promise<void> {
    if (this.isUsable || this.current === ResourceState.DISABLED) return;
    if (this.shuttingDown) await this.shuttingDown;
    this.initializing ??= this.runInit().finally(() => (this.initializing = undefined));
    return this.initializing;
  }

  async shutdown(): Promise<void> {
    if (this.current === ResourceState.CLOSED) return;
    if (this.initializing) await this.initializing.catch(() => undefined);
    this.shuttingDown ??= this.runShutdown().finally(() => (this.shuttingDown = undefined));
    return this.shuttingDown;
  }

  async health(): Promise<ResourceHealth> {
    switch (this.current) {
      case ResourceState.DISABLED:
        return { status: 'disabled' };
      case ResourceState.CLOSED:
      case ResourceState.SHUTTING_DOWN:
      case ResourceState.INITIALIZING:
        return { status: 'unhealthy', details: { state: this.current } };
      default:
        return this.probe();
    }
  }

  abstract stats(): Record<string, unknown>;

  abstract observe(): ResourceObservation;

  /** Opens the backend; returns RESOURCE_DISABLED when not configured. */
  protected abstract doInit(): Promise<void | typeof RESOURCE_DISABLED>;
  /** Closes the backend, letting checked-out work finish first (bounded). */
  protected abstract doShutdown(): Promise<void>;
  /** Probes the live backend (state is ready, busy or error). */
  protected abstract probe(): Promise<ResourceHealth>;

  /** Throws the typed 503 error unless the resource can serve a call now. */
  protected assertUsable(): void {
    if (this.isUsable) return;
    if (this.current === ResourceState.ERROR) return; // let the call try: it is how we notice recovery
    throw new ResourceUnavailableError(this.name, `is ${this.current}`);
  }

  /** Records a runtime failure of the backend (connection lost, probe failed). */
  protected markError(reason: string): void {
    this.lastError = reason;
    if (this.current === ResourceState.READY || this.current === ResourceState.BUSY) {
      this.moveTo(ResourceState.ERROR, reason);
    }
  }

  /** Records that the backend answers again after an error. */
  protected markRecovered(): void {
    if (this.current === ResourceState.ERROR) {
      this.lastError = undefined;
      this.moveTo(ResourceState.READY, 'recovered');
    }
  }

  /** Saturation: `busy` while a pool is (almost) fully in use, back to `ready` below. */
  protected markBusy(busy: boolean): void {
    if (busy && this.current === ResourceState.READY) this.moveTo(ResourceState.BUSY, 'saturated');
    else if (!busy && this.current === ResourceState.BUSY)
      this.moveTo(ResourceState.READY, 'drained');
  }

  protected moveTo(next: ResourceState, why?: string): void {
    const from = this.current;
    if (from === next) return;
    if (!canTransition(from, next)) throw new IllegalStateTransitionError(this.name, from, next);
    this.current = next;
    const key = `${from}->${next}`;
    this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    const line = `state ${from} -> ${next}${why ? ` (${why})` : ''}`;
    if (next === ResourceState.ERROR) this.logger.warn(line);
    else this.logger.log(line);
  }

  private async runInit(): Promise<void> {
    this.moveTo(ResourceState.INITIALIZING);
    try {
      const outcome = await this.doInit();
      this.lastError = undefined;
      this.moveTo(outcome === RESOURCE_DISABLED ? ResourceState.DISABLED : ResourceState.READY);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.moveTo(ResourceState.ERROR, this.lastError);
      throw error;
    }
  }

  private async runShutdown(): Promise<void> {
    this.moveTo(ResourceState.SHUTTING_DOWN);
    try {
      await this.doShutdown();
    } catch (error) {
      this.logger.warn(`shutdown did not finish cleanly: ${(error as Error).message}`);
    } finally {
      this.moveTo(ResourceState.CLOSED);
    }
  }
}
