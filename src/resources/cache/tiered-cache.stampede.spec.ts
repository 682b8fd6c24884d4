import { CacheRedis } from './cache.types';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/** A loader that resolves when the test says so. */
function deferredLoader<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const loader = jest.fn(
    () =>
      new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      }),
  );
  return { loader, resolve: (v: T) => resolve(v), reject: (e: Error) => reject(e) };
}

describe('TieredCache stampede protection', () => {
  let cache: TieredCache;

  beforeEach(() => {
    jest.useFakeTimers();
    cache = new TieredCache({ sweepIntervalMs: 0, logger: new RecordingLogger() });
  });

  afterEach(() => jest.useRealTimers());

  it('500 callers missing at once run the loader exactly once', async () => {
    const loader = jest.fn(
      () => new Promise<{ n: number }>((resolve) => setTimeout(() => resolve({ n: 42 }), 100)),
    );
    const calls = Array.from({ length: 500 }, () => cache.getOrSet('hot', loader, { ttl: 60 }));
    await jest.advanceTimersByTimeAsync(100);
    const results = await Promise.all(calls);

    expect(loader).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r.n === 42)).toBe(true);
    expect(cache.stats()).toMatchObject({ loads: 1, coalesced: 499, misses: 500, hits: 0 });
    // and the next caller is a plain hit
    await expect(cache.getOrSet('hot', loader)).resolves.toEqual({ n: 42 });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats().hits).toBe(1);
  });

  it('a failing load fails every waiter once, and is not cached', async () => {
    const { loader, reject } = deferredLoader<string>();
    const calls = Array.from({ length: 50 }, () => cache.getOrSet('k', loader));
    await Promise.resolve();
    reject(new Error('database down'));
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ loads: 1, load_errors: 1 });

    const retry = jest.fn().mockResolvedValue('ok');
    await expect(cache.getOrSet('k', retry)).resolves.toBe('ok');
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('a loader that throws synchronously is a rejection, not a crash', async () => {
    const loader = () => {
      throw new Error('sync');
    };
    await expect(cache.getOrSet('k', loader)).rejects.toThrow('sync');
  });

  it('different keys load independently', async () => {
    const a = jest.fn().mockResolvedValue('a');
    const b = jest.fn().mockResolvedValue('b');
    await expect(Promise.all([cache.getOrSet('a', a), cache.getOrSet('b', b)])).resolves.toEqual([
      'a',
      'b',
    ]);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('a delete during a load keeps its (older) result out of the cache', async () => {
    const { loader, resolve } = deferredLoader<string>();
    const waiting = cache.getOrSet('k', loader);
    await Promise.resolve();
    await cache.del('k');
    resolve('computed before the delete');
    await expect(waiting).resolves.toBe('computed before the delete');
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('callers after a delete start a new load instead of joining the old one', async () => {
    const first = deferredLoader<string>();
    const waiting = cache.getOrSet('k', first.loader);
    await Promise.resolve();
    await cache.del('k');
    const second = jest.fn().mockResolvedValue('new');
    await expect(cache.getOrSet('k', second)).resolves.toBe('new');
    first.resolve('old');
    await expect(waiting).resolves.toBe('old');
    await expect(cache.get('k')).resolves.toBe('new');
  });

  it('an explicit set during a load wins over the load', async () => {
    const { loader, resolve } = deferredLoader<string>();
    const waiting = cache.getOrSet('k', loader);
    await Promise.resolve();
    await cache.set('k', 'explicit');
    resolve('loaded');
    await expect(waiting).resolves.toBe('loaded');
    await expect(cache.get('k')).resolves.toBe('explicit');
  });

  it('returns the JSON shape a later hit returns, and caches null', async () => {
    const date = new Date('2026-01-01T00:00:00.000Z');
    await expect(cache.getOrSet('d', async () => ({ date }))).resolves.toEqual({
      date: '2026-01-01T00:00:00.000Z',
    });
    await expect(cache.getOrSet('d', async () => ({ date }))).resolves.toEqual({
      date: '2026-01-01T00:00:00.000Z',
    });
    const nothing = jest.fn().mockResolvedValue(null);
    await cache.getOrSet('n', nothing);
    await expect(cache.getOrSet('n', nothing)).resolves.toBeNull();
    expect(nothing).toHaveBeenCalledTimes(1);
  });

  it('concurrent plain get misses share one L2 read', async () => {
    let release!: () => void;
    const run = jest.fn(
      () =>
        new Promise<[string | null, number]>((resolve) => {
          release = () => resolve([null, -2]);
        }),
    );
    const redis: CacheRedis = {
      enabled: true,
      available: true,
      key: (...parts) => `p:${parts.join(':')}`,
      run: run as unknown as CacheRedis['run'],
      publish: async () => 0,
      subscribe: async () => async () => undefined,
    };
    const withL2 = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    const gets = Array.from({ length: 100 }, () => withL2.get('k'));
    await Promise.resolve();
    release();
    expect(await Promise.all(gets)).toEqual(Array(100).fill(undefined));
    expect(run).toHaveBeenCalledTimes(1);
    expect(withL2.stats()).toMatchObject({ coalesced: 99, misses: 100, l2: { misses: 1 } });
  });
});
