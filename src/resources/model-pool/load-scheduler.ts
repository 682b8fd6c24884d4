/**
 * When and how long a load may run: the semaphore bounding loads at once
 * (MODEL_MAX_CONCURRENT_LOADS) with its queue timeout, the per-load deadline that aborts the
 * loader, and the failure backoff. The timing rules, apart from what a load does to an entry.
 */
import { Semaphore } from 'async-mutex';
import { ResourceUnavailableError, TimeoutAppError } from '../../common/errors/app-errors';
import { MODEL_POOL_RESOURCE_NAME } from './model-pool.constants';
import { ModelLoadTimeoutError } from './model-pool.errors';
import { ModelEntry } from './model-entry';
import { PoolContext } from './model-pool.context';
import { LoadedModel, ModelLoader } from './model-pool.types';
import { noop } from './model-pool.util';
import { withDeadline } from '../../common/util/with-timeout';

export class LoadScheduler {
  private readonly semaphore: Semaphore;
  /** Loader calls running now (`loads_in_progress`). */
  running = 0;

  constructor(private readonly ctx: PoolContext) {
    this.semaphore = new Semaphore(ctx.options.maxConcurrentLoads);
  }

  /** Waits for a load slot (MODEL_MAX_CONCURRENT_LOADS), at most the queue timeout. */
  async acquireSlot(name: string): Promise<() => void> {
    const { queueTimeoutMs, options } = this.ctx;
    let timedOut = false;
    const acquiring = this.semaphore.acquire().then(
      ([, release]) => {
        if (timedOut) release(); // the caller gave up: hand the slot straight on
        return release;
      },
      () => {
        throw new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is closed');
      },
    );
    return withDeadline(acquiring, queueTimeoutMs, () => {
      timedOut = true;
      return new TimeoutAppError(
        `model ${name}: no load slot within ${queueTimeoutMs} ms (${options.maxConcurrentLoads} loads at once)`,
      );
    });
  }

  /** Runs the loader under MODEL_LOAD_TIMEOUT_MS, aborting it (and unloading a late result). */
  async loadWithDeadline(entry: ModelEntry, loader: ModelLoader): Promise<LoadedModel> {
    const { loadTimeoutMs } = this.ctx.options;
    const controller = new AbortController();
    let timedOut = false;
    const loading = Promise.resolve().then(() => loader.load(entry.spec, controller.signal));
    try {
      return await withDeadline(loading, loadTimeoutMs, () => {
        timedOut = true;
        controller.abort();
        return new ModelLoadTimeoutError(entry.name, loadTimeoutMs);
      });
    } catch (error) {
      // A loader that ignores the abort may still finish: unload what it made.
      if (timedOut) loading.then((late) => late.unload()).catch(noop);
      throw error;
    }
  }

  /** Backoff before retrying after `failures` consecutive failed loads: doubling, capped. */
  retryDelayMs(failures: number): number {
    return Math.min(this.ctx.retryMaxMs, this.ctx.retryBaseMs * 2 ** (failures - 1));
  }

  /** Rejects every queued slot request (shutdown). */
  cancel(): void {
    this.semaphore.cancel();
  }
}
