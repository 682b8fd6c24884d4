import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

describe('TieredCache LRU', () => {
  const logger = new RecordingLogger();

  it('evicts the least recently used entry when the entry cap is reached', async () => {
    const cache = new TieredCache({ maxEntries: 3, sweepIntervalMs: 0, logger });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    await cache.get('a'); // a is now the most recently used; b the least
    await cache.set('d', 4);
    await expect(cache.get('b')).resolves.toBeUndefined();
    await expect(cache.get('a')).resolves.toBe(1);
    await expect(cache.get('c')).resolves.toBe(3);
    await expect(cache.get('d')).resolves.toBe(4);
    expect(cache.stats()).toMatchObject({ size: 3, max_size: 3, usage_percent: 100, evictions: 1 });
  });

  it('a getOrSet hit also counts as a use', async () => {
    const cache = new TieredCache({ maxEntries: 2, sweepIntervalMs: 0, logger });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.getOrSet('a', () => 0);
    await cache.set('c', 3);
    await expect(cache.get('a')).resolves.toBe(1);
    await expect(cache.get('b')).resolves.toBeUndefined();
  });

  it('evicts by bytes when the byte cap is reached, counting JSON length', async () => {
    const cache = new TieredCache({ maxBytes: 1024, maxEntries: 100, sweepIntervalMs: 0, logger });
    const value = 'x'.repeat(298); // 300 bytes of JSON with the quotes
    for (const key of ['a', 'b', 'c']) await cache.set(key, value);
    expect(cache.stats()).toMatchObject({ size: 3, bytes: 900, evictions: 0 });
    await cache.set('d', value);
    expect(cache.stats()).toMatchObject({ size: 3, bytes: 900, evictions: 1 });
    await expect(cache.get('a')).resolves.toBeUndefined();
    await expect(cache.get('d')).resolves.toBe(value);
  });

  it('never accepts a single value larger than the whole byte cap', () => {
    const cache = new TieredCache({ maxBytes: 2048, maxValueBytes: 1024 * 1024, logger });
    expect(cache.maxValueBytes).toBe(2048);
  });

  it('reports usage and hit rate', async () => {
    const cache = new TieredCache({ maxEntries: 4, sweepIntervalMs: 0, logger });
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('a');
    await cache.get('a');
    await cache.get('nope');
    expect(cache.stats()).toMatchObject({
      size: 1,
      usage_percent: 25,
      hits: 3,
      misses: 1,
      hit_rate: 0.75,
    });
  });
});
