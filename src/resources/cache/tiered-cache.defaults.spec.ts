import { PayloadTooLargeError } from '../../common/errors/app-errors';
import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/** What `new TieredCache()` does when an option is left out (the documented defaults). */
describe('TieredCache defaults', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('10000 entries, 64 MiB, 1 hour, namespace `cache`, 1 MiB per value', async () => {
    const cache = new TieredCache({ sweepIntervalMs: 0, logger: new RecordingLogger() });
    expect(cache.stats()).toMatchObject({
      max_size: 10_000,
      max_bytes: 64 * 1024 * 1024,
      ttl: 3600,
      namespace: 'cache',
    });
    expect(cache.maxValueBytes).toBe(1024 * 1024);
    // exactly 1 MiB of JSON fits, one byte more does not
    await cache.set('max', 'x'.repeat(1024 * 1024 - 2));
    await expect(cache.set('over', 'x'.repeat(1024 * 1024 - 1))).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    jest.advanceTimersByTime(3_600_000 - 1);
    await expect(cache.get('max')).resolves.toHaveLength(1024 * 1024 - 2);
    jest.advanceTimersByTime(2);
    await expect(cache.get('max')).resolves.toBeUndefined();
  });

  it('sweeps expired entries every minute', async () => {
    const cache = new TieredCache({ ttlSeconds: 1, logger: new RecordingLogger() });
    await cache.start();
    await cache.set('k', 1);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(cache.stats()).toMatchObject({ size: 1, expired: 0 });
    await jest.advanceTimersByTimeAsync(1);
    expect(cache.stats()).toMatchObject({ size: 0, expired: 1 });
    await cache.close();
  });

  it('L2 calls time out after 2 s, 5 failures in a row open the breaker, which tries again after 5 s', async () => {
    const bus = new FakeCacheRedis();
    const hanging = bus.hold('get');
    const cache = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });

    let answer: unknown = 'pending';
    const read = cache.get('a').then((value) => (answer = value));
    await jest.advanceTimersByTimeAsync(1_999);
    expect(answer).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    await read;
    expect(answer).toBeUndefined();
    hanging();

    bus.failing.add('get');
    for (let n = 0; n < 3; n++) await cache.get('a');
    expect(cache.stats().l2).toMatchObject({ errors: 4, breaker: 'closed' });
    await cache.get('a');
    expect(cache.stats().l2).toMatchObject({ errors: 5, breaker: 'open' });

    bus.failing.clear();
    await jest.advanceTimersByTimeAsync(4_999);
    await cache.get('a');
    expect(cache.stats().l2).toMatchObject({ breaker: 'open', skipped: 1 });
    await jest.advanceTimersByTimeAsync(1);
    const release = bus.hold('get');
    const trial = cache.get('a'); // the one trial call
    await jest.advanceTimersByTimeAsync(0);
    expect(cache.stats().l2).toMatchObject({ breaker: 'half_open', state: 'down' });
    release();
    await trial;
    expect(cache.stats().l2).toMatchObject({ breaker: 'closed', state: 'up', skipped: 1 });
  });

  it('after a failed refresh, a stale value is served for 5 s before the loader is tried again', async () => {
    const cache = new TieredCache({ sweepIntervalMs: 0, logger: new RecordingLogger() });
    const options = { ttl: 10, grace: 600 };
    await cache.set('k', 'old', options);
    jest.advanceTimersByTime(11_000);
    const failing = jest.fn().mockRejectedValue(new Error('database down'));
    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('old');
    await jest.advanceTimersByTimeAsync(0);
    expect(failing).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(4_999);
    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('old');
    expect(failing).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('old');
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('a lease is held 10 s and waiters look at L2 every 50 ms', async () => {
    const bus = new FakeCacheRedis();
    const cache = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await cache.getOrSet('mine', async () => 1, { lease: true });
    expect(bus.setOptions.get('t:cache:!lease:mine')).toEqual(['PX', 10_000, 'NX']);

    bus.store.set('t:cache:!lease:k', 'another-instance:1');
    const loader = jest.fn(async () => 'mine');
    let answer: unknown = 'pending';
    const call = cache.getOrSet('k', loader, { lease: true }).then((value) => (answer = value));
    await jest.advanceTimersByTimeAsync(0);
    bus.store.set(bus.keyOf('k'), '{"g":0,"v":"theirs"}');
    await jest.advanceTimersByTimeAsync(49);
    expect(answer).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    await call;
    expect(answer).toBe('theirs');
    expect(loader).not.toHaveBeenCalled();
  });
});
