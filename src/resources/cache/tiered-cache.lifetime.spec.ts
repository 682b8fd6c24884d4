import { InvalidInputError } from '../../common/errors/app-errors';
import { MAX_TTL_SECONDS } from './cache.constants';
import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/** The bounds of `ttl` and `grace`, and what `inspect` reports of a value's lifetime. */
describe('TieredCache lifetimes: ttl and grace bounds, inspect', () => {
  let cache: TieredCache;

  beforeEach(() => {
    jest.useFakeTimers();
    cache = new TieredCache({ sweepIntervalMs: 0, logger: new RecordingLogger() });
  });

  afterEach(() => jest.useRealTimers());

  it(`accepts ttl and grace of exactly ${MAX_TTL_SECONDS} s (30 days) and a grace of 0`, async () => {
    await cache.set('a', 1, { ttl: MAX_TTL_SECONDS, grace: MAX_TTL_SECONDS });
    await cache.set('b', 2, { grace: 0 });
    await expect(cache.get('a')).resolves.toBe(1);
    await expect(cache.get('b')).resolves.toBe(2);
  });

  it.each([MAX_TTL_SECONDS + 1, NaN, Infinity])(
    'rejects grace %p and leaves the cache unchanged',
    async (grace) => {
      await cache.set('k', 'old');
      await expect(cache.set('k', 'new', { grace })).rejects.toThrow(InvalidInputError);
      await expect(cache.getOrSet('other', () => 1, { grace })).rejects.toThrow(InvalidInputError);
      await expect(cache.get('k')).resolves.toBe('old');
      expect(cache.stats().size).toBe(1);
    },
  );

  it('a ttl below one millisecond keeps the value for 1 ms', async () => {
    await cache.set('k', 1, { ttl: 0.0001 });
    await expect(cache.get('k')).resolves.toBe(1);
    jest.advanceTimersByTime(2);
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('inspect reports the fresh time left of a value with grace, not its grace', async () => {
    await cache.set('k', 'v', { ttl: 10, grace: 60 });
    jest.advanceTimersByTime(4_000);
    await expect(cache.inspect('k')).resolves.toEqual({ value: 'v', ttlRemainingMs: 6_000 });
  });

  it('inspect is undefined for a key nowhere, without L2', async () => {
    await expect(cache.inspect('absent')).resolves.toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0 });
  });

  it('inspect reads a fresh L2 value (time left without grace) and ignores a stale one', async () => {
    const bus = new FakeCacheRedis(); // its PTTL is always 60 s
    const withL2 = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    bus.store.set(bus.keyOf('fresh'), '{"g":15000,"v":"f"}');
    bus.store.set(bus.keyOf('stale'), '{"g":60000,"v":"s"}');
    await expect(withL2.inspect('fresh')).resolves.toEqual({ value: 'f', ttlRemainingMs: 45_000 });
    await expect(withL2.inspect('stale')).resolves.toBeUndefined();
    expect(withL2.stats()).toMatchObject({ hits: 0, misses: 0 });
  });
});
