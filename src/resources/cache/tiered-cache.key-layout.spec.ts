import { CacheRedis } from './cache.types';
import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/**
 * The cache clears its namespace with SCAN MATCH `<base>*`, which is only safe when the pool's
 * key() is plain concatenation ending in a separator: anything else is refused at construction.
 */
describe('TieredCache Redis key layout', () => {
  const withKey = (key: (...parts: string[]) => string): CacheRedis => ({
    ...new FakeCacheRedis().redis,
    key,
  });
  const create = (redis: CacheRedis) =>
    new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });

  it('accepts `prefix + parts joined by a separator`, and scopes keys and the channel to the namespace', async () => {
    const bus = new FakeCacheRedis();
    const cache = new TieredCache({
      redis: bus.redis,
      namespace: 'captions',
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await cache.start();
    await cache.set('k', 1);
    expect([...bus.store.keys()]).toEqual(['t:captions:k']);
    expect(bus.parsedMessages()).toEqual([{ i: cache.instanceId, k: ['k'] }]);
    await bus.redis.publish('t:captions:invalidate', JSON.stringify({ i: 'other', k: ['k'] }));
    expect(cache.stats().size).toBe(0);
    await cache.close();
  });

  it('refuses a key() whose base ends in a character a namespace may contain', () => {
    expect(() => create(withKey((...parts) => `t:${parts.join('')}`))).toThrow(
      /unexpected Redis key layout "t:cachex"/,
    );
    expect(() => create(withKey((...parts) => `t:${parts.join('-')}`))).toThrow(
      /unexpected Redis key layout "t:cache-x"/,
    );
  });

  it('refuses a key() that is not plain concatenation', () => {
    expect(() => create(withKey((...parts) => `t:${parts.join(':').toUpperCase()}`))).toThrow(
      /unexpected Redis key layout "t:CACHE:X"/,
    );
  });

  it('is L1 only when Redis is not enabled', async () => {
    const redis = { ...new FakeCacheRedis().redis, enabled: false };
    const cache = create(redis);
    expect(cache.l2State).toBe('disabled');
    expect(cache.stats().l2).toMatchObject({ enabled: false, backend: 'none', state: 'disabled' });
    await cache.set('k', 1);
    await expect(cache.get('k')).resolves.toBe(1);
  });
});
