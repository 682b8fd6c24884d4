/**
 * One model's load from start to end: single flight (every caller shares one load), a slot
 * from the scheduler, room from the evictor, the loader call, then the entry updated with the
 * measured footprint or the failure and its backoff. Counts loads and failures for `status()`.
 */
import { AppError, ResourceUnavailableError } from '../../common/errors/app-errors';
import { round } from '../../common/util/round';
import { MODEL_POOL_RESOURCE_NAME } from './model-pool.constants';
import { ModelLoadError, ModelNotAvailableError } from './model-pool.errors';
import { Evictor } from './evictor';
import { LoadScheduler } from './load-scheduler';
import { ModelEntry } from './model-entry';
import { PoolContext } from './model-pool.context';
import { LoadedModel } from './model-pool.types';
import { MB, describe, noop } from './model-pool.util';

export class ModelLoads {
  /** Successful loads. */
  loads = 0;
  /** Failed loader calls (no slot / no room are not counted: not the model's fault). */
  failures = 0;

  constructor(
    private readonly ctx: PoolContext,
    private readonly scheduler: LoadScheduler,
    private readonly evictor: Evictor,
  ) {}

  /** Single flight: every caller of a model that is loading shares one load. */
  start(entry: ModelEntry): Promise<void> {
    if (!entry.loading) {
      const previous = entry.state;
      entry.state = 'loading';
      entry.loading = this.run(entry, previous).finally(() => {
        entry.loading = undefined;
      });
    }
    return entry.loading;
  }

  private async run(entry: ModelEntry, previous: ModelEntry['state']): Promise<void> {
    const ctx = this.ctx;
    const name = entry.name;
    let release: (() => void) | undefined;
    let loaderCalled = false;
    try {
      release = await this.scheduler.acquireSlot(name);
      ctx.assertOpen();
      const loader = ctx.loaders.get(entry.spec.loader);
      if (!loader)
        throw new ModelNotAvailableError(name, `no loader for type ${entry.spec.loader}`);
      await this.evictor.makeRoom(entry, entry.knownMb ?? entry.spec.estimated_mb);
      this.scheduler.running += 1;
      loaderCalled = true;
      const before = ctx.measureMemoryBytes();
      const started = ctx.now();
      let model: LoadedModel;
      try {
        model = await this.scheduler.loadWithDeadline(entry, loader);
      } finally {
        this.scheduler.running -= 1;
      }
      if (ctx.closed) {
        await Promise.resolve(model.unload()).catch(noop);
        throw new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is closed');
      }
      const grewMb = (ctx.measureMemoryBytes() - before) / MB;
      const footprint = round(Math.max(ctx.minFootprintMb, model.memoryMb ?? grewMb), 1);
      entry.model = model;
      entry.state = 'loaded';
      entry.reserved = false;
      entry.memoryMb = footprint;
      entry.knownMb = footprint;
      entry.loadedAt = ctx.now();
      entry.loadTimeMs = entry.loadedAt - started;
      entry.failures = 0;
      entry.retryAt = undefined;
      entry.everLoaded = true;
      this.loads += 1;
      ctx.logger.log(`loaded model ${name} in ${entry.loadTimeMs} ms (${footprint} MB)`);
      this.evictor.trimAfterLoad(entry);
      // The callers that waited for this load hold the model from now on, before anything else
      // runs: a load queued behind this one must not evict it before they have used it (two
      // models that cannot be held together would otherwise evict each other for ever).
      entry.leases += entry.waitingForLease;
      entry.waitingForLease = 0;
    } catch (error) {
      entry.model = undefined;
      entry.reserved = false;
      entry.memoryMb = 0;
      if (!loaderCalled) {
        // No room, no slot, or closing: not the model's fault, so no backoff.
        entry.state = previous === 'error' ? 'error' : 'unloaded';
        throw error;
      }
      entry.state = 'error';
      entry.failures += 1;
      entry.errors += 1;
      entry.lastError = describe(error);
      const delay = this.scheduler.retryDelayMs(entry.failures);
      entry.retryAt = ctx.now() + delay;
      this.failures += 1;
      ctx.logger.warn(`load of model ${name} failed: ${entry.lastError}; retry in ${delay} ms`);
      throw error instanceof AppError
        ? error
        : new ModelLoadError(name, entry.lastError, { cause: error });
    } finally {
      release?.();
    }
  }
}
