/**
 * The pool's options and logger, in their own file so the collaborators that read them
 * (context, scheduler, evictor) need not import the ModelPool class itself.
 */
import type { ModelWorkerSettings } from './workers/model-worker-settings';
import type { WorkerPoolStats } from './workers/worker-model.types';

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
  /** The worker threads' figures for `status().workers`. Default: none (every model inline). */
  workers?: () => WorkerPoolStats;
}

/**
 * How the model pool resource (ModelPoolModule) is set up, built from the validated
 * configuration in one place. The pool's own settings keep their names and units above.
 */
export interface ModelPoolModuleOptions extends Pick<
  ModelPoolOptions,
  'cacheSize' | 'memoryLimitMb' | 'maxConcurrentLoads' | 'loadTimeoutMs' | 'idleTtlMs'
> {
  /** Path of a JSON model registry; unset: the models the features declare. */
  modelConfigPath?: string;
  /** Models loaded at start-up; readiness waits for them. */
  preload: readonly string[];
  /** At shutdown, how long in-flight uses may take to finish before every model is unloaded, ms. */
  shutdownGraceMs: number;
  /**
   * How models registered to run in worker threads run (MODEL_WORKERS, MODEL_WORKER_QUEUE,
   * MODEL_INFERENCE_TIMEOUT_MS, MODEL_WORKER_NICE). Default: inline (no threads).
   */
  workers?: ModelWorkerSettings;
}
