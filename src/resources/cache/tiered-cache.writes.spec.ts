import { useCacheOnFakeRedis } from './testing/fake-cache-redis';

/**
 * Writes and deletes reaching L2: what `del` reports, their order per key, and `close`/`clear`
 * waiting for the writes still in flight. Redis commands are held and released by the test.
 */
describe('TieredCache L2 writes in flight', () => {
  const flush = () => jest.advanceTimersByTimeAsync(0);

  const t = useCacheOnFakeRedis();

  it('del is true for a key only L2 holds, false for a key nowhere', async () => {
    t.bus.store.set(t.bus.keyOf('remote'), '{"g":0,"v":1}');
    await expect(t.cache.del('remote')).resolves.toBe(true);
    expect(t.bus.store.has(t.bus.keyOf('remote'))).toBe(false);
    await expect(t.cache.del('absent')).resolves.toBe(false);
    expect(t.cache.stats().deletes).toBe(2);
  });

  it('a delete issued while a write of the same key is in flight lands after it', async () => {
    const release = t.bus.hold('set');
    const writing = t.cache.set('k', 'v');
    await flush();
    const deleting = t.cache.del('k');
    await flush();
    release();
    await Promise.all([writing, deleting]);
    expect(t.bus.store.has(t.bus.keyOf('k'))).toBe(false);
    await expect(t.cache.get('k')).resolves.toBeUndefined();
  });

  it('close() lets a background write in flight land first', async () => {
    const release = t.bus.hold('set');
    await expect(t.cache.getOrSet('k', async () => 'loaded')).resolves.toBe('loaded');
    let closed = false;
    const closing = t.cache.close().then(() => (closed = true));
    await flush();
    expect(closed).toBe(false);

    release();
    await closing;
    expect(t.bus.store.get(t.bus.keyOf('k'))).toBe('{"g":0,"v":"loaded"}');
  });

  it('clear() waits for writes in flight, so it removes them too', async () => {
    const release = t.bus.hold('set');
    await expect(t.cache.getOrSet('k', async () => 'loaded')).resolves.toBe('loaded');
    const clearing = t.cache.clear();
    await flush();
    expect(t.bus.calls.scan).toBe(0);

    release();
    await expect(clearing).resolves.toEqual({ l1: 1, l2: 1 });
    expect(t.bus.store.size).toBe(0);
  });

  it('a load in flight when the cache closes does not fill it after a restart', async () => {
    let finish!: (value: string) => void;
    const loading = t.cache.getOrSet(
      'k',
      () => new Promise<string>((resolve) => (finish = resolve)),
    );
    await flush();
    await t.cache.close();
    await t.cache.start();

    finish('from before the close');
    await expect(loading).resolves.toBe('from before the close');
    await flush();
    expect(t.cache.stats().size).toBe(0);
    expect(t.bus.store.has(t.bus.keyOf('k'))).toBe(false);
  });
});
