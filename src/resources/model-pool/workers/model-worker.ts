/**
 * The entry of a model's worker thread (piscina's task handler). Loads the one model named by
 * `workerData` as soon as the thread starts, measures what the load added to this thread's own
 * V8 isolate (heap + external, so nothing else in the process blurs it), tells the main thread,
 * then runs the method calls it is posted. A thrown error is an answer, not a crash: it fails
 * only its own call.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from './thread-priority';
import { serializeError } from './worker-errors';
import type {
  ModelWorkerData,
  WorkerLoadMessage,
  WorkerModelInstance,
  WorkerModelModule,
  WorkerReply,
  WorkerTask,
} from './worker-model.types';

const data = workerData as ModelWorkerData;

/** This isolate's heap + external memory after a full collection, bytes. */
function isolateBytes(): number {
  collectGarbage();
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

/**
 * A full GC so the load's garbage is not counted as its footprint. `--expose-gc` cannot be
 * given to a worker (a V8 flag), so it is set for the moment it takes to create a context that
 * has `gc`, then unset: V8 flags are the process's, and every context created while it is set
 * (the main thread's too) would get a `gc` global.
 */
function collectGarbage(): void {
  gc ??= exposeGc();
  gc();
}
let gc: (() => void) | undefined;

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

function post(message: WorkerLoadMessage): void {
  parentPort?.postMessage(message);
}

async function loadModel(): Promise<WorkerModelInstance> {
  const before = isolateBytes();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(data.module) as WorkerModelModule;
    const model = await module.load(data.spec);
    const bytes = Math.max(0, isolateBytes() - before);
    lowerThreadPriority(data.nice ?? 0);
    post({ kind: 'model-loaded', bytes });
    return model;
  } catch (error) {
    post({ kind: 'model-load-failed', error: serializeError(error) });
    throw error;
  }
}

const loaded = loadModel();
loaded.catch(() => undefined); // reported by message; calls that arrive anyway answer the error

/** Runs one method call on the loaded model. */
export default async function runTask(task: WorkerTask): Promise<WorkerReply> {
  try {
    const model = (await loaded) as Record<string, unknown>;
    const method = model[task.method];
    if (typeof method !== 'function') {
      throw new TypeError(`the model has no method ${task.method}`);
    }
    return {
      ok: true,
      value: await (method as (...a: unknown[]) => unknown).apply(model, task.args),
    };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
