/**
 * Single-flight `getOrSet` after an L1 miss or stale hit: one load per key in this instance
 * (L2 read, optional lease, loader, write), shared by every caller, plus the grace logic that
 * serves a stale value while a refresh runs or when it fails, and the soft/hard timeouts.
 * Kept apart from TieredCache so the cache core only routes; all waiting lives here.
 */
import { TimeoutAppError } from '../../common/errors/app-errors';
import { assertValidKey, serializeValue } from './cache-value';
import { GetOrSetOptions, LeaseOptions } from './cache.types';
import { L1Entry, L1Store } from './tiered-cache.l1';
import { L2Store, LeaseClaim } from './tiered-cache.l2-store';
import { Leases } from './tiered-cache.lease';
import { CoalescedReads, Pending, cancelAllPending, cancelPending } from './tiered-cache.reads';
import { CacheCounters } from './tiered-cache.stats';
import { Lifetime, Settled, messageOf, resolveLifetime, settleWithin } from './tiered-cache.util';

interface LoadResult {
  value: unknown;
  source: 'l2' | 'loader';
}

export interface LoadSettings {
  l2Enabled: boolean;
  defaultTtlMs: number;
  graceBackoffMs: number;
  maxValueBytes: number;
  leaseDefaults: Required<LeaseOptions>;
  now: () => number;
  warnOnce: (message: string) => void;
}

export class SingleFlightLoads {
  private readonly loads = new Map<string, Pending<LoadResult>>();

  constructor(
    private readonly settings: LoadSettings,
    private readonly l1: L1Store,
    private readonly reads: CoalescedReads,
    private readonly data: L2Store,
    private readonly leases: Leases,
    private readonly counters: CacheCounters,
  ) {}

  /** `getOrSet` once L1 had no fresh value; `stale` is the L1 entry in grace, if any. */
  async getOrSet<T>(
    key: string,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions,
    stale: L1Entry | undefined,
  ): Promise<T> {
    assertValidKey(key);
    const lifetime = resolveLifetime(options, this.settings.defaultTtlMs);
    if (stale !== undefined && stale.retryAt > this.settings.now()) {
      // A refresh failed a moment ago: serve stale without calling the loader again yet.
      return this.serveStale(stale.value) as T;
    }
    let load = this.loads.get(key);
    if (load !== undefined) this.counters.coalesced++;
    else load = this.start(key, loader, options, lifetime, stale);

    if (stale !== undefined) {
      const softMs = options.softTimeoutMs ?? 0;
      if (softMs <= 0) return this.serveStale(stale.value) as T;
      const outcome = await settleWithin(load.promise, softMs);
      if (outcome.status === 'ok') return this.countLoaded(outcome.value) as T;
      return this.serveStale(stale.value) as T;
    }

    const hardMs = options.hardTimeoutMs;
    const outcome =
      hardMs !== undefined && hardMs > 0
        ? await settleWithin(load.promise, hardMs)
        : await load.promise.then(
            (value): Settled<LoadResult> => ({ status: 'ok', value }),
            (error: unknown): Settled<LoadResult> => ({ status: 'error', error }),
          );
    if (outcome.status === 'ok') return this.countLoaded(outcome.value) as T;
    if (load.stale) return this.serveStale(load.stale.value) as T;
    this.counters.misses++;
    if (outcome.status === 'error') throw outcome.error;
    this.counters.timeouts++;
    throw new TimeoutAppError(`cache load did not finish within ${hardMs} ms`);
  }

  /** A load in flight for `key` computed from older data: its result must not be cached. */
  invalidate(key: string): void {
    cancelPending(this.loads, key);
  }

  invalidateAll(): void {
    cancelAllPending(this.loads);
  }

  private serveStale(value: unknown): unknown {
    this.counters.hits++;
    this.counters.graceHits++;
    return value;
  }

  private countLoaded(result: LoadResult): unknown {
    if (result.source === 'l2') this.counters.hits++;
    else this.counters.misses++;
    return result.value;
  }

