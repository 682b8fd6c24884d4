/**
 * TieredCache: the two-level cache's public API. The state and wiring live in
 * TieredCacheCore (tiered-cache.core.ts) and each concern in its own `tiered-cache.*.ts` file,
 * so each stays small enough to read whole. The L1 hit path stays inline in `get`/`getOrSet`
 * on purpose: it is the hottest code in the service and must not pay for an extra call.
 */
import { withTimeout } from '../../common/util/with-timeout';
import { assertValidKey, serializeValue } from './cache-value';
import { CacheStats, GetOrSetOptions, SetOptions } from './cache.types';
import { TieredCacheCore } from './tiered-cache.core';
import { L2_FAILED } from './tiered-cache.l2';
import { resolveLifetime, settleWithin } from './tiered-cache.util';

/**
 * The two-level cache, usable without Nest (`CacheService` wires it into the app).
 *
 * - **L1** is lru-cache used directly, not through cache-manager/Keyv: the L1 hit path is the
 *   hot path of the whole service, and cache-manager 7's `get` (Keyv underneath: hooks, stats,
 *   namespace and expiry checks, several awaits) measured ~0.2–0.25× of an awaited raw
 *   lru-cache get, while this path measured ~0.75–1.05× of it, ~3.5–4.5× cache-manager
 *   (bench/cache.bench.ts, Node 20, 2 cores).
 * - **L2** talks to the shared RedisService directly, not through a Keyv store: the Redis Keyv
 *   adapter is not installed, and the features that matter here (remaining TTL via PTTL for L1
 *   refills, SET NX PX leases, SCAN + UNLINK scoped to the namespace, the pool's subscriber
 *   for invalidation, per-call timeout + breaker) are each one command, which Keyv would hide
 *   rather than provide.
 * - Without Redis, L2 may be the file storage instead (`disk`, DiskL2Data): one instance's
 *   cache kept across restarts, with no invalidation to publish and no lease to take.
 * - Every miss is coalesced: concurrent `get`s share one L2 read, concurrent `getOrSet`s share
 *   one load (L2 read, optional lease, loader, write).
 * - L2 is best effort: a call that fails, times out or meets an open breaker returns "no L2"
 *   and the cache carries on from L1. Outages are logged once, recovery once.
 */
export class TieredCache extends TieredCacheCore {
  // ---- lifecycle -------------------------------------------------------------------------

