import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/**
 * What an L2 read puts into L1: a fresh hit always refills it, a stale hit only an empty slot
 * (an L1 entry in grace keeps its own refresh back-off), and a read overtaken by an
 * invalidation refills nothing. The fake's PTTL is always 60 s.
 */
describe('TieredCache refilling L1 from L2', () => {
  let bus: FakeCacheRedis;
  let cache: TieredCache;
  const options = { ttl: 10, grace: 600 };

  beforeEach(async () => {
    jest.useFakeTimers();
    bus = new FakeCacheRedis();
    cache = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await cache.start();
  });

  afterEach(async () => {
    await cache.close();
    jest.useRealTimers();
  });

  it('a stale L2 value does not replace a stale L1 entry that is backing off', async () => {
    await cache.set('k', 'l1-old', options);
    bus.store.set(bus.keyOf('k'), '{"g":600000,"v":"l2-old"}'); // stale in L2 too
    jest.advanceTimersByTime(11_000);
    const failing = jest.fn().mockRejectedValue(new Error('database down'));

    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('l1-old');
    await jest.advanceTimersByTimeAsync(0);
    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('l1-old');
    expect(failing).toHaveBeenCalledTimes(1); // still backing off
    await expect(cache.get('k')).resolves.toBeUndefined(); // stale: not a get() hit
    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('l1-old');
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('a fresh L2 value replaces a stale L1 entry', async () => {
    await cache.set('k', 'old', options);
    jest.advanceTimersByTime(11_000);
    bus.store.set(bus.keyOf('k'), '{"g":0,"v":"new"}'); // another instance refreshed it
    await expect(cache.get('k')).resolves.toBe('new');
    bus.store.clear();
    await expect(cache.get('k')).resolves.toBe('new'); // from L1 now
  });

  it('a read overtaken by an invalidation does not refill L1', async () => {
    bus.store.set(bus.keyOf('k'), '{"g":0,"v":"v"}');
    const release = bus.hold('get');
    const reading = cache.get('k');
    await jest.advanceTimersByTimeAsync(0);
    await bus.redis.publish('t:cache:invalidate', JSON.stringify({ i: 'other', k: ['k'] }));
    release();
    await expect(reading).resolves.toBe('v'); // what L2 held when asked
    expect(cache.stats().size).toBe(0);
    expect(cache.stats().l2.hits).toBe(1);
  });

  it('a read overtaken by a remote clear does not refill L1', async () => {
    bus.store.set(bus.keyOf('k'), '{"g":0,"v":"v"}');
    const release = bus.hold('get');
    const reading = cache.get('k');
    await jest.advanceTimersByTimeAsync(0);
    await bus.redis.publish('t:cache:invalidate', JSON.stringify({ i: 'other', all: true }));
    release();
    await expect(reading).resolves.toBe('v');
    expect(cache.stats().size).toBe(0);
  });
});
