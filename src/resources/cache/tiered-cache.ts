import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import { Cluster } from 'ioredis';
import { LRUCache } from 'lru-cache';
import {
  InvalidInputError,
  ResourceUnavailableError,
  TimeoutAppError,
} from '../../common/errors/app-errors';
import { withTimeout } from '../../common/util/with-timeout';
import {
  CACHE_RESOURCE_NAME,
  CLEAR_SCAN_COUNT,
  DEFAULT_BREAKER_HALF_OPEN_MS,
  DEFAULT_BREAKER_THRESHOLD,
  DEFAULT_GRACE_BACKOFF_MS,
  DEFAULT_LEASE_POLL_MS,
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_LEASE_WAIT_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
  MAX_PENDING_INVALIDATIONS,
  MAX_TTL_SECONDS,
} from './cache.constants';
import { assertValidKey, serializeValue } from './cache-value';
import {
  CacheLogger,
  CacheRedis,
  CacheStats,
  GetOrSetOptions,
  LeaseOptions,
  SetOptions,
  TieredCacheOptions,
} from './cache.types';

/**
 * One L1 entry. `value` is the JSON-normalised copy of what was stored (the same shape an L2
 * hit yields), shared by every caller that reads it: callers must not mutate it.
 */
interface L1Entry {
  readonly value: unknown;
  /** Clock time the value turns stale; 0 = fresh until the entry expires (no grace). */
  readonly staleAt: number;
  /** Grace after `staleAt`, ms; the entry's L1 lifetime is fresh time + grace. */
  readonly graceMs: number;
  /** After a failed refresh, no new refresh starts before this clock time. */
  retryAt: number;
}

/** A value found in L2. */
interface L2Hit {
  value: unknown;
  /** Remaining lifetime in Redis (PTTL), ms, grace included. */
  physicalMs: number;
  graceMs: number;
  fresh: boolean;
  /** Size for L1's byte cap. */
  bytes: number;
}

/** A load or L2 read in flight, shared by every caller for the same key. */
interface Pending<T> {
  promise: Promise<T>;
  /** Set by del/set/clear: the result must not be written to the cache. */
  invalidated: boolean;
  /** A stale value found in L2 on the way, served if the loader fails. */
  stale?: { value: unknown };
}

interface LoadResult {
  value: unknown;
  source: 'l2' | 'loader';
}

type Settled<T> =
  { status: 'ok'; value: T } | { status: 'error'; error: unknown } | { status: 'timeout' };

/** Returned by `l2()` instead of throwing: the caller carries on without L2. */
const L2_FAILED = Symbol('l2-failed');
type L2Failed = typeof L2_FAILED;

/** Deletes the lease only if it is still ours (it may have expired and been taken by another instance). */
const RELEASE_LEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A monotonic clock in ms that reads performance.now() at most once per millisecond (a read
 * costs ~100 ns on the reference machine, as much as the rest of an L1 hit; lru-cache caches
 * its clock the same way). The +1 matters: lru-cache reads an entry start time of 0 as "no
 * TTL", and performance.now() is exactly 0 when jest's fake clock starts.
 */
function coarseMonotonicClock(): () => number {
  let cached = 0;
  const forget = () => {
    cached = 0;
  };
  return () => {
    if (cached !== 0) return cached;
    cached = performance.now() + 1;
    setTimeout(forget, 1).unref();
    return cached;
  };
}

const BREAKER_STATES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** Longest pause between attempts to subscribe to invalidations, ms. */
const SUBSCRIBE_RETRY_MAX_MS = 5_000;

/** Distinct warnings remembered by warnOnce, so a recurring one is logged a single time. */
const MAX_REMEMBERED_WARNINGS = 100;

