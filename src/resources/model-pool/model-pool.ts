import { Semaphore } from 'async-mutex';
import {
  AppError,
  InsufficientStorageError,
  NotFoundAppError,
  ResourceUnavailableError,
  TimeoutAppError,
} from '../../common/errors/app-errors';
import {
  LOAD_RETRY_BASE_MS,
  LOAD_RETRY_MAX_MS,
  IDLE_SWEEP_MAX_MS,
  IDLE_SWEEP_MIN_MS,
  MIN_MODEL_FOOTPRINT_MB,
  MODEL_POOL_RESOURCE_NAME,
} from './model-pool.constants';
import {
  ModelBackoffError,
  ModelLoadError,
  ModelLoadTimeoutError,
  ModelNotAvailableError,
} from './model-pool.errors';
import { ModelLoaderRegistry } from './model-loader.registry';
import {
  EvictionReason,
  LoadedModel,
  ModelLoader,
  ModelPoolStatus,
  ModelSpec,
  ModelState,
  ModelStatus,
} from './model-pool.types';
import { ModelRegistry } from './model-registry';

const MB = 1024 * 1024;
const noop = (): void => undefined;

/** Where the pool writes what it does. Nest's Logger fits; the default writes nothing. */
export interface ModelPoolLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** How a pool behaves. Every duration is in milliseconds, every size in MB. */
export interface ModelPoolOptions {
  /** Most models loaded at once (MODEL_CACHE_SIZE). */
  cacheSize: number;
  /** Budget for loaded models, MB (MODEL_MEMORY_LIMIT_MB). */
  memoryLimitMb: number;
  /** Loads running at once across models (MODEL_MAX_CONCURRENT_LOADS). */
  maxConcurrentLoads: number;
  /** Deadline of one load, ms (MODEL_LOAD_TIMEOUT_MS). Separate from any inference deadline. */
  loadTimeoutMs: number;
  /**
   * Longest wait for a load slot of the semaphore, and again for room to be made (models in
   * use finishing), ms. Default: loadTimeoutMs.
   */
  loadQueueTimeoutMs?: number;
  /** A model unused this long is unloaded by the idle sweep, ms (MODEL_IDLE_TTL × 1000). */
  idleTtlMs: number;
  /** Longest wait of `unload` (DELETE) for in-flight uses to finish, ms. Default: loadTimeoutMs. */
  drainTimeoutMs?: number;
  /**
   * Models loaded by `preloadAll` (MODEL_PRELOAD). They are exempt from idle unload, their
   * failed loads are retried by the sweep, and `requiredModels()` reports on them.
   */
  preload?: readonly string[];
  /** First retry delay after a failed load, ms; doubles per consecutive failure. Default 1000. */
  retryBaseMs?: number;
  /** Longest retry delay, ms. Default 60000. */
  retryMaxMs?: number;
  /** Smallest footprint recorded after a load, MB. Default 1. */
  minFootprintMb?: number;
  /** Clock, ms since the epoch. Default Date.now (fake timers replace it in tests). */
  now?: () => number;
  /** Process memory the footprint is measured with, bytes. Default heapUsed + external. */
  measureMemoryBytes?: () => number;
  logger?: ModelPoolLogger;
}

/** A caller's hold on a loaded model: while any is held the model is never unloaded. */
interface Lease {
  entry: ModelEntry;
  model: LoadedModel;
}

/** Everything the pool knows about one registered model. */
class ModelEntry {
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

/**
 * The model pool, free of any framework: lazy single-flight loads under a semaphore, LRU
 * eviction by count and by a memory budget, leases, idle unload, failure backoff. The Nest
 * `ModelPoolService` wraps one; unit tests drive it with fake loaders and fake timers.
 */
export class ModelPool {
  private readonly entries = new Map<string, ModelEntry>();
  private readonly semaphore: Semaphore;
  private readonly queueTimeoutMs: number;
  private readonly drainTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly minFootprintMb: number;
  private readonly now: () => number;
  private readonly measureMemoryBytes: () => number;
  private readonly logger: ModelPoolLogger;
  private sweeper?: NodeJS.Timeout;
  private closed = false;
  private loads = 0;
  private loadFailures = 0;
  private loadsRunning = 0;
  private readonly evictions: Record<EvictionReason, number> = {
    count: 0,
    memory: 0,
    idle: 0,
    manual: 0,
  };

