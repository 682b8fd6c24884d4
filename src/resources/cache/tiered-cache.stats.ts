/**
 * The counters behind `TieredCache.stats()`. One plain object with public fields, shared by the
 * cache's parts: incrementing a field is as cheap as the old private counters, which matters on
 * the L1 hit path.
 */
import { CacheL2Stats, CacheStats } from './cache.types';

/** What `stats()` reports about L1 besides the counters. */
export interface L1Snapshot {
  size: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
  ttlSeconds: number;
  namespace: string;
}

export class CacheCounters {
  hits = 0;
  misses = 0;
  evictions = 0;
  expired = 0;
  loads = 0;
  loadErrors = 0;
  coalesced = 0;
  graceHits = 0;
  timeouts = 0;
  sets = 0;
  deletes = 0;
  clears = 0;
  invalidationsReceived = 0;

  snapshot(l1: L1Snapshot, l2: CacheL2Stats): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      size: l1.size,
      max_size: l1.maxEntries,
      usage_percent: Math.round((l1.size / l1.maxEntries) * 1000) / 10,
      bytes: l1.bytes,
      max_bytes: l1.maxBytes,
      hits: this.hits,
      misses: this.misses,
      hit_rate: lookups === 0 ? 0 : Math.round((this.hits / lookups) * 10_000) / 10_000,
      evictions: this.evictions,
      expired: this.expired,
      ttl: l1.ttlSeconds,
      namespace: l1.namespace,
      loads: this.loads,
      load_errors: this.loadErrors,
      coalesced: this.coalesced,
      grace_hits: this.graceHits,
      timeouts: this.timeouts,
      sets: this.sets,
      deletes: this.deletes,
      clears: this.clears,
      invalidations_received: this.invalidationsReceived,
      l2,
    };
  }
}