/** Escapes glob characters so a key prefix matches only itself in SCAN MATCH. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Resolves (never rejects) with the outcome of `promise`, or `timeout` after `ms`. */
function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: 'timeout' }), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ status: 'ok', value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ status: 'error', error });
      },
    );
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

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
 * - Every miss is coalesced: concurrent `get`s share one L2 read, concurrent `getOrSet`s share
 *   one load (L2 read, optional lease, loader, write).
 * - L2 is best effort: a call that fails, times out or meets an open breaker returns "no L2"
 *   and the cache carries on from L1. Outages are logged once, recovery once.
 */
export class TieredCache {
  /** Identifies this instance in invalidation messages, so it ignores its own. */
  readonly instanceId = randomUUID();
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttlSeconds: number;
  readonly maxValueBytes: number;
  readonly namespace: string;

  private readonly l1: LRUCache<string, L1Entry>;
  private readonly redis?: CacheRedis;
  private readonly now: () => number;
  private readonly logger: CacheLogger;
  private readonly defaultTtlMs: number;
  private readonly l2TimeoutMs: number;
  private readonly graceBackoffMs: number;
  private readonly sweepIntervalMs: number;
  private readonly leaseDefaults: Required<LeaseOptions>;
  private readonly breaker: CircuitBreakerPolicy;
  /** `key(namespace, k)` is `keyBase + k`; SCAN MATCH uses `keyBase*`. */
  private readonly keyBase: string = '';
  private readonly channel: string = '';

  private readonly loads = new Map<string, Pending<LoadResult>>();
  private readonly reads = new Map<string, Pending<L2Hit | undefined>>();
  /** The tail of each key's chain of L2 writes and deletes, which keeps them in order. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Invalidations that could not be published (or applied to L2) during an outage. */
  private pendingInvalidations: Set<string> | 'all' = new Set();

  private stopped = false;
  private l2Down = false;
  private sweepHandle?: NodeJS.Timeout;
  private subscribeRetry?: NodeJS.Timeout;
  private subscribing?: Promise<void>;
  private unsubscribe?: () => Promise<void>;
  /** Failed subscription attempts in a row (0: subscribed or never tried). */
  private subscribeFailures = 0;
  private leaseSeq = 0;
  private readonly warned = new Set<string>();

  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expired = 0;
  private loadCount = 0;
  private loadErrors = 0;
  private coalesced = 0;
  private graceHits = 0;
  private timeouts = 0;
  private sets = 0;
  private deletes = 0;
  private clears = 0;
  private invalidationsReceived = 0;
  private readonly l2Counts = { hits: 0, misses: 0, errors: 0, skipped: 0, outages: 0 };

