/**
 * Unloading and making room: carries out the eviction policy's choices, counts evictions by
 * reason, and waits (bounded by the queue timeout) for loads or uses holding the room. Apart
 * from the loads so that manual, idle, shutdown and budget unloads all go one way.
 */
import { InsufficientStorageError, TimeoutAppError } from '../../common/errors/app-errors';
import { round } from '../../common/util/round';
import { planRoom, planTrim } from './eviction-policy';
import { ModelEntry } from './model-entry';
import { PoolContext } from './model-pool.context';
import { EvictionReason } from './model-pool.types';
import { describe, noop } from './model-pool.util';
import { withDeadline } from '../../common/util/with-timeout';

export class Evictor {
  readonly counts: Record<EvictionReason, number> = {
    count: 0,
    memory: 0,
    idle: 0,
    manual: 0,
  };

  constructor(private readonly ctx: PoolContext) {}

  /** Marks the model `unloading` now; unloads it once its leases end. */
  evict(entry: ModelEntry, reason: EvictionReason | 'shutdown'): Promise<void> {
    if (entry.unloading) return entry.unloading;
    entry.state = 'unloading';
    if (reason !== 'shutdown') this.counts[reason] += 1;
    this.ctx.logger.log(`unloading model ${entry.name} (${reason})`);
    entry.unloading = (async () => {
      await entry.drained();
      try {
        await entry.model?.unload();
      } catch (error) {
        entry.errors += 1;
        entry.lastError = `unload: ${describe(error)}`;
        this.ctx.logger.warn(`unloading model ${entry.name} failed: ${describe(error)}`);
      }
      entry.model = undefined;
      entry.memoryMb = 0;
      entry.loadedAt = undefined;
      entry.state = 'unloaded';
    })().finally(() => {
      entry.unloading = undefined;
    });
    return entry.unloading;
  }

  /**
   * Makes room for `entry` and charges its estimate against the budget. Victims are the least
   * recently used loaded models, idle ones first; a leased victim is unloaded only after its
   * lease ends. When only other loads in progress hold the room, waits for one to finish and
   * plans again. Fails fast (507) when the model can never fit.
   */
  async makeRoom(entry: ModelEntry, estimateMb: number): Promise<void> {
    const ctx = this.ctx;
    const { memoryLimitMb, cacheSize } = ctx.options;
    if (estimateMb > memoryLimitMb) {
      throw new InsufficientStorageError(
        `model ${entry.name} needs about ${estimateMb} MB, more than the ${memoryLimitMb} MB memory limit (MODEL_MEMORY_LIMIT_MB)`,
      );
    }
    const deadline = ctx.now() + ctx.queueTimeoutMs;
    for (;;) {
      const victims = planRoom(ctx.all(), entry, estimateMb, ctx.options);
      if (victims) {
        for (const [victim, reason] of victims) void this.evict(victim, reason);
        entry.reserved = true;
        entry.memoryMb = estimateMb;
        break;
      }
      const inFlight = ctx
        .all()
        .filter((e) => e !== entry && e.state === 'loading' && e.reserved && e.loading)
        .map((e) => (e.loading as Promise<void>).catch(noop));
      const left = deadline - ctx.now();
      const cannotFit = () =>
        new InsufficientStorageError(
          `model ${entry.name} (about ${estimateMb} MB) does not fit: ${ctx.memoryUsedMb()} of ${memoryLimitMb} MB and ${ctx.slotsUsed()} of ${cacheSize} models are taken by models loading or in use`,
        );
      if (inFlight.length === 0 || left <= 0) throw cannotFit();
      await withDeadline(Promise.race(inFlight), left, cannotFit);
      ctx.assertOpen();
    }
    // Victims (and earlier evictions) free their memory when their leases end: wait for that
    // before loading, so the process never holds both at once.
    const unloading = ctx
      .all()
      .flatMap((e) => (e.state === 'unloading' && e.unloading ? [e.unloading] : []));
    if (
      unloading.length > 0 &&
      (ctx.memoryUsedMb() > memoryLimitMb || ctx.slotsUsed(true) > cacheSize)
    ) {
      const left = Math.max(0, deadline - ctx.now());
      try {
        await withDeadline(
          Promise.all(unloading),
          left,
          () =>
            new TimeoutAppError(
              `model ${entry.name}: models in use did not finish within ${ctx.queueTimeoutMs} ms to make room`,
            ),
        );
      } catch (error) {
        entry.reserved = false;
        entry.memoryMb = 0;
        throw error;
      }
      ctx.assertOpen();
    }
  }

  /** After a load measured more than estimated: evict idle LRU models until under budget. */
  trimAfterLoad(loaded: ModelEntry): void {
    const limit = this.ctx.options.memoryLimitMb;
    const { victims, usedMb } = planTrim(this.ctx.all(), loaded, limit);
    for (const victim of victims) void this.evict(victim, 'memory');
    if (usedMb > limit) {
      this.ctx.logger.warn(
        `model ${loaded.name} measured ${loaded.memoryMb} MB: ${round(usedMb, 1)} MB in use, over the ${limit} MB limit until models in use are released`,
      );
    }
  }
}
