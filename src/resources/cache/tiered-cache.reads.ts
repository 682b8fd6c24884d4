/**
 * Coalesced L2 reads: concurrent L1 misses on one key share one GET + PTTL, and the hit refills
 * L1 with its remaining lifetime. Both `get` and the single-flight loads read through here, so
 * a key is never fetched twice at once by this instance (a load's read may carry its lease).
 */
import { assertValidKey } from './cache-value';
import { L2Hit, L2Store, LeaseClaim, LeasedRead } from './tiered-cache.l2-store';
import { L1Store } from './tiered-cache.l1';
import { CacheCounters } from './tiered-cache.stats';

/** A load or L2 read in flight, shared by every caller for the same key. */
export interface Pending<T> {
  promise: Promise<T>;
  /** Set by del/set/clear: the result must not be written to the cache. */
  invalidated: boolean;
  /** A stale value found in L2 on the way, served if the loader fails. */
  stale?: { value: unknown };
}

/**
 * Marks the call in flight for `key` invalidated (its result must not be cached) and forgets
 * it, so the next caller starts afresh instead of joining the outdated one.
 */
export function cancelPending<T>(inFlight: Map<string, Pending<T>>, key: string): void {
  const pending = inFlight.get(key);
  if (pending) {
    pending.invalidated = true;
    inFlight.delete(key);
  }
}

export function cancelAllPending<T>(inFlight: Map<string, Pending<T>>): void {
  for (const pending of inFlight.values()) pending.invalidated = true;
  inFlight.clear();
}

export class CoalescedReads {
  private readonly reads = new Map<string, Pending<L2Hit | undefined>>();

  constructor(
    private readonly data: L2Store,
    private readonly l1: L1Store,
    private readonly counters: CacheCounters,
    private readonly l2Enabled: boolean,
  ) {}

  /** `get` after an L1 miss: a fresh L2 value, counted as a hit, else a miss. */
  async get<T>(key: string): Promise<T | undefined> {
    assertValidKey(key);
    if (this.l2Enabled) {
      const hit = await this.read(key);
      if (hit?.fresh) {
        this.counters.hits++;
        return hit.value as T;
      }
    }
    this.counters.misses++;
    return undefined;
  }

  /** One L2 read per key at a time; a fresh hit refills L1, a stale one only an empty slot. */
  read(key: string): Promise<L2Hit | undefined> {
    return this.join(key) ?? this.share(key, this.data.fetch(key));
  }

  /**
   * `read` with a lease claim sent along, in one round trip where L2 can (Redis), so a miss
   * needs no second trip for the lease. Shared with concurrent readers like `read`; a caller
   * that joins a read already running gets `leased: undefined` and takes the lease itself.
   */
  async readAndLease(key: string, claim: LeaseClaim): Promise<LeasedRead> {
    const running = this.join(key);
    if (running || !this.data.fetchAndLease) return { hit: await (running ?? this.read(key)) };
    const reply = this.data.fetchAndLease(key, claim);
    const hit = await this.share(
      key,
      reply.then((r) => r.hit),
    );
    return { hit, leased: (await reply).leased };
  }

  /** A read in flight for `key` must not refill L1 with what it finds. */
  invalidate(key: string): void {
    cancelPending(this.reads, key);
  }

  invalidateAll(): void {
    cancelAllPending(this.reads);
  }

  /** The read in flight for `key`, if any, counted as a coalesced caller. */
  private join(key: string): Promise<L2Hit | undefined> | undefined {
    const running = this.reads.get(key);
    if (!running) return undefined;
    this.counters.coalesced++;
    return running.promise;
  }

  /** Makes `fetched` the key's read in flight, refilling L1 with what it finds. */
  private share(key: string, fetched: Promise<L2Hit | undefined>): Promise<L2Hit | undefined> {
    const pending = { invalidated: false } as Pending<L2Hit | undefined>;
    pending.promise = fetched.then((hit) => {
      if (this.reads.get(key) === pending) this.reads.delete(key);
      if (hit && !pending.invalidated && (hit.fresh || !this.l1.lru.has(key))) {
        this.l1.write(key, hit.value, hit.physicalMs - hit.graceMs, hit.graceMs, hit.bytes);
      }
      return hit;
    });
    this.reads.set(key, pending);
    return pending.promise;
  }
}
