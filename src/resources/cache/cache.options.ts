/** How the shared cache is set up (built from the validated configuration in one place). */
export interface CacheOptions {
  /** Most entries in the in-process level (L1). */
  maxEntries: number;
  /** Byte cap of L1, counted as the JSON length of the values. */
  maxBytes: number;
  /** Default entry lifetime, seconds (the unit of the cache's `ttl` options). */
  ttlSeconds: number;
  /** Largest single value, bytes of JSON; a larger one is refused (413 at the API). */
  maxValueBytes: number;
  /** Namespace of the cache's keys in Redis and of its invalidation messages. */
  namespace: string;
  /** Bound on each call to the second level, ms. */
  l2TimeoutMs: number;
}
