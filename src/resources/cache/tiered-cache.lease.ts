/**
 * The cross-instance lease for `getOrSet({ lease })`: one instance takes a short Redis lock
 * (SET NX PX) and computes, the others poll L2 for its result. Best effort like all of L2: when
 * Redis fails or the wait runs out, the caller computes itself.
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { LeaseOptions } from './cache.types';
import { L2_FAILED, L2Client } from './tiered-cache.l2';
import { L2Hit } from './tiered-cache.l2-store';
import { delay } from './tiered-cache.util';

/** Deletes the lease only if it is still ours (it may have expired and been taken by another instance). */
const RELEASE_LEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RELEASE_LEASE_SHA = createHash('sha1').update(RELEASE_LEASE_SCRIPT).digest('hex');

/**
 * Runs the release script by its SHA1 (EVALSHA), so the script text is not sent with every
 * release; a Redis node that does not hold it yet (a restart, SCRIPT FLUSH, another cluster
 * node) answers NOSCRIPT, and one EVAL then runs it and caches it there.
 * @returns 1 when the lease was ours and is deleted, 0 otherwise.
 */
export async function releaseLease(
  client: Redis | Cluster,
  leaseKey: string,
  token: string,
): Promise<unknown> {
  try {
    return await client.evalsha(RELEASE_LEASE_SHA, 1, leaseKey, token);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return client.eval(RELEASE_LEASE_SCRIPT, 1, leaseKey, token);
  }
}

export class Leases {
  private seq = 0;

  /**
   * @param instanceId makes tokens unique across instances.
   * @param readL2 the cache's coalesced L2 read, used to poll for the holder's value.
   */
  constructor(
    private readonly l2: L2Client,
    private readonly instanceId: string,
    private readonly now: () => number,
    private readonly readL2: (key: string) => Promise<L2Hit | undefined>,
  ) {}

  /**
   * Takes the lease (SET NX PX) or, when another instance holds it, polls L2 for the value it
   * computes. Gives up waiting after `waitMs` (or when L2 fails, or the load was invalidated)
   * and lets the caller compute.
   */
  async acquire(
    key: string,
    options: Required<LeaseOptions>,
    load: { readonly invalidated: boolean },
  ): Promise<{ value: unknown } | { token?: string }> {
    // Without Redis (the disk tier) there is one instance: its local single flight suffices.
    if (!this.l2.redis) return {};
    const leaseKey = `${this.l2.keyBase}!lease:${key}`;
    const token = `${this.instanceId}:${++this.seq}`;
    const deadline = this.now() + options.waitMs;
    for (;;) {
      const taken = await this.l2.call('lease', (redis) =>
        redis.run((c) => c.set(leaseKey, token, 'PX', options.ttlMs, 'NX')),
      );
      if (taken === 'OK') return { token };
      if (taken === L2_FAILED || load.invalidated || this.now() >= deadline) return {};
      await delay(options.pollMs);
      const hit = await this.readL2(key);
      if (hit?.fresh) return { value: hit.value };
    }
  }

  async release(key: string, token: string): Promise<void> {
    const leaseKey = `${this.l2.keyBase}!lease:${key}`;
    await this.l2.call('release', (redis) => redis.run((c) => releaseLease(c, leaseKey, token)));
  }
}