  /**
   * Starts the background sweep and subscribes to invalidations. The cache serves before this
   * is called; `start()` after `close()` reopens it. Waits for the subscription at most the L2
   * timeout: Redis being down must not hold start-up hostage (it retries in the background).
   */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.sweepIntervalMs > 0 && !this.sweepHandle) {
      this.sweepHandle = setInterval(() => this.sweep(), this.sweepIntervalMs);
      this.sweepHandle.unref();
    }
    if (this.l2Enabled && !this.bus.subscribed) {
      await settleWithin(this.bus.subscribe(), this.l2.timeoutMs);
    }
  }

  /**
   * Stops the sweep and the subscription, lets L2 writes in flight land (each bounded by the L2
   * timeout), and empties L1. Later calls fail with ResourceUnavailableError until `start()`.
   */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.sweepHandle) clearInterval(this.sweepHandle);
    this.sweepHandle = undefined;
    this.bus.stopRetrying();
    await this.l2.settled();
    const unsubscribe = this.bus.takeUnsubscribe();
    if (unsubscribe) {
      await withTimeout(unsubscribe(), this.l2.timeoutMs, 'cache unsubscribe').catch(
        () => undefined,
      );
    }
    this.invalidateAllPending();
    this.l1.clear();
  }

  // ---- reads -----------------------------------------------------------------------------

  /**
   * The fresh value under `key`, or undefined. L1 first; on an L1 miss, L2 (the hit refills L1
   * with its remaining TTL). Concurrent misses on one key share one L2 read. Stale (grace)
   * values are not returned here; `getOrSet` serves them.
   */
  get<T = unknown>(key: string): Promise<T | undefined> {
    if (this.stopped) return Promise.reject(this.closedError());
    const entry = this.l1.get(key);
    if (entry !== undefined && (entry.staleAt === 0 || entry.staleAt > this.now())) {
      this.counters.hits++;
      return Promise.resolve(entry.value as T);
    }
    return this.reads.get<T>(key);
  }

  /**
   * The cached value under `key`, else the loader's result, cached with `options.ttl`.
   * However many callers miss at once, the loader runs once per key in this instance (and,
   * with `lease`, once across instances). With `grace`, a stale value is served while one
   * refresh runs, or when the loader fails; `softTimeoutMs` bounds the wait for a refresh
   * when a stale value is at hand; `hardTimeoutMs` fails a call that has none
   * (TimeoutAppError). A loader result that cannot be cached (see `set`) is returned
   * uncached, with a warning.
   */
  getOrSet<T>(
    key: string,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions = {},
  ): Promise<T> {
    if (this.stopped) return Promise.reject(this.closedError());
    const entry = this.l1.get(key);
    if (entry !== undefined && (entry.staleAt === 0 || entry.staleAt > this.now())) {
      this.counters.hits++;
      return Promise.resolve(entry.value as T);
    }
    return this.loads.getOrSet(key, loader, options, entry);
  }

  /** The fresh value under `key` with its remaining fresh time; does not count as a hit or miss. */
  async inspect(key: string): Promise<{ value: unknown; ttlRemainingMs: number } | undefined> {
    this.assertOpen();
    assertValidKey(key);
    const now = this.now();
    const entry = this.l1.get(key);
    if (entry !== undefined && (entry.staleAt === 0 || entry.staleAt > now)) {
      const remaining = entry.staleAt === 0 ? this.l1.getRemainingTTL(key) : entry.staleAt - now;
      return { value: entry.value, ttlRemainingMs: Math.max(0, remaining) };
    }
    if (!this.l2Enabled) return undefined;
    const hit = await this.reads.read(key);
    return hit?.fresh
      ? { value: hit.value, ttlRemainingMs: hit.physicalMs - hit.graceMs }
      : undefined;
  }

  // ---- writes ----------------------------------------------------------------------------

  /**
   * Stores `value` in L1 and L2 and tells other instances to drop their L1 copy. The value must
   * be JSON without loss (see serializeValue): otherwise InvalidInputError (400) or
   * PayloadTooLargeError (413), and nothing changes. L2 trouble is absorbed (counted, logged).
   */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    this.assertOpen();
    assertValidKey(key);
    const { ttlMs, graceMs } = resolveLifetime(options, this.defaultTtlMs);
    const { json, bytes } = serializeValue(value, this.maxValueBytes);
    this.counters.sets++;
    // A load in flight computed from older data: it must not overwrite this value.
    this.invalidatePending(key);
    this.l1Store.write(key, JSON.parse(json), ttlMs, graceMs, bytes);
    if (!this.l2Enabled) return;
    const written = await this.l2Data.write(key, json, ttlMs, graceMs);
    // Remembered before publishing: a publish that works is the recovery that replays it.
    if (!written) this.bus.remember([key]);
    // Publish after the write has landed, or a peer could re-read the old value from L2.
    await this.bus.publish([key]);
  }

  /** Removes `key` here, in L2 and in every instance's L1. True if it was present. */
  async del(key: string): Promise<boolean> {
    this.assertOpen();
    assertValidKey(key);
    this.counters.deletes++;
    this.invalidatePending(key);
    let existed = this.l1.delete(key);
    if (!this.l2Enabled) return existed;
    const removed = await this.l2Data.unlink(key);
    if (removed === L2_FAILED) this.bus.remember([key]);
    else existed ||= removed > 0;
    await this.bus.publish([key]);
    return existed;
  }

  /**
   * Empties L1 here and, through Redis, in every instance, and deletes this namespace's keys in
   * Redis (SCAN MATCH + UNLINK; other keys are never touched) or its files on the disk tier.
   * Returns the counts removed here. With L2 down the L2 part is retried when it is back.
   */
  async clear(): Promise<{ l1: number; l2: number }> {
    this.assertOpen();
    this.counters.clears++;
    const l1 = this.l1.size;
    this.invalidateAllPending();
    this.l1.clear();
    if (!this.l2Enabled) return { l1, l2: 0 };
    // Writes in flight must land before the scan, so the scan removes them too.
    await this.l2.settled();
    const l2 = await this.l2Data.clear();
    // Remembered before publishing: a publish that works is the recovery that replays it.
    if (l2 === L2_FAILED) this.bus.remember('all');
    await this.bus.publish('all');
    return { l1, l2: l2 === L2_FAILED ? 0 : l2 };
  }

  /** Drops expired L1 entries now (the background sweep calls this). Returns how many. */
  sweep(): number {
    const before = this.counters.expired;
    this.l1.purgeStale();
    return this.counters.expired - before;
  }

  // ---- stats -----------------------------------------------------------------------------

  stats(): CacheStats {
    return this.counters.snapshot(
      {
        size: this.l1.size,
        bytes: this.l1.calculatedSize,
        maxEntries: this.maxEntries,
        maxBytes: this.maxBytes,
        ttlSeconds: this.ttlSeconds,
        namespace: this.namespace,
      },
      this.l2.stats(),
    );
  }
}
