/**
 * The footprint of a model that runs inline, measured where nothing else blurs it: its module
 * loaded once in a short-lived worker thread, whose isolate's heap + external growth is the
 * figure (the thread then ends). In the shared heap the same load measures whatever the rest
 * of the process did meanwhile, and a reload measures less because modules stay cached.
 */
import { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../model-pool.types';
import { MB } from '../model-pool.util';
import { MODEL_WORKER_FILE, workerExecArgv } from './worker-entry';
import type { ModelWorkerData, WorkerLoadMessage } from './worker-model.types';

/** Longest a measurement may take before it is given up (the pool then measures on its own). */
export const FOOTPRINT_TIMEOUT_MS = 15_000;

/**
 * Loads `module`'s model for `spec` in a fresh thread and answers its growth, MB. Bounded: a
 * thread that does not answer within `timeoutMs`, or by the time `signal` aborts, is ended and
 * the measurement fails; it must never hold up the model's own load.
 */
export async function measureFootprintInWorker(
  module: string,
  spec: ModelSpec,
  { signal, timeoutMs = FOOTPRINT_TIMEOUT_MS }: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<number> {
  const workerData: ModelWorkerData = { module, spec };
  const worker = new Worker(MODEL_WORKER_FILE, {
    workerData,
    execArgv: workerExecArgv(MODEL_WORKER_FILE, module),
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const message = await new Promise<WorkerLoadMessage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the measuring thread exited (${code})`)));
      timer = setTimeout(
        () => reject(new Error(`the measuring thread did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      onAbort = () => reject(new Error('the load it measures was abandoned'));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (message.kind === 'model-load-failed') throw new Error(message.error.message);
    return message.bytes / MB;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}
