/**
 * Leases: how a caller gets a loaded model and holds it. Acquiring loads the model when needed
 * (waiting out an unload, joining a load, honouring the failure backoff); while a lease is
 * held the evictor only marks the model and unloads it after release wakes its drain waiters.
 */
import { ModelBackoffError } from './model-pool.errors';
import { ModelEntry } from './model-entry';
import { PoolContext } from './model-pool.context';
import { ModelLoads } from './model-loads';
import { LoadedModel } from './model-pool.types';

/** A caller's hold on a loaded model: while any is held the model is never unloaded. */
export interface Lease {
  entry: ModelEntry;
  model: LoadedModel;
}

export class Leases {
  constructor(
    private readonly ctx: PoolContext,
    private readonly loading: ModelLoads,
  ) {}

  /** Loads the model if needed and leases it; counts the access. */
  async acquire(name: string): Promise<Lease> {
    const entry = this.ctx.usableEntry(name);
    for (;;) {
      this.ctx.assertOpen();
      switch (entry.state) {
        case 'loaded': {
          entry.leases += 1;
          entry.accessCount += 1;
          entry.lastAccess = this.ctx.now();
          return { entry, model: entry.model as LoadedModel };
        }
        case 'unloading':
          // The model is going (evicted or deleted): wait, then load it again.
          await entry.unloading;
          break;
        case 'loading':
          return this.leaseFromLoad(entry, entry.loading as Promise<void>);
        case 'error': {
          const wait = (entry.retryAt ?? 0) - this.ctx.now();
          if (wait > 0) throw new ModelBackoffError(entry.name, wait, entry.lastError);
          return this.leaseFromLoad(entry, this.loading.start(entry));
        }
        case 'unloaded':
          return this.leaseFromLoad(entry, this.loading.start(entry));
      }
    }
  }

  /** Waits for `load`; when it succeeds it has counted this caller's lease already. */
  private async leaseFromLoad(entry: ModelEntry, load: Promise<void>): Promise<Lease> {
    entry.waitingForLease += 1;
    try {
      await load;
    } catch (error) {
      entry.waitingForLease -= 1;
      throw error;
    }
    entry.accessCount += 1;
    entry.lastAccess = this.ctx.now();
    return { entry, model: entry.model as LoadedModel };
  }

  /** Ends a lease; `inferenceMs` is recorded when the use succeeded. */
  release(lease: Lease, inferenceMs: number | undefined): void {
    const { entry } = lease;
    entry.leases -= 1;
    entry.lastAccess = this.ctx.now();
    if (inferenceMs !== undefined) {
      entry.inferences += 1;
      entry.inferenceMsTotal += inferenceMs;
    }
    if (entry.leases === 0) entry.wakeDrainWaiters();
  }
}
