/**
 * The per-model record: state, footprint, lease count and the counters `status()` reports.
 * One mutable object per registered model, shared by every part of the pool, so that state
 * lives in one place rather than in parallel maps.
 */
import { LoadedModel, ModelSpec, ModelState } from './model-pool.types';

/** Everything the pool knows about one registered model. */
export class ModelEntry {
  state: Exclude<ModelState, 'unavailable'> = 'unloaded';
  model?: LoadedModel;
  /** The shared (single-flight) load in progress. */
  loading?: Promise<void>;
  /** The unload in progress (waiting for leases, then unloading). */
  unloading?: Promise<void>;
  /** True once a load in progress has made room and is charged against the budget. */
  reserved = false;
  /** MB charged against the budget now. */
  memoryMb = 0;
  /** Footprint measured at the last successful load. */
  knownMb?: number;
  loadedAt?: number;
  lastAccess?: number;
  accessCount = 0;
  loadTimeMs?: number;
  leases = 0;
  /** Callers waiting on the load in progress for a lease: it counts theirs when it succeeds. */
  waitingForLease = 0;
  inferences = 0;
  inferenceMsTotal = 0;
  errors = 0;
  lastError?: string;
  /** Consecutive failed loads (drives the backoff). */
  failures = 0;
  retryAt?: number;
  everLoaded = false;
  private drainWaiters: Array<() => void> = [];

  constructor(
    readonly spec: ModelSpec,
    readonly preload: boolean,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** For LRU order and the idle TTL: the last use, or the load when never used since. */
  get lastUsed(): number {
    return Math.max(this.lastAccess ?? 0, this.loadedAt ?? 0);
  }

  /** Resolves once no lease is held. */
  drained(): Promise<void> {
    if (this.leases === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Wakes every drain waiter: leases ended, or shutdown stopped waiting for them. */
  wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }
}
