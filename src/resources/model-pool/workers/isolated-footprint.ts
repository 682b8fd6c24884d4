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

/** Loads `module`'s model for `spec` in a fresh thread and answers its growth, MB. */
export async function measureFootprintInWorker(module: string, spec: ModelSpec): Promise<number> {
  const workerData: ModelWorkerData = { module, spec };
  const worker = new Worker(MODEL_WORKER_FILE, {
    workerData,
    execArgv: workerExecArgv(MODEL_WORKER_FILE, module),
  });
  try {
    const message = await new Promise<WorkerLoadMessage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the measuring thread exited (${code})`)));
    });
    if (message.kind === 'model-load-failed') throw new Error(message.error.message);
    return message.bytes / MB;
  } finally {
    await worker.terminate();
  }
}
