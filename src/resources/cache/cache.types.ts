import type { Cluster, Redis } from 'ioredis';

/**
 * What the cache needs from the Redis pool. `RedisService` satisfies it; tests may pass any
 * object of this shape.
 */
export interface CacheRedis {
  /** Redis is configured. False: the cache is L1 only. */
  readonly enabled: boolean;
  /** Configured and connected right now. False: L2 is skipped without trying. */
  readonly available: boolean;
  /** A key under the pool's REDIS_KEY_PREFIX. */
  key(...parts: string[]): string;
  /** Runs one command (or a few) on a command connection. */
  run<T>(fn: (client: Redis | Cluster) => Promise<T>): Promise<T>;
  publish(channel: string, message: string): Promise<number>;
  /** Resolves to an unsubscribe function. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
}

/**
 * What the cache's disk tier needs from the file storage: named files with an expiry.
 * `StorageService` satisfies it; tests may pass any object of this shape. Used as L2 only
 * without Redis: one instance owns its folder, so nothing is shared or published.
 */
export interface CacheDisk {
  /** The data under `name`, or undefined when missing or expired. */
  read(name: string): Promise<Buffer | undefined>;
  /** Stores `data` atomically, expiring after `ttlS` seconds. Over the quota: a 507 error. */
  write(name: string, data: string, options: { ttlS?: number }): Promise<void>;
  /** True if there was a file. */
  delete(name: string): Promise<boolean>;
  /** The files that have not expired. */
  list(): { name: string }[];
}

/** Where the cache writes its few log lines (Nest's Logger fits). */
export interface CacheLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of the cross-instance recompute lease (a short `SET NX PX` in Redis). */
export interface LeaseOptions {
  /** Lifetime of the lease, ms: longer than the loader usually takes. Default 10000. */
  ttlMs?: number;
  /** How long an instance that did not get the lease waits for the value to appear in L2, ms; after that it runs the loader itself. Default 2000. */
  waitMs?: number;
  /** Interval between looks at L2 while waiting, ms. Default 50. */
  pollMs?: number;
}

/** Options of one write. */
export interface SetOptions {
  /** Lifetime of the fresh value, seconds (fractions allowed). Default CACHE_TTL. */
  ttl?: number;
  /**
   * Seconds the value is kept after it turns stale, to be served by `getOrSet` while one
   * refresh runs or when the loader fails. Default 0 (no grace).
   */
  grace?: number;
}

/** Options of `getOrSet`. */
export interface GetOrSetOptions extends SetOptions {
  /**
   * With a stale value at hand (grace): how long to wait for the refresh before answering with
   * the stale value, ms. Default 0: answer at once and refresh in the background.
   */
  softTimeoutMs?: number;
  /**
   * With no value at hand: fail with TimeoutAppError when the loader (or the wait for it) takes
   * longer than this, ms. The loader keeps running and its result is still cached. Default: none.
   */
  hardTimeoutMs?: number;
  /**
   * Take a short Redis lease so one instance computes a hot key while the others wait for it
   * to appear in L2. `true` uses the defaults. Default false. Ignored without L2.
   */
  lease?: boolean | LeaseOptions;
}

/** Options of the core cache. Every field has a default, so `new TieredCache()` works. */
export interface TieredCacheOptions {
  /** Most entries in L1. Default 10000 (CACHE_SIZE). */
  maxEntries?: number;
  /** Byte cap of L1, counted as the JSON length of the values. Default 64 MiB (CACHE_MAX_BYTES). */
  maxBytes?: number;
  /** Default lifetime, seconds. Default 3600 (CACHE_TTL). */
  ttlSeconds?: number;
  /** Largest single value, bytes of JSON. Default 1 MiB (CACHE_MAX_VALUE_BYTES). */
  maxValueBytes?: number;
  /** Namespace of keys in Redis and of invalidation messages. Default `cache` (CACHE_NAMESPACE). */
  namespace?: string;
  /** The L2 backend. Omitted or not `enabled`: the disk below, if given, else L1 only. */
  redis?: CacheRedis;
  /** The disk tier: L2 when `redis` is omitted or not `enabled` (a single instance's cache). */
  disk?: CacheDisk;
  /** Bound on each L2 call, ms. Default 2000 (REDIS_COMMAND_TIMEOUT_MS). */
  l2TimeoutMs?: number;
  /** Consecutive L2 failures that open the breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the open breaker skips L2 before a trial call, ms. Default 5000. */
  breakerHalfOpenMs?: number;
  /** Period of the expired-entry sweep started by `start()`, ms; 0 disables it. Default 60000. */
  sweepIntervalMs?: number;
  /** Pause between refresh attempts after a failed refresh while serving stale, ms. Default 5000. */
  graceBackoffMs?: number;
  /** Defaults for `lease: true`. */
  lease?: LeaseOptions;
  /** Clock in ms; monotonic by default. Tests leave it alone and use jest's fake timers. */
  now?: () => number;
  logger?: CacheLogger;
}

/** L2 counters and state, as the status page shows them. */
export type CacheL2Stats = {
  enabled: boolean;
  /** `redis`, `disk` (the file storage, without Redis), or `none` without L2. */
  backend: 'redis' | 'disk' | 'none';
  /** `up`, `down` (unreachable or breaker open) or `disabled`. */
  state: 'up' | 'down' | 'disabled';
  hits: number;
  misses: number;
  /** Failed L2 calls (timeouts, connection errors; disk writes refused by a full quota). */
  errors: number;
  /** L2 calls not attempted because Redis was unavailable or the breaker was open. */
  skipped: number;
  /** Times L2 went down. */
  outages: number;
  /** Breaker state: closed, open, half_open, isolated (spelled as the HTTP pool's circuits). */
  breaker: string;
};

/** Snapshot of the cache for `/resources/cache/status` and the monitoring module. */
export type CacheStats = {
  /** Entries in L1. */
  size: number;
  /** CACHE_SIZE. */
  max_size: number;
  /** size / max_size × 100, one decimal. */
  usage_percent: number;
  /** Bytes held in L1 (JSON length of the values). */
  bytes: number;
  /** CACHE_MAX_BYTES. */
  max_bytes: number;
  /** Lookups answered from L1 or L2 (stale answers under grace included). */
  hits: number;
  /** Lookups that found nothing fresh (each caller of a coalesced load counts). */
  misses: number;
  /** hits / (hits + misses), 0..1, four decimals; 0 before any lookup. */
  hit_rate: number;
  /** Entries pushed out of L1 by the entry or byte cap. */
  evictions: number;
  /** Entries dropped from L1 because they expired (on access or by the sweep). */
  expired: number;
  /** Default TTL, seconds (CACHE_TTL). */
  ttl: number;
  namespace: string;
  /** Loader runs. */
  loads: number;
  /** Loader runs that failed. */
  load_errors: number;
  /** Callers that joined a load (or L2 read) already running instead of starting their own. */
  coalesced: number;
  /** Stale values served under grace (refresh running, loader failed, soft timeout). */
  grace_hits: number;
  /** Calls failed by the hard timeout. */
  timeouts: number;
  sets: number;
  deletes: number;
  clears: number;
  /** Invalidations received from other instances. */
  invalidations_received: number;
  l2: CacheL2Stats;
};
