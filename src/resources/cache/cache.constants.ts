/** Name of the managed resource, as the registry, health checks and status pages show it. */
export const CACHE_RESOURCE_NAME = 'cache';

/** Longest cache key, characters. */
export const MAX_KEY_LENGTH = 256;

/**
 * Characters a cache key may use: letters, digits and `. _ : @ = + -`. No spaces, slashes or
 * glob characters, so a key is safe in a URL path segment, a log line and a Redis key, and can
 * never widen a SCAN pattern. Free text (user input, argument lists) goes through `hashKey()`.
 */
export const KEY_PATTERN = /^[A-Za-z0-9._:@=+-]{1,256}$/;

/** Deepest nesting of objects and arrays a value may have (the top level counts as 1). */
export const MAX_VALUE_DEPTH = 32;

/** Longest TTL a caller may ask for, seconds (30 days). */
export const MAX_TTL_SECONDS = 30 * 24 * 3600;

/** Period of the background sweep of expired L1 entries, ms. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** Consecutive L2 failures that open the breaker (L2 is then skipped). */
export const DEFAULT_BREAKER_THRESHOLD = 5;

/** How long an open breaker skips L2 before one trial call, ms. */
export const DEFAULT_BREAKER_HALF_OPEN_MS = 5_000;

/** After a refresh fails while a stale value is served, wait this long before the next try, ms. */
export const DEFAULT_GRACE_BACKOFF_MS = 5_000;

/** Lease (cross-instance recompute lock) defaults, ms. */
export const DEFAULT_LEASE_TTL_MS = 10_000;
export const DEFAULT_LEASE_WAIT_MS = 2_000;
export const DEFAULT_LEASE_POLL_MS = 50;

/** Most keys remembered for re-publishing after an outage before falling back to a full clear. */
export const MAX_PENDING_INVALIDATIONS = 1_000;

/** Keys per SCAN page and per UNLINK call when clearing the namespace in Redis. */
export const CLEAR_SCAN_COUNT = 500;

/** Name of the sweep interval in @nestjs/schedule's SchedulerRegistry. */
export const SWEEP_INTERVAL_NAME = 'cache.sweep';

/** Metadata key set by `@Cached()`. */
export const CACHED_METADATA = 'captions:cache:cached';
