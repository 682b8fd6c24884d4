import { LRUCache } from 'lru-cache';
import type { WindowState } from './rate-limit.plugin';
import type { RateLimitRule } from './rate-limits';

/**
 * Leased allowances: how an instance counts a shared window without a Redis round trip per hit.
 *
 * The shared counter (a Redis key per limit and client) hands an instance a *slice* of a client's
 * window in one atomic call, never more than the window has left; the instance then serves that
 * many hits from memory and asks again only when the slice is used up, or the window has ended.
 *
 * Bounds, per client and window, for a fleet of N instances with slice S:
 * - Over-admission: none. The counter never grants past the limit, and a slice dies with its
 *   window (its local end is taken from the clock before the request was sent, so it is never
 *   later than the counter's own), so the fleet admits at most the limit — tighter than the
 *   N × S over the limit that leasing without a cap would allow.
 * - Under-admission: a slice leased by one instance and left unused there (the client moved to
 *   other instances, or the lease was evicted from memory) is lost for that window, not handed
 *   back: a client can be refused after limit − (N − 1) × (S − 1) hits at worst, and only when it
 *   stops reaching the instances holding the rest.
 * - Headers: `RateLimit-Remaining` is this instance's view as of its last lease (other
 *   instances' hits since then show at its next lease).
 *
 * Small limits (under 2 × LEASE_SHARE) lease one hit at a time, which is exactly one counter
 * call per hit as before; so does the failed-admin-authentication limit, whatever its size.
 *
 * Written here rather than taken from a library: @fastify/rate-limit's stores (and the Redis
 * stores written for it) make one call per hit, and no maintained store leases. The store keeps
 * the plugin's store interface (rate-limit.store.ts); the service does the rest (keys, headers'
 * figures, fail open).
 */

/** A slice is about this share of the limit: 1/10. */
const LEASE_SHARE = 10;
/** Largest slice: keeps the remaining count other instances see fresh under huge limits. */
const MAX_SLICE = 1000;
/** Clients whose lease an instance keeps per limit; the least recently seen is dropped first. */
export const LEASES_KEPT = 10_000;

/** The hits an instance leases at a time for a limit. */
export function leaseSlice(rule: RateLimitRule): number {
  // Failed admin authentications stay exact: rare, and a guessing budget should not stretch.
  if (rule.name === 'admin_failures') return 1;
  return Math.min(MAX_SLICE, Math.max(1, Math.floor(rule.max / LEASE_SHARE)));
}

/** What the shared counter answers to a lease request. */
export interface LeaseGrant {
  /** Hits handed to this instance: 0 when the window is used up. */
  granted: number;
  /** The window's count once granted, every instance's leases included. */
  total: number;
  /** ms left in the window, as the counter saw it (0: no window). */
  ttl: number;
}

/** Asks the shared counter for up to `slice` hits of `key`'s window (one atomic call). */
export type LeaseSource = (
  key: string,
  slice: number,
  max: number,
  windowMs: number,
) => Promise<LeaseGrant>;

/** One client's slice on this instance. */
interface Lease {
  /** Hits of the slice not used yet. */
  left: number;
  /** The window's count as this instance knows it: the grant's total less what is still left. */
  counted: number;
  /** When the window ends on the local clock (never after the counter's own end). */
  endsAt: number;
  /** The counter refused: the window was used up when asked. */
  full: boolean;
}

/** The leases of one limit on one instance, and the lease requests in flight. */
export class LeasedWindows {
  private readonly leases = new LRUCache<string, Lease>({ max: LEASES_KEPT });
  /** One lease request per client at a time: concurrent hits wait for it rather than pile up. */
  private readonly asking = new Map<string, Promise<Lease>>();

  constructor(
    private readonly source: LeaseSource,
    private readonly slice: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit from the client's live slice, without any I/O; undefined when there is none. */
  hitLocally(key: string): WindowState | undefined {
    const lease = this.liveLease(key);
    return lease && lease.left > 0 ? this.use(lease) : undefined;
  }

  /**
   * Counts a hit, leasing a new slice when needed. A hit refused by the counter asks again each
   * time (the counter decides, so a counter that is down lets it through: fail open).
   */
  async hit(key: string, max: number, windowMs: number): Promise<WindowState> {
    for (;;) {
      const local = this.hitLocally(key);
      if (local) return local;
      const lease = await (this.asking.get(key) ?? this.ask(key, max, windowMs));
      if (lease.left > 0) return this.use(lease);
      // A refusal answers every hit that waited for it; a slice others used up means ask again.
      if (lease.full) return { current: lease.counted + 1, ttl: this.ttlOf(lease) };
    }
  }

  private ask(key: string, max: number, windowMs: number): Promise<Lease> {
    const askedAt = this.now();
    const lease = this.source(key, this.slice, max, windowMs)
      .then((grant) => {
        const fresh: Lease = {
          left: grant.granted,
          counted: grant.total - grant.granted,
          endsAt: askedAt + grant.ttl,
          full: grant.granted === 0,
        };
        this.leases.set(key, fresh);
        return fresh;
      })
      .finally(() => this.asking.delete(key));
    this.asking.set(key, lease);
    return lease;
  }

  private liveLease(key: string): Lease | undefined {
    const lease = this.leases.get(key);
    if (lease && lease.endsAt <= this.now()) {
      this.leases.delete(key);
      return undefined;
    }
    return lease;
  }

  private use(lease: Lease): WindowState {
    lease.left -= 1;
    lease.counted += 1;
    return { current: lease.counted, ttl: this.ttlOf(lease) };
  }

  /** At least 1 ms: a 0 means "no window" to the service (no headers, no lockout). */
  private ttlOf(lease: Lease): number {
    return Math.max(1, lease.endsAt - this.now());
  }
}
