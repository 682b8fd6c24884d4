/**
 * The model pool's public face: lazy single-flight loads, leases, manual and idle unload,
 * preload, shutdown and status. The mechanics live next to it (model-entry, leases,
 * model-loads, load-scheduler, eviction-policy, evictor, model-pool.status); this file only
 * wires them, so the API reads top to bottom without the budget and timing details.
 */
import { AppError, NotFoundAppError, TimeoutAppError } from '../../common/errors/app-errors';
import { IDLE_SWEEP_MAX_MS, IDLE_SWEEP_MIN_MS } from './model-pool.constants';
import { ModelLoaderRegistry } from './model-loader.registry';
import { Evictor } from './evictor';
import { LoadScheduler } from './load-scheduler';
import { Leases } from './leases';
import { PoolContext } from './model-pool.context';
import { ModelLoads } from './model-loads';
import { ModelPoolOptions } from './model-pool.options';
import { entryStatus, poolStatus } from './model-pool.status';
import { LoadedModel, ModelPoolStatus } from './model-pool.types';
import { ModelRegistry } from './model-registry';
import { describe, noop } from './model-pool.util';
import { withDeadline } from '../../common/util/with-timeout';

/** The `workers` figures of a pool whose models all run inline. */
const NO_WORKERS = { size: 0, busy: 0, queued: 0, restarts: 0 } as const;

// Re-exported so `./model-pool` stays the one import for the pool and its option types.
export type { ModelPoolLogger, ModelPoolOptions } from './model-pool.options';

/**
 * The model pool, free of any framework: lazy single-flight loads under a semaphore, LRU
 * eviction by count and by a memory budget, leases, idle unload, failure backoff. The Nest
 * `ModelPoolService` wraps one; unit tests drive it with fake loaders and fake timers.
 */
export class ModelPool {
  private readonly ctx: PoolContext;
  private readonly scheduler: LoadScheduler;
  private readonly evictor: Evictor;
  private readonly loading: ModelLoads;
  private readonly leases: Leases;
  private sweeper?: NodeJS.Timeout;

  constructor(registry: ModelRegistry, loaders: ModelLoaderRegistry, options: ModelPoolOptions) {
    this.ctx = new PoolContext(registry, loaders, options);
    this.scheduler = new LoadScheduler(this.ctx);
    this.evictor = new Evictor(this.ctx);
    this.loading = new ModelLoads(this.ctx, this.scheduler, this.evictor);
    this.leases = new Leases(this.ctx, this.loading);
  }

  get isClosed(): boolean {
    return this.ctx.closed;
  }

  /**
   * Runs `fn` with the model loaded (lazily, on first use) and leased: the model cannot be
   * unloaded until `fn` settles. Counts the access and times the inference.
   * @throws InvalidInputError bad name · NotFoundAppError unknown · ModelNotAvailableError ·
   *   InsufficientStorageError cannot fit · ModelLoadError / ModelLoadTimeoutError ·
   *   ModelBackoffError · TimeoutAppError load queue · ResourceUnavailableError pool closed.
   *
   * `M` is the kind of model the caller expects under that name (the pool only knows
   * `LoadedModel`): `withModel<MyModel, R>(name, (m) => m.run(...))`, or annotate `m`.
   */
  async withModel<M extends LoadedModel = LoadedModel, T = unknown>(
    name: string,
    fn: (model: M) => Promise<T> | T,
  ): Promise<T> {
    const lease = this.leases.leaseIfLoaded(name) ?? (await this.leases.acquire(name));
    let ok = false;
    try {
      const result = await fn(lease.model as M);
      ok = true;
      return result;
    } catch (error) {
      // A client error (bad request, 4xx) says nothing about the model's health.
      if (!(error instanceof AppError && error.status < 500)) {
        lease.entry.errors += 1;
        lease.entry.lastError = describe(error);
      }
      throw error;
    } finally {
      this.leases.release(lease, ok);
    }
  }

  /**
   * Loads a model now (the admin endpoint, start-up preload). Ignores the failure backoff: an
   * operator asking explicitly gets a fresh attempt.
   * @returns `loaded` when this call (or a load it joined) loaded it, `already_loaded` otherwise.
   */
  async load(name: string): Promise<'loaded' | 'already_loaded'> {
    const entry = this.ctx.usableEntry(name);
    for (;;) {
      this.ctx.assertOpen();
      if (entry.state === 'loaded') return 'already_loaded';
      if (entry.state === 'unloading') await entry.unloading;
      else {
        // Its own load succeeded: loaded, even if a load queued behind it has evicted it since.
        await this.loading.start(entry);
        return 'loaded';
      }
    }
  }

  /**
   * Unloads a model after its in-flight uses finish (bounded by drainTimeoutMs). A model being
   * loaded is unloaded once its load ends.
   * @throws NotFoundAppError unknown or not loaded · TimeoutAppError uses did not finish in time
   *   (the unload still happens when they do).
   */
  async unload(name: string): Promise<void> {
    const entry = this.ctx.entryOf(name);
    this.ctx.assertOpen();
    if (entry.state === 'loading') await entry.loading?.catch(noop);
    if (entry.state !== 'loaded' && entry.state !== 'unloading') {
      throw new NotFoundAppError(`model ${name} is not loaded`);
    }
    const unloading = this.evictor.evict(entry, 'manual');
    const { drainTimeoutMs } = this.ctx;
    await withDeadline(
      unloading,
      drainTimeoutMs,
      () =>
        new TimeoutAppError(
          `model ${name} is still in use after ${drainTimeoutMs} ms; it unloads when the uses finish`,
        ),
    );
  }

