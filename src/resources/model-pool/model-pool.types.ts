import type { WorkerPoolStats } from './workers/worker-model.types';

/** One model declared in the registry (a feature's default model or the MODEL_CONFIG JSON file). */
export interface ModelSpec {
  /** Registry key, matches MODEL_NAME_PATTERN. */
  name: string;
  /** Loader type, a key of the loader registry (a type some module registered). */
  loader: string;
  /** Loader-specific options, passed to the loader as they are. Never put secrets here. */
  options: Record<string, unknown>;
  /** Expected footprint in MB, used to make room before the first load. */
  estimated_mb: number;
  /** Free text for status pages. */
  description?: string;
}

/**
 * A model in memory, as the pool sees it: something to release, and maybe its own size. What a
 * model does (its inference methods) is the business of the feature that loads it, which
 * extends this interface and names its kind when it leases one: `withModel<MyModel>(...)`.
 */
export interface LoadedModel {
  /** Releases everything `load` took. Called once, never while a lease is held. */
  unload(): Promise<void> | void;
  /**
   * The model's own measurement of its footprint, MB. When absent the pool measures the heap +
   * external memory growth across `load` instead.
   */
  readonly memoryMb?: number;
}

/**
 * Knows how to load one type of model (`M`: what its models can do). Any module can implement it
 * and register it with `ModelPoolService.registerLoader(type, loader)`; see README.md.
 */
export interface ModelLoader<M extends LoadedModel = LoadedModel> {
  /**
   * Loads the model. Must honour `signal` where it can: the pool aborts it when the load
   * deadline (MODEL_LOAD_TIMEOUT_MS) passes. A model that resolves after the deadline is
   * unloaded at once, so nothing is left behind either way.
   */
  load(spec: ModelSpec, signal: AbortSignal): Promise<M>;
  /**
   * Why a model of this type cannot be used in this deployment (for example "set
   * OPENAI_BASE_URL"), or undefined when it can. Unavailable models are not in `available`.
   */
  unavailableReason?(spec: ModelSpec): string | undefined;
}

/** Lifecycle of one model in the pool. */
export type ModelState = 'unloaded' | 'loading' | 'loaded' | 'unloading' | 'error' | 'unavailable';

/** Why a model was unloaded. */
export type EvictionReason = 'count' | 'memory' | 'idle' | 'manual';

/** One model in the status body. */
export interface ModelStatus {
  name: string;
  state: ModelState;
  /** MB charged against MODEL_MEMORY_LIMIT_MB now (0 when not loaded; the estimate while loading). */
  memory_mb: number;
  loaded_at: string | null;
  last_access: string | null;
  access_count: number;
  load_time_ms: number | null;
  /** True while at least one caller holds a lease. */
  in_use: boolean;
  /** Leases held now. */
  leases: number;
  loader: string;
  description: string | null;
  /** MB the next load assumes: the last measured footprint, else the declared estimate. */
  estimated_mb: number;
  /** True once a load has measured the footprint. */
  measured: boolean;
  /** Loaded at start-up (MODEL_PRELOAD): readiness waits for it, idle unload skips it. */
  preload: boolean;
  available: boolean;
  unavailable_reason: string | null;
  inferences: number;
  avg_inference_ms: number | null;
  /** Failed loads and failed generations. */
  errors: number;
  last_error: string | null;
  /** When a model in `error` may be loaded again by a use (backoff), ISO string. */
  retry_at: string | null;
}

/** The `/resources/models/status` body. */
export interface ModelPoolStatus {
  models: ModelStatus[];
  /** Names of registered models that can be used in this deployment. */
  available: string[];
  cache_size: number;
  memory_limit_mb: number;
  memory_used_mb: number;
  /** Successful loads since start. */
  loads: number;
  load_failures: number;
  /** Models unloaded to make room or because idle or by DELETE (not counting shutdown). */
  evictions: number;
  evictions_by_reason: Record<EvictionReason, number>;
  loads_in_progress: number;
  max_concurrent_loads: number;
  /** Worker threads of the models that run in them (`size` 0 when every model runs inline). */
  workers: WorkerPoolStats;
}
