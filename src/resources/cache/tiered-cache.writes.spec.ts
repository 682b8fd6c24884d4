import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/**
 * Writes and deletes reaching L2: what `del` reports, their order per key, and `close`/`clear`
 * waiting for the writes still in flight. Redis commands are held and released by the test.
 */
describe('TieredCache L2 writes in flight', () => {
  let bus: FakeCacheRedis;
  let cache: TieredCache;
  const flush = () => jest.advanceTimersByTimeAsync(0);

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

  it('del is true for a key only L2 holds, false for a key nowhere', async () => {
    bus.store.set(bus.keyOf('remote'), '{"g":0,"v":1}');
    await expect(cache.del('remote')).resolves.toBe(true);
    expect(bus.store.has(bus.keyOf('remote'))).toBe(false);
    await expect(cache.del('absent')).resolves.toBe(false);
    expect(cache.stats().deletes).toBe(2);
  });

  it('a delete issued while a write of the same key is in flight lands after it', async () => {
    const release = bus.hold('set');
    const writing = cache.set('k', 'v');
    await flush();
    const deleting = cache.del('k');
    await flush();
    release();
    await Promise.all([writing, deleting]);
    expect(bus.store.has(bus.keyOf('k'))).toBe(false);
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('close() lets a background write in flight land first', async () => {
    const release = bus.hold('set');
    await expect(cache.getOrSet('k', async () => 'loaded')).resolves.toBe('loaded');
    let closed = false;
    const closing = cache.close().then(() => (closed = true));
    await flush();
    expect(closed).toBe(false);

    release();
    await closing;
    expect(bus.store.get(bus.keyOf('k'))).toBe('{"g":0,"v":"loaded"}');
  });

  it('clear() waits for writes in flight, so it removes them too', async () => {
    const release = bus.hold('set');
    await expect(cache.getOrSet('k', async () => 'loaded')).resolves.toBe('loaded');
    const clearing = cache.clear();
    await flush();
    expect(bus.calls.scan).toBe(0);

    release();
    await expect(clearing).resolves.toEqual({ l1: 1, l2: 1 });
    expect(bus.store.size).toBe(0);
  });

  it('a load in flight when the cache closes does not fill it after a restart', async () => {
    let finish!: (value: string) => void;
    const loading = cache.getOrSet('k', () => new Promise<string>((resolve) => (finish = resolve)));
    await flush();
    await cache.close();
    await cache.start();

    finish('from before the close');
    await expect(loading).resolves.toBe('from before the close');
    await flush();
    expect(cache.stats().size).toBe(0);
    expect(bus.store.has(bus.keyOf('k'))).toBe(false);
  });
});
