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
  /** When it was granted (the pool's clock): the inference is timed from here. */
  grantedAt: number;
}

export class Leases {
  constructor(
    private readonly ctx: PoolContext,
    private readonly loading: ModelLoads,
  ) {}

  /**
   * The per-call fast path: leases the model when it is loaded already, synchronously (no
   * promise to await); undefined when it is not, and `acquire` then loads or waits.
   * @throws like `acquire` for a bad, unknown or unavailable name, or a closed pool.
   */
  leaseIfLoaded(name: string): Lease | undefined {
    const entry = this.ctx.usableEntry(name);
    this.ctx.assertOpen();
    if (entry.state !== 'loaded') return undefined;
    entry.leases += 1;
    return this.granted(entry);
  }

  /** Loads the model if needed and leases it; counts the access. */
  async acquire(name: string): Promise<Lease> {
    const entry = this.ctx.usableEntry(name);
    for (;;) {
      this.ctx.assertOpen();
      switch (entry.state) {
        case 'loaded': {
          entry.leases += 1;
          return this.granted(entry);
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
    return this.granted(entry);
  }

  /** Ends a lease; a use that succeeded is counted as an inference, timed from the grant. */
  release(lease: Lease, succeeded: boolean): void {
    const { entry } = lease;
    const now = this.ctx.now();
    entry.leases -= 1;
    entry.lastAccess = now;
    if (succeeded) {
      entry.inferences += 1;
      entry.inferenceMsTotal += now - lease.grantedAt;
    }
    if (entry.leases === 0) entry.wakeDrainWaiters();
  }

  /** Counts the access of a lease just counted on `entry`; one clock reading serves both. */
  private granted(entry: ModelEntry): Lease {
    const now = this.ctx.now();
    entry.accessCount += 1;
    entry.lastAccess = now;
    return { entry, model: entry.model as LoadedModel, grantedAt: now };
  }
}
