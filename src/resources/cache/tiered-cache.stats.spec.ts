import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/** Every counter of `stats()`, after a known sequence of calls. */
describe('TieredCache stats counters', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reports 0 % hit rate before any lookup, and rounds usage and hit rate', async () => {
    const cache = new TieredCache({
      maxEntries: 3,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    expect(cache.stats()).toMatchObject({ hit_rate: 0, usage_percent: 0, hits: 0, misses: 0 });
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('x');
    await cache.get('y');
    expect(cache.stats()).toMatchObject({
      usage_percent: 33.3,
      hit_rate: 0.3333,
      hits: 1,
      misses: 2,
    });
  });

  it('counts sets, deletes, clears, loads, load errors, coalesced calls, grace hits and timeouts', async () => {
    const cache = new TieredCache({
      maxEntries: 2,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await cache.set('a', 1);
    await cache.set('b', 2, { ttl: 1 });
    await cache.set('c', 3); // evicts a
    await cache.del('c');
    await cache.del('nothing');
    jest.advanceTimersByTime(1_001);
    expect(cache.sweep()).toBe(1); // b expired

    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 1_000));
    const first = cache.getOrSet('s', slow);
    const second = cache.getOrSet('s', slow);
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(Promise.all([first, second])).resolves.toEqual(['slow', 'slow']);
    await expect(cache.getOrSet('e', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    const timedOut = cache.getOrSet('t', slow, { hardTimeoutMs: 10 });
    const timedOutCheck = expect(timedOut).rejects.toThrow('10 ms');
    await jest.advanceTimersByTimeAsync(1_000);
    await timedOutCheck;

    await cache.set('g', 'old', { ttl: 1, grace: 60 });
    jest.advanceTimersByTime(1_001);
    await expect(cache.getOrSet('g', async () => 'new', { ttl: 1, grace: 60 })).resolves.toBe(
      'old',
    );
    await expect(cache.clear()).resolves.toEqual({ l1: 2, l2: 0 });

    expect(cache.stats()).toMatchObject({
      sets: 4,
      deletes: 2,
      clears: 1,
      evictions: 2, // a when c was set, s when g was set
      expired: 1,
      loads: 4, // s, e, t, the refresh of g
      load_errors: 1,
      coalesced: 1,
      grace_hits: 1,
      timeouts: 1,
      hits: 1, // the stale g
      misses: 4, // both callers of s, e, t
      size: 0,
    });
  });

  it('counts invalidations received from other instances', async () => {
    const bus = new FakeCacheRedis();
    const one = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    const two = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await Promise.all([one.start(), two.start()]);
    await one.set('a', 1);
    await one.del('a');
    await one.clear();
    expect(two.stats().invalidations_received).toBe(3);
    expect(one.stats().invalidations_received).toBe(0);
    await Promise.all([one.close(), two.close()]);
  });
});