  private start(
    key: string,
    loader: () => unknown,
    options: GetOrSetOptions,
    lifetime: Lifetime,
    stale: L1Entry | undefined,
  ): Pending<LoadResult> {
    const pending = { invalidated: false } as Pending<LoadResult>;
    pending.promise = this.run(key, loader, options, lifetime, pending, stale).finally(() => {
      if (this.loads.get(key) === pending) this.loads.delete(key);
    });
    // Every waiter handles a failure; this only keeps a load whose waiters all left (soft or
    // hard timeout) from becoming an unhandled rejection.
    pending.promise.catch(() => undefined);
    this.loads.set(key, pending);
    return pending;
  }

  private async run(
    key: string,
    loader: () => unknown,
    options: GetOrSetOptions,
    { ttlMs, graceMs }: Lifetime,
    pending: Pending<LoadResult>,
    stale: L1Entry | undefined,
  ): Promise<LoadResult> {
    const { l2Enabled } = this.settings;
    let lease: LeaseClaim | undefined;
    if (l2Enabled) {
      const found = await this.consultL2(key, options, pending, stale);
      if ('value' in found) return { value: found.value, source: 'l2' };
      lease = found.lease;
    }
    this.counters.loads++;
    let value: unknown;
    try {
      value = await loader();
    } catch (error) {
      this.counters.loadErrors++;
      if (stale) stale.retryAt = this.settings.now() + this.settings.graceBackoffMs;
      if (lease) void this.leases.release(lease);
      throw error;
    }
    let serialized: { json: string; bytes: number };
    try {
      serialized = serializeValue(value, this.settings.maxValueBytes);
    } catch (error) {
      // undefined is how loaders say "nothing": not an error worth a log line.
      if (value !== undefined) {
        this.settings.warnOnce(`not caching a loader result: ${messageOf(error)}`);
      }
      if (lease) void this.leases.release(lease);
      return { value, source: 'loader' };
    }
    // Callers get the same JSON-normalised shape a later hit returns.
    const stored: unknown = JSON.parse(serialized.json);
    if (pending.invalidated) {
      if (lease) void this.leases.release(lease);
      return { value: stored, source: 'loader' };
    }
    this.l1.write(key, stored, ttlMs, graceMs, serialized.bytes);
    if (l2Enabled) {
      // Not awaited: callers have their value; waiters on the lease see it once it lands. The
      // lease is released behind the value, in the same round trip.
      void this.data.write(key, serialized.json, ttlMs, graceMs, lease);
    }
    return { value: stored, source: 'loader' };
  }

  /**
   * The L2 read, and with `lease` the lease, taken in the read's round trip: a fresh value
   * found in L2, or what to load under (our lease, or none: no lease asked, Redis failed, or
   * the wait for another holder's value ran out).
   */
  private async consultL2(
    key: string,
    options: GetOrSetOptions,
    pending: Pending<LoadResult>,
    stale: L1Entry | undefined,
  ): Promise<{ value: unknown } | { lease?: LeaseClaim }> {
    const leaseOptions = this.leaseOptionsOf(options);
    const attempt = leaseOptions && this.leases.claim(key, leaseOptions);
    // Another instance may have refreshed the key since our L1 copy was made.
    const { hit, leased } = attempt
      ? await this.reads.readAndLease(key, attempt)
      : { hit: await this.reads.read(key), leased: undefined };
    if (hit?.fresh) {
      // Rare: another instance stored it since our L1 missed. The lease sent along is not needed.
      if (attempt && leased) void this.leases.release(attempt);
      return { value: hit.value };
    }
    if (hit && !stale) pending.stale = { value: hit.value };
    if (!leaseOptions) return {};
    if (attempt && leased) return { lease: attempt };
    if (attempt && leased === false) {
      return this.leases.waitForHolder(key, attempt, leaseOptions, pending);
    }
    // Not asked along with the read (it joined one running, or the read failed): ask now.
    return this.leases.acquire(key, leaseOptions, pending, attempt);
  }

  private leaseOptionsOf({ lease }: GetOrSetOptions): Required<LeaseOptions> | undefined {
    if (!lease) return undefined;
    const { leaseDefaults } = this.settings;
    return lease === true ? leaseDefaults : { ...leaseDefaults, ...lease };
  }
}
