/**
 * Loader of a model type registered to run in worker threads: each load starts a piscina pool
 * of its own (`threads` threads, each loading the model from its module path through
 * `workerData`), waits until every thread reports its model loaded, and charges the sum of what
 * each load added to its own isolate. A thread that fails or dies while loading fails the load
 * (and the pool is destroyed, so nothing is left running).
 */
import { Piscina } from 'piscina';
import { ModelLoadError } from '../model-pool.errors';
import type { ModelLoader, ModelSpec } from '../model-pool.types';
import { MB, describe } from '../model-pool.util';
import type { ModelWorkerSettings } from './model-worker-settings';
import { ThreadedModel } from './threaded-model';
import { MODEL_WORKER_FILE, workerExecArgv } from './worker-entry';
import type {
  ModelWorkerData,
  WorkerLoadMessage,
  WorkerLoaderRegistration,
  WorkerReply,
  WorkerTask,
} from './worker-model.types';

export class ThreadedModelLoader implements ModelLoader<ThreadedModel> {
  constructor(
    private readonly registration: WorkerLoaderRegistration,
    private readonly settings: ModelWorkerSettings,
    /** Told of each model loaded and unloaded (the pool-wide `workers` figures), and of errors. */
    private readonly hooks: {
      loaded(model: ThreadedModel): void;
      unloaded(model: ThreadedModel): void;
      warn(message: string): void;
    },
  ) {}

  unavailableReason(spec: ModelSpec): string | undefined {
    return this.registration.unavailableReason?.(spec);
  }

  async load(spec: ModelSpec, signal: AbortSignal): Promise<ThreadedModel> {
    signal.throwIfAborted();
    const { threads } = this.settings;
    const workerData: ModelWorkerData = {
      module: this.registration.module,
      spec,
      nice: this.settings.nice ?? 0,
    };
    const pool = new Piscina<WorkerTask, WorkerReply>({
      filename: MODEL_WORKER_FILE,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
      // An idle piscina thread blocks in Atomics.wait, which would stall the model's own
      // asynchronous load (timers, dynamic imports) until a call arrives: use messages.
      atomics: 'disabled',
      workerData,
      execArgv: workerExecArgv(MODEL_WORKER_FILE, this.registration.module),
      resourceLimits: this.registration.resourceLimits ?? this.settings.resourceLimits,
      // Not piscina's niceIncrement, which lowers a thread before it loads: under a busy CPU a
      // low-priority load could outlast its deadline. Each thread lowers itself once its model is
      // loaded (model-worker.ts), so only inference yields to the main thread.
    });
    // Without a listener an 'error' event (a thread failing with no call running) would throw.
    pool.on('error', (error: unknown) =>
      this.hooks.warn(`a worker thread of model ${spec.name} failed: ${describe(error)}`),
    );
    try {
      const bytes = await allThreadsLoaded(pool, spec.name, threads, signal);
      const model = new ThreadedModel(
        spec.name,
        pool,
        this.settings,
        bytes / MB,
        this.registration.methods,
        (unloaded) => this.hooks.unloaded(unloaded),
      );
      this.hooks.loaded(model);
      return model;
    } catch (error) {
      await pool.destroy();
      throw error;
    }
  }
}

/** Resolves with the bytes every thread's load added, once all `threads` have loaded. */
function allThreadsLoaded(
  pool: Piscina,
  name: string,
  threads: number,
  signal: AbortSignal,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let loaded = 0;
    let bytes = 0;
    const fail = (reason: string, cause?: unknown) => {
      cleanup();
      reject(new ModelLoadError(name, reason, { cause }));
    };
    const onMessage = (message: WorkerLoadMessage) => {
      if (message.kind === 'model-load-failed') return fail(message.error.message);
      loaded += 1;
      bytes += message.bytes;
      if (loaded === threads) {
        cleanup();
        resolve(bytes);
      }
    };
    const onError = (error: unknown) => fail(describe(error), error);
    const onDestroy = () => fail('a worker thread ended while loading');
    const onAbort = () => fail('load aborted');
    // piscina unrefs idle threads: without this, a process with nothing else to do would exit
    // in the middle of the load.
    const keepAlive = setInterval(() => undefined, 60_000);
    const cleanup = () => {
      clearInterval(keepAlive);
      pool.off('message', onMessage);
      pool.off('error', onError);
      pool.off('workerDestroy', onDestroy);
      signal.removeEventListener('abort', onAbort);
    };
    pool.on('message', onMessage);
    pool.on('error', onError);
    pool.on('workerDestroy', onDestroy);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
