import { CacheRedis } from './cache.types';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/** An in-memory stand-in for the Redis pool: a key/value map and a pub/sub bus. */
function fakeBus(options: { failSubscribes?: number } = {}) {
  const handlers = new Map<string, Set<(message: string) => void>>();
  const store = new Map<string, string>();
  let failSubscribes = options.failSubscribes ?? 0;
  const client = {
    get: async (key: string) => store.get(key) ?? null,
    pttl: async (key: string) => (store.has(key) ? 60_000 : -2),
    set: async (key: string, value: string) => {
      store.set(key, value);
      return 'OK';
    },
    unlink: async (...keys: string[]) => keys.filter((k) => store.delete(k)).length,
    scan: async (_cursor: string, _match: 'MATCH', pattern: string) => [
      '0',
      [...store.keys()].filter((k) => k.startsWith(pattern.slice(0, -1))),
    ],
  };
  const subscribe = jest.fn(async (channel: string, handler: (message: string) => void) => {
    if (failSubscribes > 0) {
      failSubscribes--;
      throw new Error('redis is not initialised yet');
    }
    const set = handlers.get(channel) ?? new Set();
    set.add(handler);
    handlers.set(channel, set);
    return async () => void set.delete(handler);
  });
  const redis = {
    enabled: true,
    available: true,
    key: (...parts: string[]) => `t:${parts.join(':')}`,
    run: async (fn: (c: typeof client) => Promise<unknown>) => fn(client),
    publish: async (channel: string, message: string) => {
      const set = handlers.get(channel) ?? new Set();
      set.forEach((handler) => handler(message));
      return set.size;
    },
    subscribe,
  };
  return { redis: redis as unknown as CacheRedis, subscribe, store };
}

const channel = 't:cache:invalidate';

describe('TieredCache invalidation messages', () => {
  afterEach(() => jest.useRealTimers());

  it('evicts keys named by another instance, clears on `all`, ignores its own and malformed messages', async () => {
    const { redis } = fakeBus();
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    await cache.start();
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);

    await redis.publish(channel, JSON.stringify({ i: cache.instanceId, k: ['a'] }));
    await redis.publish(channel, 'not json');
    await redis.publish(channel, JSON.stringify({ i: 'other', k: [42] }));
    expect(cache.stats().size).toBe(3);

    await redis.publish(channel, JSON.stringify({ i: 'other', k: ['a'] }));
    expect(cache.stats().size).toBe(2);
    await redis.publish(channel, JSON.stringify({ i: 'other', all: true }));
    expect(cache.stats().size).toBe(0);
    expect(cache.stats().invalidations_received).toBe(3);
    await cache.close();
  });

  it('ignores messages that are not invalidations: null, non-objects, `all` not true, `k` not a list', async () => {
    const { redis } = fakeBus();
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    await cache.start();
    await cache.set('a', 1);
    await cache.set('b', 2);

    for (const message of [
      'null',
      '42',
      '"ab"',
      JSON.stringify({ i: 'other' }),
      JSON.stringify({ i: 'other', all: 1 }),
      JSON.stringify({ i: 'other', all: 'true' }),
      JSON.stringify({ i: 'other', k: 'ab' }),
      JSON.stringify({ i: 'other', k: { 0: 'a' } }),
    ]) {
      await expect(redis.publish(channel, message)).resolves.toBe(1);
    }
    expect(cache.stats()).toMatchObject({ size: 2, invalidations_received: 0 });
    await expect(cache.get('a')).resolves.toBe(1);
    await expect(cache.get('b')).resolves.toBe(2);
    await cache.close();
  });

  it('a remote delete during a load keeps the load’s result out of L1', async () => {
    const { redis } = fakeBus();
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    await cache.start();
    let finish!: (value: string) => void;
    const loading = cache.getOrSet('k', () => new Promise<string>((r) => (finish = r)));
    await new Promise((resolve) => setImmediate(resolve)); // past the L2 read, into the loader
    await redis.publish(channel, JSON.stringify({ i: 'other', k: ['k'] }));
    finish('stale');
    await expect(loading).resolves.toBe('stale');
    expect(cache.stats().size).toBe(0);
    await cache.close();
  });

  it('publishes deletes, writes and clears for the other instances', async () => {
    const { redis } = fakeBus();
    const one = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    const two = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    await Promise.all([one.start(), two.start()]);
    await one.set('k', 1);
    await expect(two.get('k')).resolves.toBe(1); // two has it in L1 now
    await one.del('k');
    expect(two.stats().size).toBe(0);
    await two.set('x', 1);
    await expect(one.clear()).resolves.toEqual({ l1: 0, l2: 1 });
    expect(two.stats().size).toBe(0);
    await Promise.all([one.close(), two.close()]);
  });

  it('retries the subscription in the background, soon at first', async () => {
    jest.useFakeTimers();
    const { redis, subscribe } = fakeBus({ failSubscribes: 2 });
    const logger = new RecordingLogger();
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger });
    await cache.start();
    expect(subscribe).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(subscribe).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(200);
    expect(subscribe).toHaveBeenCalledTimes(3);
    expect(logger.count('warn', 'cannot subscribe')).toBe(1);
    expect(logger.count('log', 'subscribed to cache invalidations')).toBe(1);

    await cache.set('a', 1);
    await redis.publish(channel, JSON.stringify({ i: 'other', k: ['a'] }));
    expect(cache.stats().size).toBe(0);
    await cache.close();
  });

  it('stops retrying after close', async () => {
    jest.useFakeTimers();
    const { redis, subscribe } = fakeBus({ failSubscribes: 100 });
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    await cache.start();
    await cache.close();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(subscribe).toHaveBeenCalledTimes(1);
  });
});
