/**
 * The contract across the thread boundary: what a worker model module exports, what the main
 * thread posts to its threads and what they answer. Only plain data crosses (structured clone):
 * a function or a class instance cannot, so a worker model is named by its module path.
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { ModelSpec } from '../model-pool.types';

/** A model inside its worker thread: the methods the main thread may call, and maybe unload. */
export type WorkerModelInstance = object;

/**
 * What a worker model module exports (a .ts or .js file, named by its absolute path):
 * `load(spec)` builds the model inside the thread; the main thread calls its methods.
 */
export interface WorkerModelModule {
  load(spec: ModelSpec): Promise<WorkerModelInstance> | WorkerModelInstance;
}

/** How a feature registers a model type that runs in worker threads. */
export interface WorkerLoaderRegistration {
  /** Absolute path of the module exporting `load(spec)`: `require.resolve('./x.worker-model')`. */
  module: string;
  /** The model's methods the main thread may call; each returns a promise on the main thread. */
  methods: readonly string[];
  /** V8 limits of each thread: a model past them ends its thread (replaced), not the service. */
  resourceLimits?: ResourceLimits;
  /** As `ModelLoader.unavailableReason`: why a model of this type cannot be used here. */
  unavailableReason?(spec: ModelSpec): string | undefined;
}

/** `workerData` of a model's threads: which module to load, with which spec. */
export interface ModelWorkerData {
  module: string;
  spec: ModelSpec;
  /** How far the thread lowers its priority once the model is loaded (0: not at all). */
  nice?: number;
}

/** One call of a model method, posted to a thread. */
export interface WorkerTask {
  method: string;
  args: unknown[];
}

/** An error as it crosses the boundary: its class is lost, its HTTP meaning is kept. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  status?: number;
  retryAfterS?: number;
}

/** A thread's answer to a task: thrown errors are answers too, so they fail only that call. */
export type WorkerReply = { ok: true; value: unknown } | { ok: false; error: SerializedError };

/** Posted by a thread once its model has loaded (bytes: its isolate's growth) or failed to. */
export type WorkerLoadMessage =
  { kind: 'model-loaded'; bytes: number } | { kind: 'model-load-failed'; error: SerializedError };

/** Current figures of the worker threads (`workers` in the status). */
export interface WorkerPoolStats {
  /** Threads running now across worker models; 0 when every model runs inline. */
  size: number;
  /** Threads running a call now. */
  busy: number;
  /** Calls waiting for a thread. */
  queued: number;
  /** Threads replaced after they died, hung past the inference timeout or ran out of memory. */
  restarts: number;
}
