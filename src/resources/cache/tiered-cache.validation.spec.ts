import {
  InvalidInputError,
  PayloadTooLargeError,
  ResourceUnavailableError,
} from '../../common/errors/app-errors';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

describe('TieredCache input validation', () => {
  let cache: TieredCache;
  let logger: RecordingLogger;

  beforeEach(async () => {
    logger = new RecordingLogger();
    cache = new TieredCache({ maxValueBytes: 1024, sweepIntervalMs: 0, logger });
    await cache.set('k', { ok: true });
  });

  function deep(levels: number): unknown {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  }

  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;

  it.each([
    ['circular', circular, InvalidInputError],
    ['too deep', deep(40), InvalidInputError],
    ['not JSON (a Map)', new Map([['a', 1]]), InvalidInputError],
    ['not JSON (a function)', { f: () => 1 }, InvalidInputError],
    ['undefined', undefined, InvalidInputError],
    ['too large', { text: 'x'.repeat(2048) }, PayloadTooLargeError],
  ])('rejects a %s value and leaves the cache unchanged', async (_what, value, errorType) => {
    const before = cache.stats();
    await expect(cache.set('k', value)).rejects.toBeInstanceOf(errorType);
    await expect(cache.set('other', value)).rejects.toBeInstanceOf(errorType);
    await expect(cache.get('k')).resolves.toEqual({ ok: true });
    await expect(cache.get('other')).resolves.toBeUndefined();
    const after = cache.stats();
    expect(after.size).toBe(before.size);
    expect(after.bytes).toBe(before.bytes);
    expect(after.sets).toBe(before.sets);
  });

  it('stores a copy: changing the object afterwards does not change the cache', async () => {
    const value = { list: [1, 2] };
    await cache.set('copy', value);
    value.list.push(3);
    await expect(cache.get('copy')).resolves.toEqual({ list: [1, 2] });
  });

  it.each(['', 'a b', 'a/b', 'x'.repeat(257), 'a*'])(
    'rejects the key %p on every operation',
    async (key) => {
      await expect(cache.set(key, 1)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(cache.get(key)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(cache.getOrSet(key, () => 1)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(cache.del(key)).rejects.toBeInstanceOf(InvalidInputError);
      await expect(cache.inspect(key)).rejects.toBeInstanceOf(InvalidInputError);
    },
  );

  it('returns a loader result it cannot cache, uncached, with one warning', async () => {
    const big = { text: 'x'.repeat(4096) };
    const loader = jest.fn().mockResolvedValue(big);
    await expect(cache.getOrSet('big', loader)).resolves.toBe(big);
    await expect(cache.getOrSet('big', loader)).resolves.toBe(big);
    expect(loader).toHaveBeenCalledTimes(2);
    expect(logger.count('warn', 'not caching')).toBe(1);
  });

  it('stops warning after 100 distinct uncacheable results, so a hot path cannot flood the log', async () => {
    for (let n = 0; n < 150; n++) {
      const value = 'x'.repeat(2048 + n); // a different size each time: a different warning
      await expect(cache.getOrSet(`big${n}`, async () => value)).resolves.toBe(value);
    }
    expect(logger.count('warn')).toBe(100);
  });

  it('does not cache or warn about a loader returning undefined', async () => {
    const loader = jest.fn().mockResolvedValue(undefined);
    await expect(cache.getOrSet('nothing', loader)).resolves.toBeUndefined();
    await expect(cache.getOrSet('nothing', loader)).resolves.toBeUndefined();
    expect(loader).toHaveBeenCalledTimes(2);
    expect(logger.count('warn')).toBe(0);
  });

  it('refuses every call after close, and serves again after start', async () => {
    await cache.close();
    await expect(cache.get('k')).rejects.toBeInstanceOf(ResourceUnavailableError);
    await expect(cache.getOrSet('k', () => 1)).rejects.toBeInstanceOf(ResourceUnavailableError);
    await expect(cache.set('k', 1)).rejects.toBeInstanceOf(ResourceUnavailableError);
    await expect(cache.del('k')).rejects.toBeInstanceOf(ResourceUnavailableError);
    await expect(cache.clear()).rejects.toBeInstanceOf(ResourceUnavailableError);
    await cache.start();
    await expect(cache.get('k')).resolves.toBeUndefined(); // close emptied L1
    await cache.set('k', 2);
    await expect(cache.get('k')).resolves.toBe(2);
    await cache.close();
  });
});
