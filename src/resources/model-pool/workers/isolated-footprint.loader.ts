/**
 * Wraps an inline loader whose model can also be loaded from a module path, so its footprint
 * is measured in isolation (isolated-footprint.ts) instead of as the shared heap's growth. The
 * measurement runs beside the first load of each model and is kept for the process: every
 * reload reports the same figure. A failed measurement falls back to the pool's own.
 */
import type { LoadedModel, ModelLoader, ModelSpec } from '../model-pool.types';
import { describe } from '../model-pool.util';
import { measureFootprintInWorker } from './isolated-footprint';

export class IsolatedFootprintLoader<M extends LoadedModel> implements ModelLoader<M> {
  private readonly measured = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly inner: ModelLoader<M>,
    private readonly module: string,
    private readonly warn: (message: string) => void,
    private readonly measure: typeof measureFootprintInWorker = measureFootprintInWorker,
  ) {}

  unavailableReason(spec: ModelSpec): string | undefined {
    return this.inner.unavailableReason?.(spec);
  }

  async load(spec: ModelSpec, signal: AbortSignal): Promise<M> {
    const [model, footprintMb] = await Promise.all([
      this.inner.load(spec, signal),
      this.footprintOf(spec, signal),
    ]);
    if (model.memoryMb === undefined && footprintMb !== undefined) {
      Object.defineProperty(model, 'memoryMb', { value: footprintMb, enumerable: true });
    }
    return model;
  }

  /** Measured once per model and options; undefined when it could not be. */
  private footprintOf(spec: ModelSpec, signal: AbortSignal): Promise<number | undefined> {
    const key = `${spec.name}\u0000${JSON.stringify(spec.options)}`;
    let footprint = this.measured.get(key);
    if (!footprint) {
      // Bounded (and ended with the load's deadline), so a thread that never answers cannot
      // hold the load, or every later load of the model, hostage.
      footprint = this.measure(this.module, spec, { signal }).catch((error: unknown) => {
        this.measured.delete(key); // try again at the next load
        this.warn(`could not measure model ${spec.name} in isolation: ${describe(error)}`);
        return undefined;
      });
      this.measured.set(key, footprint);
    }
    return footprint;
  }
}
