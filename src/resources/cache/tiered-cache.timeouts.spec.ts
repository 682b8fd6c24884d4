import { TimeoutAppError } from '../../common/errors/app-errors';
import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

function slow<T>(value: T, ms: number) {
  return jest.fn(() => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms)));
}

describe('TieredCache soft and hard timeouts', () => {
  let cache: TieredCache;

  beforeEach(() => {
    jest.useFakeTimers();
    cache = new TieredCache({ sweepIntervalMs: 0, logger: new RecordingLogger() });
  });

  afterEach(() => jest.useRealTimers());

  async function staleValue(): Promise<void> {
    await cache.set('k', 'old', { ttl: 10, grace: 600 });
    jest.advanceTimersByTime(11_000);
  }

  it('soft timeout: answers with the stale value when the refresh is slower, and still caches the refresh', async () => {
    await staleValue();
    const loader = slow('new', 1_000);
    let settled: string | undefined;
    const call = cache
      .getOrSet('k', loader, { ttl: 10, grace: 600, softTimeoutMs: 100 })
      .then((v) => (settled = v));

    await jest.advanceTimersByTimeAsync(99);
    expect(settled).toBeUndefined(); // it does wait up to the soft timeout
    await jest.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toBe('old');
    expect(cache.stats().grace_hits).toBe(1);

    await jest.advanceTimersByTimeAsync(900);
    await expect(cache.get('k')).resolves.toBe('new');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('soft timeout: answers with the refreshed value when it arrives in time', async () => {
    await staleValue();
    const call = cache.getOrSet('k', slow('new', 50), { ttl: 10, softTimeoutMs: 100 });
    await jest.advanceTimersByTimeAsync(50);
    await expect(call).resolves.toBe('new');
    expect(cache.stats().grace_hits).toBe(0);
  });

  it('hard timeout: fails the call with TimeoutAppError; the load goes on and is cached', async () => {
    const loader = slow('value', 1_000);
    const first = cache.getOrSet('k', loader, { hardTimeoutMs: 200 });
    const firstOutcome = expect(first).rejects.toBeInstanceOf(TimeoutAppError);
    await jest.advanceTimersByTimeAsync(200);
    await firstOutcome;
    expect(cache.stats()).toMatchObject({ timeouts: 1 });

    // a caller arriving meanwhile joins the same load instead of starting another
    const second = cache.getOrSet('k', loader, { hardTimeoutMs: 5_000 });
    await jest.advanceTimersByTimeAsync(800);
    await expect(second).resolves.toBe('value');
    expect(loader).toHaveBeenCalledTimes(1);
    await expect(cache.get('k')).resolves.toBe('value');
  });

  it('hard timeout: a fast loader is not affected and leaves no timer behind', async () => {
    const call = cache.getOrSet('k', slow('v', 10), { hardTimeoutMs: 200 });
    await jest.advanceTimersByTimeAsync(10);
    await expect(call).resolves.toBe('v');
    await jest.advanceTimersByTimeAsync(1); // lets lru-cache's 1 ms clock cache expire
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a hard timeout of 0 means none: the call waits for the loader', async () => {
    const call = cache.getOrSet('k', slow('late', 60_000), { hardTimeoutMs: 0 });
    await jest.advanceTimersByTimeAsync(60_000);
    await expect(call).resolves.toBe('late');
    expect(cache.stats().timeouts).toBe(0);
  });

  it('a stale value found in L2 answers a hard timeout instead of TimeoutAppError', async () => {
    const bus = new FakeCacheRedis(); // PTTL 60 s: with 600 s of grace the value is stale
    const withL2 = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    bus.store.set(bus.keyOf('k'), '{"g":600000,"v":"old"}');
    const call = withL2.getOrSet('k', slow('new', 1_000), {
      ttl: 10,
      grace: 600,
      hardTimeoutMs: 100,
    });
    await jest.advanceTimersByTimeAsync(100);
    await expect(call).resolves.toBe('old');
    expect(withL2.stats()).toMatchObject({ grace_hits: 1, timeouts: 0 });
  });

  it('with a stale value at hand the hard timeout does not fail the call', async () => {
    await staleValue();
    const call = cache.getOrSet('k', slow('new', 1_000), {
      ttl: 10,
      softTimeoutMs: 500,
      hardTimeoutMs: 100,
    });
    await jest.advanceTimersByTimeAsync(500);
    await expect(call).resolves.toBe('old');
  });
});
