import type { ResourceLimits } from 'node:worker_threads';

/** How worker models run (ModelPoolModuleOptions.workers, from MODEL_WORKERS and friends). */
export interface ModelWorkerSettings {
  /** Threads per worker model, each with its own copy of the model; 0 runs them inline. */
  threads: number;
  /** Calls that may wait for a worker model's busy threads; past it 503 (ModelBusyError). */
  queueLimit: number;
  /** Deadline of one call, queue wait included, ms; past it the thread is replaced. */
  inferenceTimeoutMs: number;
  /**
   * Niceness added to every thread (0-19; 0 or unset: the main thread's priority). The model's
   * threads then yield a contended core to the event loop, which answers every other request.
   */
  nice?: number;
  /** V8 limits of every thread (a registration's own limits win). */
  resourceLimits?: ResourceLimits;
}
