import { Cluster } from 'ioredis';
import { CacheRedis } from './cache.types';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/**
 * A Redis Cluster stand-in: two masters, each with its own keys, a SCAN per node (two pages, so
 * the cursor matters), and the cluster's rule that one UNLINK may not span hash slots.
 */
function fakeCluster() {
  const masters = [new Map<string, string>(), new Map<string, string>()].map((store) => {
    let rest: string[] = [];
    return {
      store,
      /** Two pages: the first half of the matching keys, then the others (as of the first call). */
      scan: jest.fn(async (cursor: string, _match: 'MATCH', pattern: string) => {
        if (cursor !== '0') return ['0', rest];
        const keys = [...store.keys()].filter((k) => k.startsWith(pattern.slice(0, -1)));
        rest = keys.slice(Math.ceil(keys.length / 2));
        return ['7', keys.slice(0, Math.ceil(keys.length / 2))];
      }),
    };
  });
  const client = Object.assign(Object.create(Cluster.prototype) as Cluster, {
    nodes: (role: string) => (role === 'master' ? masters : []),
    unlink: async (...keys: string[]) => {
      if (keys.length !== 1)
        throw new Error('CROSSSLOT Keys in request don’t hash to the same slot');
      return masters.filter((m) => m.store.delete(keys[0])).length;
    },
  });
  const redis = {
    enabled: true,
    available: true,
    key: (...parts: string[]) => `t:${parts.join(':')}`,
    run: async (fn: (c: Cluster) => Promise<unknown>) => fn(client),
    publish: async () => 0,
    subscribe: async () => async () => undefined,
  } as unknown as CacheRedis;
  return { masters, redis };
}

describe('TieredCache clear on a Redis Cluster', () => {
  it('scans every master page by page and unlinks key by key, leaving other namespaces', async () => {
    const { masters, redis } = fakeCluster();
    for (let n = 0; n < 3; n++) masters[0].store.set(`t:cache:a${n}`, '{"g":0,"v":1}');
    for (let n = 0; n < 2; n++) masters[1].store.set(`t:cache:b${n}`, '{"g":0,"v":1}');
    masters[1].store.set('t:other:x', 'keep');
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });

    await expect(cache.clear()).resolves.toEqual({ l1: 0, l2: 5 });
    expect(masters[0].store.size).toBe(0);
    expect([...masters[1].store.keys()]).toEqual(['t:other:x']);
    expect(masters[0].scan).toHaveBeenCalledTimes(2);
    expect(masters[1].scan).toHaveBeenCalledTimes(2);
    expect(cache.stats().l2.errors).toBe(0);
  });
});
