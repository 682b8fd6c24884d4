/**
 * The seam between the cache and its second level: what the coalesced reads, the single-flight
 * loads and the invalidation replay ask of L2. Redis (L2Data) and the disk (DiskL2Data)
 * implement it, each through the L2Client guard, so no call here ever throws.
 */
import { L2Failed } from './tiered-cache.l2';

/** A value found in L2. */
export interface L2Hit {
  value: unknown;
  /** Remaining lifetime in L2, ms, grace included. */
  physicalMs: number;
  graceMs: number;
  fresh: boolean;
  /** Size for L1's byte cap. */
  bytes: number;
}

/** A lease taken or released along with an L2 call (Redis only: the disk tier has no leases). */
export interface LeaseClaim {
  /** The lease's own Redis key (not the value's). */
  redisKey: string;
  /** Ours: the release deletes the lease only while it still holds this. */
  token: string;
  ttlMs: number;
}

/** An L2 read sent with a lease claim. */
export interface LeasedRead {
  hit: L2Hit | undefined;
  /** True: the lease is ours; false: another instance holds it; undefined: not known. */
  leased?: boolean;
}

export interface L2Store {
  /** The entry under `key` with its remaining lifetime, or undefined (missing, expired, failed). */
  fetch(key: string): Promise<L2Hit | undefined>;
  /**
   * `fetch` and the lease's SET NX PX in one round trip (Redis). `leased` is undefined when the
   * call failed: the caller then asks for the lease on its own, as after a plain failed read.
   */
  fetchAndLease?(key: string, claim: LeaseClaim): Promise<LeasedRead>;
  /**
   * Stores the value for fresh + grace, in order with the key's other mutations. True when L2
   * holds nothing older than it now; false when a failure may have left an older value there
   * (the cache remembers the key and deletes it once L2 answers again). `release`, a lease
   * held for this value, is released behind the write, in the same round trip on Redis.
   */
  write(
    key: string,
    json: string,
    ttlMs: number,
    graceMs: number,
    release?: LeaseClaim,
  ): Promise<boolean>;
  /**
   * Removes one key, in order with its other mutations; `stillWanted`, asked when its turn
   * comes, can call it off (0 removed). Resolves to the count removed.
   */
  unlink(key: string, stillWanted?: () => boolean): Promise<number | L2Failed>;
  /** Removes this namespace's entries, except those `spare(key)` keeps. Resolves to the count. */
  clear(spare?: (key: string) => boolean): Promise<number | L2Failed>;
}