  constructor(
    private readonly registry: ModelRegistry,
    private readonly loaders: ModelLoaderRegistry,
    private readonly options: ModelPoolOptions,
  ) {
    this.semaphore = new Semaphore(options.maxConcurrentLoads);
    this.queueTimeoutMs = options.loadQueueTimeoutMs ?? options.loadTimeoutMs;
    this.drainTimeoutMs = options.drainTimeoutMs ?? options.loadTimeoutMs;
    this.retryBaseMs = options.retryBaseMs ?? LOAD_RETRY_BASE_MS;
    this.retryMaxMs = options.retryMaxMs ?? LOAD_RETRY_MAX_MS;
    this.minFootprintMb = options.minFootprintMb ?? MIN_MODEL_FOOTPRINT_MB;
    this.now = options.now ?? (() => Date.now());
    this.measureMemoryBytes = options.measureMemoryBytes ?? defaultMeasureMemoryBytes;
    this.logger = options.logger ?? { log: noop, warn: noop };
    const preload = new Set(options.preload ?? []);
    for (const name of preload) registry.get(name); // 400/404 for a bad preload name
    for (const spec of registry.all()) {
      this.entries.set(spec.name, new ModelEntry(spec, preload.has(spec.name)));
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs `fn` with the model loaded (lazily, on first use) and leased: the model cannot be
   * unloaded until `fn` settles. Counts the access and times the inference.
   * @throws InvalidInputError bad name · NotFoundAppError unknown · ModelNotAvailableError ·
   *   InsufficientStorageError cannot fit · ModelLoadError / ModelLoadTimeoutError ·
   *   ModelBackoffError · TimeoutAppError load queue · ResourceUnavailableError pool closed.
   */
  async withModel<T>(name: string, fn: (model: LoadedModel) => Promise<T> | T): Promise<T> {
    const lease = await this.acquire(name);
    const started = this.now();
    let ok = false;
    try {
      const result = await fn(lease.model);
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
      this.release(lease, ok ? this.now() - started : undefined);
    }
  }

  /**
   * Loads a model now (the admin endpoint, start-up preload). Ignores the failure backoff: an
   * operator asking explicitly gets a fresh attempt.
   * @returns `loaded` when this call (or a load it joined) loaded it, `already_loaded` otherwise.
   */
  async load(name: string): Promise<'loaded' | 'already_loaded'> {
    const entry = this.usableEntry(name);
    for (;;) {
      this.assertOpen();
      if (entry.state === 'loaded') return 'already_loaded';
      if (entry.state === 'unloading') await entry.unloading;
      else {
        await this.startLoad(entry);
        if (isLoaded(entry)) return 'loaded';
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
    const entry = this.entryOf(name);
    this.assertOpen();
    if (entry.state === 'loading') await entry.loading?.catch(noop);
    if (entry.state !== 'loaded' && entry.state !== 'unloading') {
      throw new NotFoundAppError(`model ${name} is not loaded`);
    }
    const unloading = this.evict(entry, 'manual');
    await withDeadline(
      unloading,
      this.drainTimeoutMs,
      () =>
        new TimeoutAppError(
          `model ${name} is still in use after ${this.drainTimeoutMs} ms; it unloads when the uses finish`,
        ),
    );
  }

  /** Loads every preload model; failures are recorded (state `error`) and reported, not thrown. */
  async preloadAll(): Promise<Array<{ name: string; error?: string }>> {
    const names = [...this.entries.values()].filter((e) => e.preload).map((e) => e.name);
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
    return [...this.entries.values()]
      .filter((e) => e.preload && (!e.everLoaded || e.state === 'error'))
      .map((e) => e.name);
  }

  /**
   * Unloads idle models past the TTL (preload models excepted) and retries failed preload
   * models whose backoff ran out. Resolves when those unloads finish.
   */
  async sweepIdle(): Promise<string[]> {
    if (this.closed) return [];
    const now = this.now();
    const unloading: Array<Promise<void>> = [];
    const names: string[] = [];
    for (const entry of this.entries.values()) {
      if (
        entry.state === 'loaded' &&
        entry.leases === 0 &&
        !entry.preload &&
        now - entry.lastUsed >= this.options.idleTtlMs
      ) {
        names.push(entry.name);
        unloading.push(this.evict(entry, 'idle'));
      } else if (entry.preload && entry.state === 'error' && now >= (entry.retryAt ?? 0)) {
        this.startLoad(entry).catch(noop); // outcome recorded on the entry
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
    if (this.sweeper || this.closed) return;
    const period = Math.min(
      IDLE_SWEEP_MAX_MS,
      Math.max(IDLE_SWEEP_MIN_MS, Math.floor(this.options.idleTtlMs / 2)),
    );
    this.sweeper = setInterval(() => {
      this.sweepIdle().catch((error: unknown) =>
        this.logger.warn(`idle sweep failed: ${describe(error)}`),
      );
    }, period);
    this.sweeper.unref();
  }

  /**
   * Closes the pool: new uses and loads are refused, queued loads cancelled, in-flight uses get
   * up to `graceMs` to finish, then every model is unloaded. A second call is a no-op.
   */
  async close(graceMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.semaphore.cancel();
    const loading = [...this.entries.values()].flatMap((e) => (e.loading ? [e.loading] : []));
    await withDeadline(Promise.allSettled(loading), graceMs, () => new Error('loads')).catch(noop);
    const unloads = [...this.entries.values()]
      .filter((e) => e.state === 'loaded' || e.state === 'unloading')
      .map((e) => this.evict(e, 'shutdown'));
    const drained = await withDeadline(Promise.all(unloads), graceMs, () => new Error('drain'))
      .then(() => true)
      .catch(() => false);
    if (!drained) {
      const busy = [...this.entries.values()].filter((e) => e.leases > 0);
      this.logger.warn(
        `unloading ${busy.map((e) => e.name).join(', ')} with uses still running after ${graceMs} ms`,
      );
      for (const entry of busy) entry.wakeDrainWaiters();
      await Promise.all(unloads);
    }
  }

  /** Registry names that can be used in this deployment. */
  availableModels(): string[] {
    return this.registry.all().flatMap((spec) => (this.unavailableReason(spec) ? [] : [spec.name]));
  }

  /** MB charged against the budget: loaded, unloading, and loads that made room. */
  memoryUsedMb(): number {
    let sum = 0;
    for (const entry of this.entries.values()) sum += entry.memoryMb;
    return round1(sum);
  }

  /** The `/resources/models/status` body. */
  status(): ModelPoolStatus {
    const models = [...this.entries.values()].map((e) => this.entryStatus(e));
    const evictions = Object.values(this.evictions).reduce((a, b) => a + b, 0);
    return {
      models,
      available: this.availableModels(),
      cache_size: this.options.cacheSize,
      memory_limit_mb: this.options.memoryLimitMb,
      memory_used_mb: this.memoryUsedMb(),
      loads: this.loads,
      load_failures: this.loadFailures,
      evictions,
      evictions_by_reason: { ...this.evictions },
      loads_in_progress: this.loadsRunning,
      max_concurrent_loads: this.options.maxConcurrentLoads,
    };
  }

  // ---- leases ---------------------------------------------------------------------------

  private async acquire(name: string): Promise<Lease> {
    const entry = this.usableEntry(name);
    for (;;) {
      this.assertOpen();
      switch (entry.state) {
        case 'loaded': {
          entry.leases += 1;
          entry.accessCount += 1;
          entry.lastAccess = this.now();
          return { entry, model: entry.model as LoadedModel };
        }
        case 'unloading':
          // The model is going (evicted or deleted): wait, then load it again.
          await entry.unloading;
          break;
        case 'loading':
          await entry.loading;
          break;
        case 'error': {
          const wait = (entry.retryAt ?? 0) - this.now();
          if (wait > 0) throw new ModelBackoffError(entry.name, wait, entry.lastError);
          await this.startLoad(entry);
          break;
        }
        case 'unloaded':
          await this.startLoad(entry);
          break;
      }
    }
  }

  private release(lease: Lease, inferenceMs: number | undefined): void {
    const { entry } = lease;
    entry.leases -= 1;
    entry.lastAccess = this.now();
    if (inferenceMs !== undefined) {
      entry.inferences += 1;
      entry.inferenceMsTotal += inferenceMs;
    }
    if (entry.leases === 0) entry.wakeDrainWaiters();
  }

  // ---- loading --------------------------------------------------------------------------

  /** Single flight: every caller of a model that is loading shares one load. */
  private startLoad(entry: ModelEntry): Promise<void> {
    if (!entry.loading) {
      const previous = entry.state;
      entry.state = 'loading';
      entry.loading = this.runLoad(entry, previous).finally(() => {
        entry.loading = undefined;
      });
    }
    return entry.loading;
  }

  private async runLoad(entry: ModelEntry, previous: ModelEntry['state']): Promise<void> {
    const name = entry.name;
    let release: (() => void) | undefined;
    let loaderCalled = false;
    try {
      release = await this.acquireLoadSlot(name);
      this.assertOpen();
      const loader = this.loaders.get(entry.spec.loader);
      if (!loader)
        throw new ModelNotAvailableError(name, `no loader for type ${entry.spec.loader}`);
      await this.makeRoom(entry, entry.knownMb ?? entry.spec.estimated_mb);
      this.loadsRunning += 1;
      loaderCalled = true;
      const before = this.measureMemoryBytes();
      const started = this.now();
      let model: LoadedModel;
      try {
        model = await this.loadWithDeadline(entry, loader);
      } finally {
        this.loadsRunning -= 1;
      }
      if (this.closed) {
        await Promise.resolve(model.unload()).catch(noop);
        throw new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is closed');
      }
      const grewMb = (this.measureMemoryBytes() - before) / MB;
      const footprint = round1(Math.max(this.minFootprintMb, model.memoryMb ?? grewMb));
      entry.model = model;
      entry.state = 'loaded';
      entry.reserved = false;
      entry.memoryMb = footprint;
      entry.knownMb = footprint;
      entry.loadedAt = this.now();
      entry.loadTimeMs = entry.loadedAt - started;
      entry.failures = 0;
      entry.retryAt = undefined;
      entry.everLoaded = true;
      this.loads += 1;
      this.logger.log(`loaded model ${name} in ${entry.loadTimeMs} ms (${footprint} MB)`);
      this.trimAfterLoad(entry);
    } catch (error) {
      entry.model = undefined;
      entry.reserved = false;
      entry.memoryMb = 0;
      if (!loaderCalled) {
        // No room, no slot, or closing: not the model's fault, so no backoff.
        entry.state = previous === 'error' ? 'error' : 'unloaded';
        throw error;
      }
      entry.state = 'error';
      entry.failures += 1;
      entry.errors += 1;
      entry.lastError = describe(error);
      const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (entry.failures - 1));
      entry.retryAt = this.now() + delay;
      this.loadFailures += 1;
      this.logger.warn(`load of model ${name} failed: ${entry.lastError}; retry in ${delay} ms`);
      throw error instanceof AppError
        ? error
        : new ModelLoadError(name, entry.lastError, { cause: error });
    } finally {
      release?.();
    }
  }

  /** Waits for a load slot (MODEL_MAX_CONCURRENT_LOADS), at most the queue timeout. */
  private async acquireLoadSlot(name: string): Promise<() => void> {
    let timedOut = false;
    const acquiring = this.semaphore.acquire().then(
      ([, release]) => {
        if (timedOut) release(); // the caller gave up: hand the slot straight on
        return release;
      },
      () => {
        throw new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is closed');
      },
    );
    return withDeadline(acquiring, this.queueTimeoutMs, () => {
      timedOut = true;
      return new TimeoutAppError(
        `model ${name}: no load slot within ${this.queueTimeoutMs} ms (${this.options.maxConcurrentLoads} loads at once)`,
      );
    });
  }

  private async loadWithDeadline(entry: ModelEntry, loader: ModelLoader): Promise<LoadedModel> {
    const controller = new AbortController();
    let timedOut = false;
    const loading = Promise.resolve().then(() => loader.load(entry.spec, controller.signal));
    try {
      return await withDeadline(loading, this.options.loadTimeoutMs, () => {
        timedOut = true;
        controller.abort();
        return new ModelLoadTimeoutError(entry.name, this.options.loadTimeoutMs);
      });
    } catch (error) {
      // A loader that ignores the abort may still finish: unload what it made.
      if (timedOut) loading.then((late) => late.unload()).catch(noop);
      throw error;
    }
  }

  // ---- room: count and memory -----------------------------------------------------------

  /**
   * Makes room for `entry` and charges its estimate against the budget. Victims are the least
   * recently used loaded models, idle ones first; a leased victim is unloaded only after its
   * lease ends. When only other loads in progress hold the room, waits for one to finish and
   * plans again. Fails fast (507) when the model can never fit.
   */
  private async makeRoom(entry: ModelEntry, estimateMb: number): Promise<void> {
    const { memoryLimitMb, cacheSize } = this.options;
    if (estimateMb > memoryLimitMb) {
      throw new InsufficientStorageError(
        `model ${entry.name} needs about ${estimateMb} MB, more than the ${memoryLimitMb} MB memory limit (MODEL_MEMORY_LIMIT_MB)`,
      );
    }
    const deadline = this.now() + this.queueTimeoutMs;
    for (;;) {
      const victims = this.planRoom(entry, estimateMb);
      if (victims) {
        for (const [victim, reason] of victims) void this.evict(victim, reason);
        entry.reserved = true;
        entry.memoryMb = estimateMb;
        break;
      }
      const inFlight = [...this.entries.values()]
        .filter((e) => e !== entry && e.state === 'loading' && e.reserved && e.loading)
        .map((e) => (e.loading as Promise<void>).catch(noop));
      const left = deadline - this.now();
      const cannotFit = () =>
        new InsufficientStorageError(
          `model ${entry.name} (about ${estimateMb} MB) does not fit: ${this.memoryUsedMb()} of ${memoryLimitMb} MB and ${this.slotsUsed()} of ${cacheSize} models are taken by models loading or in use`,
        );
      if (inFlight.length === 0 || left <= 0) throw cannotFit();
      await withDeadline(Promise.race(inFlight), left, cannotFit);
      this.assertOpen();
    }
    // Victims (and earlier evictions) free their memory when their leases end: wait for that
    // before loading, so the process never holds both at once.
    const unloading = [...this.entries.values()].flatMap((e) =>
      e.state === 'unloading' && e.unloading ? [e.unloading] : [],
    );
    if (
      unloading.length > 0 &&
      (this.memoryUsedMb() > memoryLimitMb || this.slotsUsed(true) > cacheSize)
    ) {
      const left = Math.max(0, deadline - this.now());
      try {
        await withDeadline(
          Promise.all(unloading),
          left,
          () =>
            new TimeoutAppError(
              `model ${entry.name}: models in use did not finish within ${this.queueTimeoutMs} ms to make room`,
            ),
        );
      } catch (error) {
        entry.reserved = false;
        entry.memoryMb = 0;
        throw error;
      }
      this.assertOpen();
    }
  }

  /** Picks victims so `entry` fits under both limits, or undefined if it cannot now. */
  private planRoom(
    entry: ModelEntry,
    estimateMb: number,
  ): Array<[ModelEntry, EvictionReason]> | undefined {
    const holders = [...this.entries.values()].filter(
      (e) => e !== entry && (e.state === 'loaded' || (e.state === 'loading' && e.reserved)),
    );
    let needMb = holders.reduce((sum, e) => sum + e.memoryMb, 0) + estimateMb;
    needMb -= this.options.memoryLimitMb;
    let needSlots = holders.length + 1 - this.options.cacheSize;
    const candidates = holders
      .filter((e) => e.state === 'loaded')
      .sort((a, b) => Number(a.leases > 0) - Number(b.leases > 0) || a.lastUsed - b.lastUsed);
    const victims: Array<[ModelEntry, EvictionReason]> = [];
    for (const candidate of candidates) {
      if (needMb <= 0 && needSlots <= 0) break;
      victims.push([candidate, needSlots > 0 ? 'count' : 'memory']);
      needMb -= candidate.memoryMb;
      needSlots -= 1;
    }
    return needMb <= 1e-9 && needSlots <= 0 ? victims : undefined;
  }

  /** After a load measured more than estimated: evict idle LRU models until under budget. */
  private trimAfterLoad(loaded: ModelEntry): void {
    const limit = this.options.memoryLimitMb;
    let used = [...this.entries.values()]
      .filter((e) => e.state !== 'unloading')
      .reduce((sum, e) => sum + e.memoryMb, 0);
    if (used <= limit) return;
    const idle = [...this.entries.values()]
      .filter((e) => e !== loaded && e.state === 'loaded' && e.leases === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const victim of idle) {
      if (used <= limit) break;
      used -= victim.memoryMb;
      void this.evict(victim, 'memory');
    }
    if (used > limit) {
      this.logger.warn(
        `model ${loaded.name} measured ${loaded.memoryMb} MB: ${round1(used)} MB in use, over the ${limit} MB limit until models in use are released`,
      );
    }
  }

  /** Marks the model `unloading` now; unloads it once its leases end. */
  private evict(entry: ModelEntry, reason: EvictionReason | 'shutdown'): Promise<void> {
    if (entry.unloading) return entry.unloading;
    entry.state = 'unloading';
    if (reason !== 'shutdown') this.evictions[reason] += 1;
    this.logger.log(`unloading model ${entry.name} (${reason})`);
    entry.unloading = (async () => {
      await entry.drained();
      try {
        await entry.model?.unload();
      } catch (error) {
        entry.errors += 1;
        entry.lastError = `unload: ${describe(error)}`;
        this.logger.warn(`unloading model ${entry.name} failed: ${describe(error)}`);
      }
      entry.model = undefined;
      entry.memoryMb = 0;
      entry.loadedAt = undefined;
      entry.state = 'unloaded';
    })().finally(() => {
      entry.unloading = undefined;
    });
    return entry.unloading;
  }

  /** Models holding a slot: loaded and loads that made room, plus unloading ones if asked. */
  private slotsUsed(includeUnloading = false): number {
    let count = 0;
    for (const e of this.entries.values()) {
      if (e.state === 'loaded' || (e.state === 'loading' && e.reserved)) count += 1;
      else if (includeUnloading && e.state === 'unloading') count += 1;
    }
    return count;
  }

  // ---- lookups and status ---------------------------------------------------------------

  /** 400 for a bad name, 404 for an unknown one. */
  private entryOf(name: string): ModelEntry {
    const spec = this.registry.get(name);
    return this.entries.get(spec.name) as ModelEntry;
  }

  /** Like entryOf, and 404 when the model cannot be used in this deployment. */
  private usableEntry(name: string): ModelEntry {
    const entry = this.entryOf(name);
    const reason = this.unavailableReason(entry.spec);
    if (reason) throw new ModelNotAvailableError(entry.name, reason);
    return entry;
  }

  private unavailableReason(spec: ModelSpec): string | undefined {
    const loader = this.loaders.get(spec.loader);
    if (!loader) return `no loader is registered for type ${spec.loader}`;
    return loader.unavailableReason?.(spec);
  }

  private assertOpen(): void {
    if (this.closed) throw new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is closed');
  }

  private entryStatus(e: ModelEntry): ModelStatus {
    const unavailable = this.unavailableReason(e.spec);
    return {
      name: e.name,
      state: unavailable && e.state === 'unloaded' ? 'unavailable' : e.state,
      memory_mb: round1(e.memoryMb),
      loaded_at: iso(e.loadedAt),
      last_access: iso(e.lastAccess),
      access_count: e.accessCount,
      load_time_ms: e.loadTimeMs ?? null,
      in_use: e.leases > 0,
      leases: e.leases,
      loader: e.spec.loader,
      description: e.spec.description ?? null,
      estimated_mb: e.knownMb ?? e.spec.estimated_mb,
      measured: e.knownMb !== undefined,
      preload: e.preload,
      available: !unavailable,
      unavailable_reason: unavailable ?? null,
      inferences: e.inferences,
      avg_inference_ms: e.inferences > 0 ? round1(e.inferenceMsTotal / e.inferences) : null,
      errors: e.errors,
      last_error: e.lastError ?? null,
      retry_at: e.state === 'error' ? iso(e.retryAt) : null,
    };
  }
}

/** A function, not a comparison, so TypeScript does not narrow `state` across an await. */
function isLoaded(entry: ModelEntry): boolean {
  return entry.state === 'loaded';
}

/** Heap plus external (Buffers, native) memory of the process, bytes. */
function defaultMeasureMemoryBytes(): number {
  // With --expose-gc, collect first so garbage made by the load is not counted as its footprint.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** Settles like `promise`, or rejects with `onTimeout()` after `ms` (an unref'd timer). */
function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
