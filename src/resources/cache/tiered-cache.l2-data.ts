/**
 * What the cache stores in Redis and how: the `{"g":graceMs,"v":value}` envelope read with its
 * remaining PTTL, written with PX = fresh + grace, deleted per key, or cleared per namespace
 * with SCAN + UNLINK. Each is one guarded call on L2Client, so none of them throws. A lease of
 * `getOrSet({ lease })` can ride along with a read or a write (see tiered-cache.lease.ts). The
 * disk tier's counterpart is DiskL2Data (tiered-cache.disk-data.ts).
 */
import { Cluster } from 'ioredis';
import { CLEAR_SCAN_COUNT } from './cache.constants';
import { L2_FAILED, L2Client, L2Failed } from './tiered-cache.l2';
import { L2Hit, L2Store, LeaseClaim, LeasedRead } from './tiered-cache.l2-store';
import { readAndClaim, writeAndRelease } from './tiered-cache.lease';
import { escapeGlob } from './tiered-cache.util';

/** L2 in Redis. */
export class L2Data implements L2Store {
  /**
   * @param onWritten called when a write landed: it supersedes a delete of the key that could
   *   not reach Redis earlier (the invalidation bus forgets it).
   */
  constructor(
    private readonly l2: L2Client,
    private readonly defaultTtlMs: number,
    private readonly onWritten: (key: string) => void,
  ) {}

  async fetch(key: string): Promise<L2Hit | undefined> {
    const redisKey = this.l2.keyBase + key;
    const reply = await this.l2.call('get', (redis) =>
      redis.run((c) => Promise.all([c.get(redisKey), c.pttl(redisKey)])),
    );
    if (reply === L2_FAILED) return undefined;
    return this.toHit(reply[0], reply[1]);
  }

  /** `fetch` and the lease's SET NX PX in one round trip (see readAndClaim). */
  async fetchAndLease(key: string, claim: LeaseClaim): Promise<LeasedRead> {
    const redisKey = this.l2.keyBase + key;
    const reply = await this.l2.call('get', (redis) =>
      redis.run((c) => readAndClaim(c, redisKey, claim)),
    );
    if (reply === L2_FAILED) return { hit: undefined };
    return { hit: this.toHit(reply.raw, reply.pttl), leased: reply.leased };
  }

  /**
   * Writes the envelope `{"g":graceMs,"v":value}` with PX = fresh + grace, then releases
   * `release` in the same round trip (see writeAndRelease). True if the value landed.
   */
  async write(
    key: string,
    json: string,
    ttlMs: number,
    graceMs: number,
    release?: LeaseClaim,
  ): Promise<boolean> {
    const redisKey = this.l2.keyBase + key;
    const envelope = `{"g":${graceMs},"v":${json}}`;
    const physicalMs = ttlMs + graceMs;
    const result = await this.l2.enqueue(key, () =>
      this.l2.call('set', (redis) =>
        redis.run<unknown>((c) =>
          release
            ? writeAndRelease(c, redisKey, envelope, physicalMs, release)
            : c.set(redisKey, envelope, 'PX', physicalMs),
        ),
      ),
    );
    if (result === L2_FAILED) return false;
    this.onWritten(key);
    return true;
  }

  /**
   * UNLINKs one key, in order with the key's other mutations. `stillWanted`, asked when the
   * UNLINK's turn comes, can call it off (0 keys removed): a write queued before it superseded it.
   */
  unlink(key: string, stillWanted: () => boolean = () => true): Promise<number | L2Failed> {
    return this.l2.enqueue(key, async () => {
      if (!stillWanted()) return 0;
      return this.l2.call('unlink', (redis) => redis.run((c) => c.unlink(this.l2.keyBase + key)));
    });
  }

  /**
   * Deletes this namespace's keys on every master; other keys are never touched. `spare(key)`,
   * asked per page just before its UNLINK, keeps a key (a write that superseded a replayed clear).
   */
  async clear(spare: (key: string) => boolean = () => false): Promise<number | L2Failed> {
    const pattern = `${escapeGlob(this.l2.keyBase)}*`;
    const nodes = await this.l2.call('nodes', (redis) =>
      redis.run(async (c) => (c instanceof Cluster ? c.nodes('master') : [null])),
    );
    if (nodes === L2_FAILED) return L2_FAILED;
    let removed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const page = await this.l2.call('scan', (redis) =>
          node
            ? node.scan(cursor, 'MATCH', pattern, 'COUNT', CLEAR_SCAN_COUNT)
            : redis.run((c) => c.scan(cursor, 'MATCH', pattern, 'COUNT', CLEAR_SCAN_COUNT)),
        );
        if (page === L2_FAILED) return L2_FAILED;
        const [next, found] = page;
        cursor = next;
        const keys = found.filter((k) => !spare(k.slice(this.l2.keyBase.length)));
        if (keys.length === 0) continue;
        // In a cluster one UNLINK may not span hash slots: unlink key by key (auto-pipelined).
        const count = await this.l2.call('unlink', (redis) =>
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
  /** The hit in a GET + PTTL answer, counted as an L2 hit or miss. */
  private toHit(raw: string | null, pttl: number): L2Hit | undefined {
    const envelope = raw === null || pttl === -2 ? undefined : parseEnvelope(raw);
    if (raw === null || envelope === undefined) {
      this.l2.counts.misses++;
      return undefined;
    }
    this.l2.counts.hits++;
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
}

function parseEnvelope(raw: string): { v: unknown; g: number } | undefined {
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
