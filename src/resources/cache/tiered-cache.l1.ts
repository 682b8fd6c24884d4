/**
 * L1: the in-process lru-cache and the entry shape it holds. lru-cache is used directly (not
 * through cache-manager/Keyv) because the L1 hit is the hot path of the whole service; this
 * wrapper only owns construction and writes, and exposes the raw `lru` so reads stay direct.
 */
import { LRUCache } from 'lru-cache';
import { CacheCounters } from './tiered-cache.stats';

/**
 * One L1 entry. `value` is the JSON-normalised copy of what was stored (the same shape an L2
 * hit yields), shared by every caller that reads it: callers must not mutate it.
 */
export interface L1Entry {
  readonly value: unknown;
  /** Clock time the value turns stale; 0 = fresh until the entry expires (no grace). */
  readonly staleAt: number;
  /** Grace after `staleAt`, ms; the entry's L1 lifetime is fresh time + grace. */
  readonly graceMs: number;
  /** After a failed refresh, no new refresh starts before this clock time. */
  retryAt: number;
}

export interface L1Options {
  maxEntries: number;
  maxBytes: number;
  defaultTtlMs: number;
  now: () => number;
}

export class L1Store {
  readonly lru: LRUCache<string, L1Entry>;
  private readonly now: () => number;

  constructor(options: L1Options, counters: CacheCounters) {
    this.now = options.now;
    this.lru = new LRUCache<string, L1Entry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      ttl: options.defaultTtlMs,
      // No timer per entry: the periodic sweep purges expired entries in bulk.
      ttlAutopurge: false,
      perf: { now: options.now },
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') counters.evictions++;
        else if (reason === 'expire') counters.expired++;
      },
    });
  }

  /** Stores a value fresh for `freshMs`, then stale for `graceMs` (0: no grace, no clock read). */
  write(key: string, value: unknown, freshMs: number, graceMs: number, bytes: number): void {
    const ttl = Math.max(1, Math.round(freshMs + graceMs));
    const staleAt = graceMs > 0 ? Math.max(1, this.now() + freshMs) : 0;
    this.lru.set(key, { value, staleAt, graceMs, retryAt: 0 }, { ttl, size: Math.max(1, bytes) });
  }
}