  /** Loads every preload model; failures are recorded (state `error`) and reported, not thrown. */
  async preloadAll(): Promise<Array<{ name: string; error?: string }>> {
    const names = this.ctx
      .all()
      .filter((e) => e.preload)
      .map((e) => e.name);
    const outcomes = await Promise.allSettled(names.map((name) => this.load(name)));
    return outcomes.map((outcome, i) =>
      outcome.status === 'fulfilled'
        ? { name: names[i] }
        : { name: names[i], error: describe(outcome.reason) },
    );
  }

  /**
   * The preload models that are not ready: never loaded yet, or in `error`. A preload model
   * evicted under pressure still counts as ready, since the next use reloads it.
   */
  missingRequiredModels(): string[] {
    return this.ctx
      .all()
      .filter((e) => e.preload && (!e.everLoaded || e.state === 'error'))
      .map((e) => e.name);
  }

  /**
   * Unloads idle models past the TTL (preload models excepted) and retries failed preload
   * models whose backoff ran out. Resolves when those unloads finish.
   */
  async sweepIdle(): Promise<string[]> {
    if (this.ctx.closed) return [];
    const now = this.ctx.now();
    const unloading: Array<Promise<void>> = [];
    const names: string[] = [];
    for (const entry of this.ctx.entries.values()) {
      if (
        entry.state === 'loaded' &&
        entry.leases === 0 &&
        !entry.preload &&
        now - entry.lastUsed >= this.ctx.options.idleTtlMs
      ) {
        names.push(entry.name);
        unloading.push(this.evictor.evict(entry, 'idle'));
      } else if (entry.preload && entry.state === 'error' && now >= (entry.retryAt ?? 0)) {
        this.loading.start(entry).catch(noop); // outcome recorded on the entry
      }
    }
    await Promise.all(unloading);
    return names;
  }

  /**
   * Starts the idle sweep: every idleTtl / 2, within 1–60 s. A plain unref'd setInterval, not
   * the SchedulerRegistry, so the pool stays framework-free and never keeps the process alive.
   */
  startIdleSweeper(): void {
    if (this.sweeper || this.ctx.closed) return;
    const period = Math.min(
      IDLE_SWEEP_MAX_MS,
      Math.max(IDLE_SWEEP_MIN_MS, Math.floor(this.ctx.options.idleTtlMs / 2)),
    );
    this.sweeper = setInterval(() => {
      this.sweepIdle().catch((error: unknown) =>
        this.ctx.logger.warn(`idle sweep failed: ${describe(error)}`),
      );
    }, period);
    this.sweeper.unref();
  }

  /**
   * Closes the pool: new uses and loads are refused, queued loads cancelled, in-flight uses get
   * up to `graceMs` to finish, then every model is unloaded. A second call is a no-op.
   */
  async close(graceMs: number): Promise<void> {
    if (this.ctx.closed) return;
    this.ctx.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.scheduler.cancel();
    const loading = this.ctx.all().flatMap((e) => (e.loading ? [e.loading] : []));
    await withDeadline(Promise.allSettled(loading), graceMs, () => new Error('loads')).catch(noop);
    const unloads = this.ctx
      .all()
      .filter((e) => e.state === 'loaded' || e.state === 'unloading')
      .map((e) => this.evictor.evict(e, 'shutdown'));
    const drained = await withDeadline(Promise.all(unloads), graceMs, () => new Error('drain'))
      .then(() => true)
      .catch(() => false);
    if (!drained) {
      const busy = this.ctx.all().filter((e) => e.leases > 0);
      this.ctx.logger.warn(
        `unloading ${busy.map((e) => e.name).join(', ')} with uses still running after ${graceMs} ms`,
      );
      for (const entry of busy) entry.wakeDrainWaiters();
      await Promise.all(unloads);
    }
  }

  /** Registry names that can be used in this deployment. */
  availableModels(): string[] {
    return this.ctx.registry
      .all()
      .flatMap((spec) => (this.ctx.unavailableReason(spec) ? [] : [spec.name]));
  }

  /** MB charged against the budget: loaded, unloading, and loads that made room. */
  memoryUsedMb(): number {
    return this.ctx.memoryUsedMb();
  }

  /** The `/resources/models/status` body. */
  status(): ModelPoolStatus {
    const { options } = this.ctx;
    return poolStatus({
      models: this.ctx.all().map((e) => entryStatus(e, this.ctx.unavailableReason(e.spec))),
      available: this.availableModels(),
      cacheSize: options.cacheSize,
      memoryLimitMb: options.memoryLimitMb,
      memoryUsedMb: this.memoryUsedMb(),
      loads: this.loading.loads,
      loadFailures: this.loading.failures,
      evictions: this.evictor.counts,
      loadsInProgress: this.scheduler.running,
      maxConcurrentLoads: options.maxConcurrentLoads,
      workers: options.workers?.() ?? NO_WORKERS,
    });
  }
}
