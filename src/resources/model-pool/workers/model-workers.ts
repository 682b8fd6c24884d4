/**
 * The model pool's worker side: builds the loader for a type registered to run in workers
 * (threads, or inline when MODEL_WORKERS=0), keeps the loaded threaded models to report the
 * pool-wide `workers` figures, and keeps counting restarts after their models unload.
 */
import type { LoadedModel, ModelLoader } from '../model-pool.types';
import type { ModelPoolLogger } from '../model-pool.options';
import { IsolatedFootprintLoader } from './isolated-footprint.loader';
import { InlineModuleLoader } from './inline-module.loader';
import type { ModelWorkerSettings } from './model-worker-settings';
import { ThreadedModel } from './threaded-model';
import { canLowerThreadPriority } from './thread-priority';
import { ThreadedModelLoader } from './threaded-model.loader';
import type { WorkerLoaderRegistration, WorkerPoolStats } from './worker-model.types';

export class ModelWorkers {
  private readonly live = new Set<ThreadedModel>();
  /** Restarts of threaded models that have unloaded since. */
  private pastRestarts = 0;

  constructor(
    readonly settings: ModelWorkerSettings,
    private readonly logger: ModelPoolLogger,
  ) {
    if (this.threaded && (settings.nice ?? 0) > 0 && !canLowerThreadPriority()) {
      logger.warn(
        'model worker threads run at the main thread priority: @napi-rs/nice (an optional dependency of piscina) is not installed for this platform',
      );
    }
  }

  /** True when worker models run in threads (MODEL_WORKERS > 0). */
  get threaded(): boolean {
    return this.settings.threads > 0;
  }

  /** The loader of a worker model type: threads, or the main thread when MODEL_WORKERS=0. */
  loaderFor(registration: WorkerLoaderRegistration): ModelLoader {
    if (!this.threaded) return new InlineModuleLoader(registration);
    return new ThreadedModelLoader(registration, this.settings, {
      loaded: (model) => this.live.add(model),
      unloaded: (model) => this.forget(model),
      warn: (message) => this.logger.warn(message),
    });
  }

  /** An inline loader whose footprint is measured by loading `module` in a short-lived thread. */
  measuredInIsolation<M extends LoadedModel>(
    loader: ModelLoader<M>,
    module: string,
  ): ModelLoader<M> {
    return new IsolatedFootprintLoader(loader, module, (message) => this.logger.warn(message));
  }

  stats(): WorkerPoolStats {
    const total: WorkerPoolStats = { size: 0, busy: 0, queued: 0, restarts: this.pastRestarts };
    for (const model of this.live) {
      const s = model.stats();
      total.size += s.size;
      total.busy += s.busy;
      total.queued += s.queued;
      total.restarts += s.restarts;
    }
    return total;
  }

  /** An unloaded model leaves the figures; its restarts stay in the total. */
  private forget(model: ThreadedModel): void {
    if (this.live.delete(model)) this.pastRestarts += model.restarts;
  }
}