  constructor(options: TieredCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.ttlSeconds = options.ttlSeconds ?? 3600;
    // A value bigger than the whole L1 could never be held there.
    this.maxValueBytes = Math.min(options.maxValueBytes ?? 1024 * 1024, this.maxBytes);
    this.namespace = options.namespace ?? 'cache';
    this.now = options.now ?? coarseMonotonicClock();
    this.logger = options.logger ?? new Logger('Cache');
    this.defaultTtlMs = Math.max(1, Math.round(this.ttlSeconds * 1000));
    this.l2TimeoutMs = options.l2TimeoutMs ?? 2000;
    this.graceBackoffMs = options.graceBackoffMs ?? DEFAULT_GRACE_BACKOFF_MS;
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.leaseDefaults = {
      ttlMs: options.lease?.ttlMs ?? DEFAULT_LEASE_TTL_MS,
      waitMs: options.lease?.waitMs ?? DEFAULT_LEASE_WAIT_MS,
      pollMs: options.lease?.pollMs ?? DEFAULT_LEASE_POLL_MS,
    };
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.breakerHalfOpenMs ?? DEFAULT_BREAKER_HALF_OPEN_MS,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? DEFAULT_BREAKER_THRESHOLD),
    });

    const clock = this.now;
    this.l1 = new LRUCache<string, L1Entry>({
      max: this.maxEntries,
      maxSize: this.maxBytes,
      ttl: this.defaultTtlMs,
      // No timer per entry: the periodic sweep purges expired entries in bulk.
      ttlAutopurge: false,
      perf: { now: clock },
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evictions++;
        else if (reason === 'expire') this.expired++;
      },
    });

    if (options.redis?.enabled) {
      this.redis = options.redis;
      const probe = this.redis.key(this.namespace, 'x');
      this.keyBase = probe.slice(0, -1);
      // SCAN MATCH `keyBase*` must never reach another namespace: the base has to end with a
      // separator that namespaces cannot contain, and key() has to be plain concatenation.
      if (
        this.redis.key(this.namespace, 'a:b') !== `${this.keyBase}a:b` ||
        /[\w-]$/.test(this.keyBase)
      ) {
        throw new Error(
          `cache: unexpected Redis key layout "${probe}"; cannot scope keys to the namespace`,
        );
      }
      this.channel = this.redis.key(this.namespace, 'invalidate');
    }
  }

  /** True when Redis is configured as L2. */
  get l2Enabled(): boolean {
    return this.redis !== undefined;
  }

  /** L2 reachable now: `up`, `down`, or `disabled` without Redis. */
  get l2State(): 'up' | 'down' | 'disabled' {
    if (!this.redis) return 'disabled';
    return this.l2Down || this.breaker.state !== CircuitState.Closed ? 'down' : 'up';
  }

  /** True after `close()`, until `start()`. */
  get closed(): boolean {
    return this.stopped;
  }

  /** The sweep's interval handle while started (CacheService registers it with SchedulerRegistry). */
  get sweepTimer(): NodeJS.Timeout | undefined {
    return this.sweepHandle;
  }

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
    if (this.redis && !this.unsubscribe) {
      await settleWithin(this.subscribeInvalidations(), this.l2TimeoutMs);
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
    if (this.subscribeRetry) clearTimeout(this.subscribeRetry);
    this.sweepHandle = undefined;
    this.subscribeRetry = undefined;
    await Promise.all(this.writes.values());
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    if (unsubscribe) {
      await withTimeout(unsubscribe(), this.l2TimeoutMs, 'cache unsubscribe').catch(
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
      this.hits++;
      return Promise.resolve(entry.value as T);
    }
    return this.getFromL2<T>(key);
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
      this.hits++;
      return Promise.resolve(entry.value as T);
    }
    return this.getOrSetSlow(key, loader, options, entry);
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
    if (!this.redis) return undefined;
    const hit = await this.readL2(key);
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
    const { ttlMs, graceMs } = this.lifetime(options);
    const { json, bytes } = serializeValue(value, this.maxValueBytes);
    this.sets++;
    // A load in flight computed from older data: it must not overwrite this value.
    this.invalidatePending(key);
    this.writeL1(key, JSON.parse(json), ttlMs, graceMs, bytes);
    if (!this.redis) return;
    const written = await this.writeL2(key, json, ttlMs, graceMs);
    // Publish after the write has landed, or a peer could re-read the old value from L2.
    await this.publishInvalidation([key]);
    if (!written) this.rememberInvalidation([key]);
  }

  /** Removes `key` here, in L2 and in every instance's L1. True if it was present. */
  async del(key: string): Promise<boolean> {
    this.assertOpen();
    assertValidKey(key);
    this.deletes++;
    this.invalidatePending(key);
    let existed = this.l1.delete(key);
    if (!this.redis) return existed;
    const removed = await this.enqueueL2(key, () =>
      this.l2('unlink', (redis) => redis.run((c) => c.unlink(this.keyBase + key))),
    );
    if (removed === L2_FAILED) this.rememberInvalidation([key]);
    else existed ||= removed > 0;
    await this.publishInvalidation([key]);
    return existed;
  }

  /**
   * Empties L1 here and, through Redis, in every instance, and deletes this namespace's keys in
   * Redis (SCAN MATCH + UNLINK; other keys are never touched). Returns the counts removed here.
   * With Redis down the L2 part is retried when it is back.
   */
  async clear(): Promise<{ l1: number; l2: number }> {
    this.assertOpen();
    this.clears++;
    const l1 = this.l1.size;
    this.invalidateAllPending();
    this.l1.clear();
    if (!this.redis) return { l1, l2: 0 };
    // Writes in flight must land before the scan, so the scan removes them too.
    await Promise.all(this.writes.values());
    const l2 = await this.clearL2();
    await this.publishInvalidation('all');
    if (l2 === L2_FAILED) {
      this.rememberInvalidation('all');
      return { l1, l2: 0 };
    }
    return { l1, l2 };
  }

  /** Drops expired L1 entries now (the background sweep calls this). Returns how many. */
  sweep(): number {
    const before = this.expired;
    this.l1.purgeStale();
    return this.expired - before;
  }

  // ---- stats -----------------------------------------------------------------------------

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      size: this.l1.size,
      max_size: this.maxEntries,
      usage_percent: Math.round((this.l1.size / this.maxEntries) * 1000) / 10,
      bytes: this.l1.calculatedSize,
      max_bytes: this.maxBytes,
      hits: this.hits,
      misses: this.misses,
      hit_rate: lookups === 0 ? 0 : Math.round((this.hits / lookups) * 10_000) / 10_000,
      evictions: this.evictions,
      expired: this.expired,
      ttl: this.ttlSeconds,
      namespace: this.namespace,
      loads: this.loadCount,
      load_errors: this.loadErrors,
      coalesced: this.coalesced,
      grace_hits: this.graceHits,
      timeouts: this.timeouts,
      sets: this.sets,
      deletes: this.deletes,
      clears: this.clears,
      invalidations_received: this.invalidationsReceived,
      l2: {
        enabled: this.l2Enabled,
        backend: this.redis ? 'redis' : 'none',
        state: this.l2State,
        ...this.l2Counts,
        breaker: BREAKER_STATES[this.breaker.state],
      },
    };
  }

  // ---- internals: reads ------------------------------------------------------------------

  private async getFromL2<T>(key: string): Promise<T | undefined> {
    assertValidKey(key);
    if (this.redis) {
      const hit = await this.readL2(key);
      if (hit?.fresh) {
        this.hits++;
        return hit.value as T;
      }
    }
    this.misses++;
    return undefined;
  }

  private async getOrSetSlow<T>(
    key: string,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions,
    stale: L1Entry | undefined,
  ): Promise<T> {
    assertValidKey(key);
    const lifetime = this.lifetime(options);
    if (stale !== undefined && stale.retryAt > this.now()) {
      // A refresh failed a moment ago: serve stale without calling the loader again yet.
      return this.serveStale(stale.value) as T;
    }
    let load = this.loads.get(key);
    if (load !== undefined) this.coalesced++;
    else load = this.startLoad(key, loader, options, lifetime, stale);

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
    this.misses++;
    if (outcome.status === 'error') throw outcome.error;
    this.timeouts++;
    throw new TimeoutAppError(`cache load did not finish within ${hardMs} ms`);
  }

  private serveStale(value: unknown): unknown {
    this.hits++;
    this.graceHits++;
    return value;
  }

  private countLoaded(result: LoadResult): unknown {
    if (result.source === 'l2') this.hits++;
    else this.misses++;
    return result.value;
  }

  private startLoad(
    key: string,
    loader: () => unknown,
    options: GetOrSetOptions,
    lifetime: { ttlMs: number; graceMs: number },
    stale: L1Entry | undefined,
  ): Pending<LoadResult> {
    const pending = { invalidated: false } as Pending<LoadResult>;
    pending.promise = this.runLoad(key, loader, options, lifetime, pending, stale).finally(() => {
      if (this.loads.get(key) === pending) this.loads.delete(key);
    });
    // Every waiter handles a failure; this only keeps a load whose waiters all left (soft or
    // hard timeout) from becoming an unhandled rejection.
    pending.promise.catch(() => undefined);
    this.loads.set(key, pending);
    return pending;
  }

  private async runLoad(
    key: string,
    loader: () => unknown,
    options: GetOrSetOptions,
    { ttlMs, graceMs }: { ttlMs: number; graceMs: number },
    pending: Pending<LoadResult>,
    stale: L1Entry | undefined,
  ): Promise<LoadResult> {
    let leaseToken: string | undefined;
    if (this.redis) {
      // Another instance may have refreshed the key since our L1 copy was made.
      const hit = await this.readL2(key);
      if (hit?.fresh) return { value: hit.value, source: 'l2' };
      if (hit && !stale) pending.stale = { value: hit.value };
      if (options.lease) {
        const lease = await this.acquireLease(
          key,
          options.lease === true ? this.leaseDefaults : { ...this.leaseDefaults, ...options.lease },
          pending,
        );
        if ('value' in lease) return { value: lease.value, source: 'l2' };
        leaseToken = lease.token;
      }
    }
    this.loadCount++;
    let value: unknown;
    try {
      value = await loader();
    } catch (error) {
      this.loadErrors++;
      if (stale) stale.retryAt = this.now() + this.graceBackoffMs;
      if (leaseToken) void this.releaseLease(key, leaseToken);
      throw error;
    }
    let serialized: { json: string; bytes: number };
    try {
      serialized = serializeValue(value, this.maxValueBytes);
    } catch (error) {
      // undefined is how loaders say "nothing": not an error worth a log line.
      if (value !== undefined) this.warnOnce(`not caching a loader result: ${messageOf(error)}`);
      if (leaseToken) void this.releaseLease(key, leaseToken);
      return { value, source: 'loader' };
    }
    // Callers get the same JSON-normalised shape a later hit returns.
    const stored: unknown = JSON.parse(serialized.json);
    if (pending.invalidated) {
      if (leaseToken) void this.releaseLease(key, leaseToken);
      return { value: stored, source: 'loader' };
    }
    this.writeL1(key, stored, ttlMs, graceMs, serialized.bytes);
    if (this.redis) {
      // Not awaited: callers have their value; waiters on the lease see it once it lands.
      const token = leaseToken;
      void this.writeL2(key, serialized.json, ttlMs, graceMs).then(() => {
        if (token) return this.releaseLease(key, token);
      });
    }
    return { value: stored, source: 'loader' };
  }

  /** One L2 read per key at a time; a fresh hit refills L1, a stale one only an empty slot. */
  private readL2(key: string): Promise<L2Hit | undefined> {
    const running = this.reads.get(key);
    if (running) {
      this.coalesced++;
      return running.promise;
    }
    const pending = { invalidated: false } as Pending<L2Hit | undefined>;
    pending.promise = this.fetchL2(key).then((hit) => {
      if (this.reads.get(key) === pending) this.reads.delete(key);
      if (hit && !pending.invalidated && (hit.fresh || !this.l1.has(key))) {
        this.writeL1(key, hit.value, hit.physicalMs - hit.graceMs, hit.graceMs, hit.bytes);
      }
      return hit;
    });
    this.reads.set(key, pending);
    return pending.promise;
  }

  private async fetchL2(key: string): Promise<L2Hit | undefined> {
    const redisKey = this.keyBase + key;
    const reply = await this.l2('get', (redis) =>
      redis.run((c) => Promise.all([c.get(redisKey), c.pttl(redisKey)])),
    );
    if (reply === L2_FAILED) return undefined;
    const [raw, pttl] = reply;
    const envelope = raw === null || pttl === -2 ? undefined : this.parseEnvelope(raw);
    if (raw === null || envelope === undefined) {
      this.l2Counts.misses++;
      return undefined;
    }
    this.l2Counts.hits++;
    // -1: the key has no expiry (written by hand): treat it as written now with the default TTL.
    const physicalMs = pttl < 0 ? this.defaultTtlMs + envelope.g : pttl;
    return {
      value: envelope.v,
      physicalMs,
      graceMs: envelope.g,
      fresh: physicalMs > envelope.g,
      bytes: Buffer.byteLength(raw, 'utf8'),
    };
  }

  private parseEnvelope(raw: string): { v: unknown; g: number } | undefined {
    try {
      const parsed = JSON.parse(raw) as { v?: unknown; g?: unknown };
      if (parsed && typeof parsed === 'object' && 'v' in parsed && typeof parsed.g === 'number') {
        return { v: parsed.v, g: parsed.g };
      }
    } catch {
      // not ours or damaged: a miss
    }
    return undefined;
  }

  // ---- internals: writes -----------------------------------------------------------------

  private writeL1(key: string, value: unknown, freshMs: number, graceMs: number, bytes: number) {
    const ttl = Math.max(1, Math.round(freshMs + graceMs));
    const staleAt = graceMs > 0 ? Math.max(1, this.now() + freshMs) : 0;
    this.l1.set(key, { value, staleAt, graceMs, retryAt: 0 }, { ttl, size: Math.max(1, bytes) });
  }

  /** Writes the envelope `{"g":graceMs,"v":value}` with PX = fresh + grace. True if it landed. */
  private async writeL2(key: string, json: string, ttlMs: number, graceMs: number) {
    const redisKey = this.keyBase + key;
    const envelope = `{"g":${graceMs},"v":${json}}`;
    const result = await this.enqueueL2(key, () =>
      this.l2('set', (redis) => redis.run((c) => c.set(redisKey, envelope, 'PX', ttlMs + graceMs))),
    );
    if (result === L2_FAILED) return false;
    // This write supersedes a delete of the key that could not reach Redis earlier.
    if (this.pendingInvalidations !== 'all') this.pendingInvalidations.delete(key);
    return true;
  }

  /**
   * Chains L2 mutations per key: the pool hands out connections in turn, so two commands for
   * one key could otherwise overtake each other (a late SET resurrecting a deleted key).
   */
  private enqueueL2<T>(key: string, op: () => Promise<T>): Promise<T> {
    const previous = this.writes.get(key);
    const result = previous ? previous.then(op) : op();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.writes.set(key, tail);
    void tail.then(() => {
      if (this.writes.get(key) === tail) this.writes.delete(key);
    });
    return result;
  }

  private async clearL2(): Promise<number | L2Failed> {
    const pattern = `${escapeGlob(this.keyBase)}*`;
    const nodes = await this.l2('nodes', (redis) =>
      redis.run(async (c) => (c instanceof Cluster ? c.nodes('master') : [null])),
    );
    if (nodes === L2_FAILED) return L2_FAILED;
    let removed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const page = await this.l2('scan', (redis) =>
          node
            ? node.scan(cursor, 'MATCH', pattern, 'COUNT', CLEAR_SCAN_COUNT)
            : redis.run((c) => c.scan(cursor, 'MATCH', pattern, 'COUNT', CLEAR_SCAN_COUNT)),
        );
        if (page === L2_FAILED) return L2_FAILED;
        const [next, keys] = page;
        cursor = next;
        if (keys.length === 0) continue;
        // In a cluster one UNLINK may not span hash slots: unlink key by key (auto-pipelined).
        const count = await this.l2('unlink', (redis) =>
          redis.run((c) =>
            node
              ? Promise.all(keys.map((k) => c.unlink(k))).then((n) => n.reduce((a, b) => a + b, 0))
              : c.unlink(...keys),
          ),
        );
        if (count === L2_FAILED) return L2_FAILED;
        removed += count;
      } while (cursor !== '0');
    }
    return removed;
  }

  // ---- internals: lease ------------------------------------------------------------------

  /**
   * Takes the lease (SET NX PX) or, when another instance holds it, polls L2 for the value it
   * computes. Gives up waiting after `waitMs` (or when L2 fails) and lets the caller compute.
   */
  private async acquireLease(
    key: string,
    options: Required<LeaseOptions>,
    pending: Pending<LoadResult>,
  ): Promise<{ value: unknown } | { token?: string }> {
    const leaseKey = `${this.keyBase}!lease:${key}`;
    const token = `${this.instanceId}:${++this.leaseSeq}`;
    const deadline = this.now() + options.waitMs;
    for (;;) {
      const taken = await this.l2('lease', (redis) =>
        redis.run((c) => c.set(leaseKey, token, 'PX', options.ttlMs, 'NX')),
      );
      if (taken === 'OK') return { token };
      if (taken === L2_FAILED || pending.invalidated || this.now() >= deadline) return {};
      await delay(options.pollMs);
      const hit = await this.readL2(key);
      if (hit?.fresh) return { value: hit.value };
    }
  }

  private async releaseLease(key: string, token: string): Promise<void> {
    const leaseKey = `${this.keyBase}!lease:${key}`;
    await this.l2('release', (redis) =>
      redis.run((c) => c.eval(RELEASE_LEASE_SCRIPT, 1, leaseKey, token)),
    );
  }

  // ---- internals: invalidation -----------------------------------------------------------

  private invalidatePending(key: string): void {
    const load = this.loads.get(key);
    if (load) {
      load.invalidated = true;
      this.loads.delete(key);
    }
    const read = this.reads.get(key);
    if (read) {
      read.invalidated = true;
      this.reads.delete(key);
    }
  }

  private invalidateAllPending(): void {
    for (const pending of this.loads.values()) pending.invalidated = true;
    for (const pending of this.reads.values()) pending.invalidated = true;
    this.loads.clear();
    this.reads.clear();
  }

  private async publishInvalidation(keys: string[] | 'all'): Promise<void> {
    const message = JSON.stringify(
      keys === 'all' ? { i: this.instanceId, all: true } : { i: this.instanceId, k: keys },
    );
    const sent = await this.l2('publish', (redis) => redis.publish(this.channel, message));
    if (sent === L2_FAILED) this.rememberInvalidation(keys);
  }

  /** Remembers what other instances missed, to be applied and published when Redis is back. */
  private rememberInvalidation(keys: string[] | 'all'): void {
    if (keys === 'all' || this.pendingInvalidations === 'all') {
      this.pendingInvalidations = 'all';
      return;
    }
    for (const key of keys) this.pendingInvalidations.add(key);
    if (this.pendingInvalidations.size > MAX_PENDING_INVALIDATIONS) {
      this.pendingInvalidations = 'all';
    }
  }

  private async replayInvalidations(): Promise<void> {
    const pending = this.pendingInvalidations;
    if (pending !== 'all' && pending.size === 0) return;
    this.pendingInvalidations = new Set();
    this.logger.log(
      `re-applying ${pending === 'all' ? 'a clear' : `${pending.size} deletes`} missed during the Redis outage`,
    );
    if (pending === 'all') {
      const removed = await this.clearL2();
      if (removed === L2_FAILED) return this.rememberInvalidation('all');
      return this.publishInvalidation('all');
    }
    const keys = [...pending];
    for (const key of keys) {
      const removed = await this.enqueueL2(key, () =>
        this.l2('unlink', (redis) => redis.run((c) => c.unlink(this.keyBase + key))),
      );
      if (removed === L2_FAILED) return this.rememberInvalidation(keys);
    }
    await this.publishInvalidation(keys);
  }

  private onInvalidation(raw: string): void {
    let message: { i?: unknown; all?: unknown; k?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (!message || typeof message !== 'object' || message.i === this.instanceId) return;
    if (message.all === true) {
      this.invalidationsReceived++;
      this.invalidateAllPending();
      this.l1.clear();
    } else if (Array.isArray(message.k)) {
      this.invalidationsReceived++;
      for (const key of message.k) {
        if (typeof key !== 'string') continue;
        this.invalidatePending(key);
        this.l1.delete(key);
      }
    }
  }

  private subscribeInvalidations(): Promise<void> {
    const redis = this.redis;
    if (!redis) return Promise.resolve();
    this.subscribing ??= redis
      .subscribe(this.channel, (message) => this.onInvalidation(message))
      .then(
        (unsubscribe) => {
          this.subscribing = undefined;
          if (this.stopped) return void unsubscribe().catch(() => undefined);
          this.unsubscribe = unsubscribe;
          if (this.subscribeFailures > 0) this.logger.log('subscribed to cache invalidations');
          this.subscribeFailures = 0;
        },
        (error: unknown) => {
          this.subscribing = undefined;
          if (this.stopped) return;
          if (this.subscribeFailures === 0) {
            this.logger.warn(
              `cannot subscribe to cache invalidations (${messageOf(error)}); retrying in the background`,
            );
          }
          // Soon at first (the Redis pool may simply not be initialised yet), then every 5 s.
          const retryMs = Math.min(100 * 2 ** this.subscribeFailures, SUBSCRIBE_RETRY_MAX_MS);
          this.subscribeFailures++;
          this.subscribeRetry = setTimeout(() => void this.subscribeInvalidations(), retryMs);
          this.subscribeRetry.unref();
        },
      );
    return this.subscribing;
  }

  // ---- internals: L2 guard ---------------------------------------------------------------

  /**
   * Runs one L2 call: skipped while Redis is unavailable or the breaker is open, bounded by
   * the L2 timeout, counted. Never throws: returns L2_FAILED and the caller goes on from L1.
   */
  private async l2<T>(
    what: string,
    call: (redis: CacheRedis) => Promise<T>,
  ): Promise<T | L2Failed> {
    const redis = this.redis;
    if (!redis) return L2_FAILED;
    if (!redis.available) {
      this.l2Counts.skipped++;
      this.noteL2Down('Redis is not connected');
      return L2_FAILED;
    }
    try {
      const result = await this.breaker.execute(() =>
        withTimeout(call(redis), this.l2TimeoutMs, `cache L2 ${what}`),
      );
      this.noteL2Up();
      return result;
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.l2Counts.skipped++;
        return L2_FAILED;
      }
      this.l2Counts.errors++;
      this.noteL2Down(`${what} failed: ${messageOf(error)}`);
      return L2_FAILED;
    }
  }

  private noteL2Down(reason: string): void {
    if (this.l2Down) return;
    this.l2Down = true;
    this.l2Counts.outages++;
    this.logger.warn(`L2 (Redis) unavailable: ${reason}; serving from the in-process cache`);
  }

  private noteL2Up(): void {
    if (!this.l2Down) return;
    this.l2Down = false;
    this.logger.log('L2 (Redis) is back; the cache uses it again');
    void this.replayInvalidations();
  }

  // ---- internals: checks -----------------------------------------------------------------

  private lifetime(options: SetOptions): { ttlMs: number; graceMs: number } {
    const { ttl, grace } = options;
    if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0 && ttl <= MAX_TTL_SECONDS)) {
      throw new InvalidInputError(`ttl must be more than 0 and at most ${MAX_TTL_SECONDS} seconds`);
    }
    if (
      grace !== undefined &&
      !(Number.isFinite(grace) && grace >= 0 && grace <= MAX_TTL_SECONDS)
    ) {
      throw new InvalidInputError(`grace must be 0 to ${MAX_TTL_SECONDS} seconds`);
    }
    return {
      ttlMs: ttl === undefined ? this.defaultTtlMs : Math.max(1, Math.round(ttl * 1000)),
      graceMs: grace === undefined ? 0 : Math.round(grace * 1000),
    };
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message) || this.warned.size >= MAX_REMEMBERED_WARNINGS) return;
    this.warned.add(message);
    this.logger.warn(message);
  }

  private assertOpen(): void {
    if (this.stopped) throw this.closedError();
  }

  private closedError(): ResourceUnavailableError {
    return new ResourceUnavailableError(CACHE_RESOURCE_NAME, 'is shut down');
  }
}
