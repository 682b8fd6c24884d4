import { CacheRedis } from './cache.types';
import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/** A subscribe() the test settles by hand, on top of a FakeCacheRedis. */
function heldSubscribe(bus: FakeCacheRedis) {
  const attempts: {
    resolve: (unsubscribe: () => Promise<void>) => void;
    reject: (error: Error) => void;
  }[] = [];
  const subscribe = jest.fn(
    () => new Promise<() => Promise<void>>((resolve, reject) => attempts.push({ resolve, reject })),
  );
  const redis: CacheRedis = { ...bus.redis, subscribe };
  return { redis, subscribe, attempts };
}

const channel = 't:cache:invalidate';

describe('TieredCache subscription to invalidations', () => {
  let bus: FakeCacheRedis;

  beforeEach(() => {
    jest.useFakeTimers();
    bus = new FakeCacheRedis();
  });

  afterEach(() => jest.useRealTimers());

  it('retries with doubling pauses from 100 ms up to 5 s, then applies messages once subscribed', async () => {
    bus.failing.add('subscribe');
    const logger = new RecordingLogger();
    const cache = new TieredCache({ redis: bus.redis, sweepIntervalMs: 0, logger });
    await cache.start();
    expect(bus.calls.subscribe).toBe(1);

    for (const pause of [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]) {
      const before = bus.calls.subscribe;
      await jest.advanceTimersByTimeAsync(pause - 1);
      expect(bus.calls.subscribe).toBe(before);
      await jest.advanceTimersByTimeAsync(1);
      expect(bus.calls.subscribe).toBe(before + 1);
    }
    expect(logger.count('warn')).toBe(1); // the outage is reported once, not per attempt

    bus.failing.delete('subscribe');
    await jest.advanceTimersByTimeAsync(5_000);
    await cache.set('a', 1);
    await bus.redis.publish(channel, JSON.stringify({ i: 'other', k: ['a'] }));
    expect(cache.stats().size).toBe(0);

    // subscribed: no more attempts
    const subscribed = bus.calls.subscribe;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(bus.calls.subscribe).toBe(subscribed);
    await cache.close();
  });

  it('the pause starts again at 100 ms after a subscription that worked', async () => {
    bus.failing.add('subscribe');
    const cache = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await cache.start();
    await jest.advanceTimersByTimeAsync(100 + 200); // two more failures
    bus.failing.delete('subscribe');
    await jest.advanceTimersByTimeAsync(400);
    expect(bus.calls.subscribe).toBe(4);
    await cache.close();

    bus.failing.add('subscribe');
    await cache.start();
    expect(bus.calls.subscribe).toBe(5);
    await jest.advanceTimersByTimeAsync(99);
    expect(bus.calls.subscribe).toBe(5);
    await jest.advanceTimersByTimeAsync(1);
    expect(bus.calls.subscribe).toBe(6);
    await cache.close();
  });

  it('start() waits for a slow subscription at most the L2 timeout', async () => {
    const { redis, attempts } = heldSubscribe(bus);
    const cache = new TieredCache({
      redis,
      l2TimeoutMs: 500,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    let started = false;
    const starting = cache.start().then(() => (started = true));
    await jest.advanceTimersByTimeAsync(499);
    expect(started).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await starting;
    expect(started).toBe(true);
    expect(attempts).toHaveLength(1);
    attempts[0].resolve(async () => undefined);
    await cache.close();
  });

  it('concurrent and repeated starts subscribe once', async () => {
    const cache = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await Promise.all([cache.start(), cache.start()]);
    await cache.start();
    expect(bus.calls.subscribe).toBe(1);
    await cache.close();
  });

  it('close() unsubscribes, and start() after it subscribes again', async () => {
    const { redis, subscribe, attempts } = heldSubscribe(bus);
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    const first = jest.fn(async () => undefined);
    const starting = cache.start();
    attempts[0].resolve(first);
    await starting;

    await cache.close();
    expect(first).toHaveBeenCalledTimes(1);

    const starting2 = cache.start();
    expect(subscribe).toHaveBeenCalledTimes(2);
    const second = jest.fn(async () => undefined);
    attempts[1].resolve(second);
    await starting2;
    await cache.close();
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('close() does not wait longer than the L2 timeout for an unsubscribe that hangs', async () => {
    const { redis, attempts } = heldSubscribe(bus);
    const cache = new TieredCache({
      redis,
      l2TimeoutMs: 500,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    const starting = cache.start();
    attempts[0].resolve(() => new Promise<void>(() => undefined));
    await starting;

    let closed = false;
    const closing = cache.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(499);
    expect(closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    expect(cache.closed).toBe(true);
  });

  it('a subscription that completes after close() is undone at once', async () => {
    const { redis, attempts } = heldSubscribe(bus);
    const cache = new TieredCache({
      redis,
      l2TimeoutMs: 500,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    const starting = cache.start();
    await jest.advanceTimersByTimeAsync(500);
    await starting;
    await cache.close();

    const late = jest.fn(async () => undefined);
    attempts[0].resolve(late);
    await jest.advanceTimersByTimeAsync(0);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('a subscription that fails after close() is not retried', async () => {
    const { redis, subscribe, attempts } = heldSubscribe(bus);
    const logger = new RecordingLogger();
    const cache = new TieredCache({ redis, l2TimeoutMs: 500, sweepIntervalMs: 0, logger });
    const starting = cache.start();
    await jest.advanceTimersByTimeAsync(500);
    await starting;
    await cache.close();

    attempts[0].reject(new Error('connection closed'));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(logger.count('warn')).toBe(0);
  });
});
