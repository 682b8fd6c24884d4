import { InvalidInputError } from '../../common/errors/app-errors';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

describe('TieredCache TTL', () => {
  let cache: TieredCache;

  beforeEach(() => {
    jest.useFakeTimers();
    cache = new TieredCache({ ttlSeconds: 60, sweepIntervalMs: 0, logger: new RecordingLogger() });
  });

  afterEach(() => jest.useRealTimers());

  it('serves a value until its TTL runs out, then misses and counts it expired', async () => {
    await cache.set('k', 'v', { ttl: 10 });
    jest.advanceTimersByTime(9_999);
    await expect(cache.get('k')).resolves.toBe('v');
    jest.advanceTimersByTime(2);
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, expired: 1, size: 0 });
  });

  it('uses the default TTL (CACHE_TTL) when none is given', async () => {
    await cache.set('k', 1);
    jest.advanceTimersByTime(59_999);
    await expect(cache.get('k')).resolves.toBe(1);
    jest.advanceTimersByTime(2);
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('accepts fractional seconds', async () => {
    await cache.set('k', 1, { ttl: 0.5 });
    jest.advanceTimersByTime(499);
    await expect(cache.get('k')).resolves.toBe(1);
    jest.advanceTimersByTime(2);
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('reports the remaining fresh time', async () => {
    await cache.set('k', { a: 1 }, { ttl: 10 });
    jest.advanceTimersByTime(4_000);
    const found = await cache.inspect('k');
    expect(found?.value).toEqual({ a: 1 });
    expect(found?.ttlRemainingMs).toBeGreaterThan(5_990);
    expect(found?.ttlRemainingMs).toBeLessThanOrEqual(6_000);
  });

  it('a write restarts the TTL', async () => {
    await cache.set('k', 1, { ttl: 10 });
    jest.advanceTimersByTime(8_000);
    await cache.set('k', 2, { ttl: 10 });
    jest.advanceTimersByTime(8_000);
    await expect(cache.get('k')).resolves.toBe(2);
  });

  it('getOrSet loads again once the value expired', async () => {
    const loader = jest.fn().mockResolvedValueOnce('first').mockResolvedValueOnce('second');
    await expect(cache.getOrSet('k', loader, { ttl: 5 })).resolves.toBe('first');
    jest.advanceTimersByTime(4_000);
    await expect(cache.getOrSet('k', loader, { ttl: 5 })).resolves.toBe('first');
    jest.advanceTimersByTime(1_001);
    await expect(cache.getOrSet('k', loader, { ttl: 5 })).resolves.toBe('second');
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it.each([0, -1, NaN, Infinity, 31 * 24 * 3600])(
    'rejects ttl %p and leaves the cache unchanged',
    async (ttl) => {
      await cache.set('k', 'old');
      await expect(cache.set('k', 'new', { ttl })).rejects.toThrow(InvalidInputError);
      await expect(cache.get('k')).resolves.toBe('old');
    },
  );

  it('rejects a negative grace', async () => {
    await expect(cache.set('k', 1, { grace: -1 })).rejects.toThrow(InvalidInputError);
    await expect(cache.getOrSet('k', () => 1, { grace: -1 })).rejects.toThrow(InvalidInputError);
  });
});
