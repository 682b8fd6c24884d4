import { useCacheOnFakeRedis } from './testing/fake-cache-redis';

/**
 * What an L2 read puts into L1: a fresh hit always refills it, a stale hit only an empty slot
 * (an L1 entry in grace keeps its own refresh back-off), and a read overtaken by an
 * invalidation refills nothing. The fake's PTTL is always 60 s.
 */
describe('TieredCache refilling L1 from L2', () => {
  const options = { ttl: 10, grace: 600 };

  const t = useCacheOnFakeRedis();

  it('a stale L2 value does not replace a stale L1 entry that is backing off', async () => {
    await t.cache.set('k', 'l1-old', options);
    t.bus.store.set(t.bus.keyOf('k'), '{"g":600000,"v":"l2-old"}'); // stale in L2 too
    jest.advanceTimersByTime(11_000);
    const failing = jest.fn().mockRejectedValue(new Error('database down'));

    await expect(t.cache.getOrSet('k', failing, options)).resolves.toBe('l1-old');
    await jest.advanceTimersByTimeAsync(0);
    await expect(t.cache.getOrSet('k', failing, options)).resolves.toBe('l1-old');
    expect(failing).toHaveBeenCalledTimes(1); // still backing off
    await expect(t.cache.get('k')).resolves.toBeUndefined(); // stale: not a get() hit
    await expect(t.cache.getOrSet('k', failing, options)).resolves.toBe('l1-old');
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('a fresh L2 value replaces a stale L1 entry', async () => {
    await t.cache.set('k', 'old', options);
    jest.advanceTimersByTime(11_000);
    t.bus.store.set(t.bus.keyOf('k'), '{"g":0,"v":"new"}'); // another instance refreshed it
    await expect(t.cache.get('k')).resolves.toBe('new');
    t.bus.store.clear();
    await expect(t.cache.get('k')).resolves.toBe('new'); // from L1 now
  });

  it('a read overtaken by an invalidation does not refill L1', async () => {
    t.bus.store.set(t.bus.keyOf('k'), '{"g":0,"v":"v"}');
    const release = t.bus.hold('get');
    const reading = t.cache.get('k');
    await jest.advanceTimersByTimeAsync(0);
    await t.bus.redis.publish('t:cache:invalidate', JSON.stringify({ i: 'other', k: ['k'] }));
    release();
    await expect(reading).resolves.toBe('v'); // what L2 held when asked
    expect(t.cache.stats().size).toBe(0);
    expect(t.cache.stats().l2.hits).toBe(1);
  });

  it('a read overtaken by a remote clear does not refill L1', async () => {
    t.bus.store.set(t.bus.keyOf('k'), '{"g":0,"v":"v"}');
    const release = t.bus.hold('get');
    const reading = t.cache.get('k');
    await jest.advanceTimersByTimeAsync(0);
    await t.bus.redis.publish('t:cache:invalidate', JSON.stringify({ i: 'other', all: true }));
    release();
    await expect(reading).resolves.toBe('v');
    expect(t.cache.stats().size).toBe(0);
  });
});
