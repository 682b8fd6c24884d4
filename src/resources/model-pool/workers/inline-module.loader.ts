/**
 * A worker model type run inline (MODEL_WORKERS=0): its module is loaded in the main thread
 * and the model's methods are called directly. The same surface as a ThreadedModel (each
 * method answers a promise), so the feature using it cannot tell where it runs.
 */
import type { LoadedModel, ModelLoader, ModelSpec } from '../model-pool.types';
import type { WorkerLoaderRegistration, WorkerModelModule } from './worker-model.types';

type Methods = Record<string, (...args: unknown[]) => unknown>;

export class InlineModuleLoader implements ModelLoader {
  constructor(private readonly registration: WorkerLoaderRegistration) {}

  unavailableReason(spec: ModelSpec): string | undefined {
    return this.registration.unavailableReason?.(spec);
  }

  async load(spec: ModelSpec, signal: AbortSignal): Promise<LoadedModel> {
    signal.throwIfAborted();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(this.registration.module) as WorkerModelModule;
    const instance = (await module.load(spec)) as Methods & { unload?: () => unknown };
    const model: LoadedModel & Methods = {
      unload: async () => {
        await instance.unload?.();
      },
    };
    for (const method of this.registration.methods) {
      model[method] = async (...args: unknown[]) => instance[method](...args);
    }
    return model;
  }
}
