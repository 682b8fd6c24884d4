import { useCacheOnFakeRedis } from './testing/fake-cache-redis';

/**
 * getOrSet({ lease }): one instance takes a short lock in Redis and computes, the others wait
 * for its value in L2 — but never longer than `waitMs`, nor when Redis fails or the key was
 * deleted meanwhile; the holder releases the lock whatever the loader did, and only its own.
 */
describe('TieredCache cross-instance lease', () => {
  const leaseKey = 't:cache:!lease:k';
  const flush = () => jest.advanceTimersByTimeAsync(0);

  const t = useCacheOnFakeRedis({ breakerThreshold: 1_000_000 });

  it('waits for the holder’s value in L2 instead of running its own loader', async () => {
    t.bus.store.set(leaseKey, 'another-instance:1');
    const loader = jest.fn(async () => 'mine');
    const call = t.cache.getOrSet('k', loader, { lease: { waitMs: 1_000, pollMs: 100 } });
    await flush();

    t.bus.store.set(t.bus.keyOf('k'), '{"g":0,"v":"theirs"}');
    await jest.advanceTimersByTimeAsync(100);
    await expect(call).resolves.toBe('theirs');
    expect(loader).not.toHaveBeenCalled();
    expect(t.cache.stats()).toMatchObject({ hits: 1, misses: 0, loads: 0 });
  });

  it('runs the loader itself once `waitMs` has passed without a value', async () => {
    t.bus.store.set(leaseKey, 'another-instance:1');
    const loader = jest.fn(async () => 'mine');
    const call = t.cache.getOrSet('k', loader, { lease: { waitMs: 1_000, pollMs: 100 } });

    await jest.advanceTimersByTimeAsync(999);
    expect(loader).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(loader).toHaveBeenCalledTimes(1);
    await expect(call).resolves.toBe('mine');
  });

  it('`lease: true` waits the default 2 s', async () => {
    t.bus.store.set(leaseKey, 'another-instance:1');
    const loader = jest.fn(async () => 'mine');
    const call = t.cache.getOrSet('k', loader, { lease: true });

    await jest.advanceTimersByTimeAsync(1_999);
    expect(loader).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(50);
    await expect(call).resolves.toBe('mine');
  });

  it('computes at once when the lease cannot be taken because Redis fails', async () => {
    t.bus.failing.add('set');
    const loader = jest.fn(async () => 'mine');
    const call = t.cache.getOrSet('k', loader, { lease: { waitMs: 10_000, pollMs: 100 } });
    await flush();
    expect(loader).toHaveBeenCalledTimes(1);
    await expect(call).resolves.toBe('mine');
  });

  it('stops waiting for another instance once the key is deleted here', async () => {
    t.bus.store.set(leaseKey, 'another-instance:1');
    const loader = jest.fn(async () => 'mine');
    const call = t.cache.getOrSet('k', loader, { lease: { waitMs: 10_000, pollMs: 100 } });
    await flush();
    await t.cache.del('k');

    await jest.advanceTimersByTimeAsync(100);
    expect(loader).toHaveBeenCalledTimes(1);
    await expect(call).resolves.toBe('mine');
  });

  it('holds the lease while loading and releases it once the value is in L2', async () => {
    let heldBy: string | undefined;
    const loader = jest.fn(async () => {
      heldBy = t.bus.store.get(leaseKey);
      return 'mine';
    });
    await expect(t.cache.getOrSet('k', loader, { lease: true })).resolves.toBe('mine');
    await flush();

    expect(heldBy).toBe(`${t.cache.instanceId}:1`);
    expect(t.bus.store.get(t.bus.keyOf('k'))).toBe('{"g":0,"v":"mine"}');
    expect(t.bus.store.has(leaseKey)).toBe(false);
  });

  it('releases the lease when the loader fails', async () => {
    const loader = jest.fn(async () => {
      expect(t.bus.store.has(leaseKey)).toBe(true);
      throw new Error('database down');
    });
    await expect(t.cache.getOrSet('k', loader, { lease: true })).rejects.toThrow('database down');
    await flush();
    expect(t.bus.store.has(leaseKey)).toBe(false);
  });

  it('releases the lease when the result cannot be cached', async () => {
    const loader = jest.fn(async () => {
      expect(t.bus.store.has(leaseKey)).toBe(true);
      return undefined;
    });
    await expect(t.cache.getOrSet('k', loader, { lease: true })).resolves.toBeUndefined();
    await flush();
    expect(t.bus.store.has(leaseKey)).toBe(false);
  });

  it('releases the lease when the key was deleted during the load', async () => {
    let finish!: (value: string) => void;
    const loader = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const call = t.cache.getOrSet('k', loader, { lease: true });
    await flush();
    expect(t.bus.store.has(leaseKey)).toBe(true);
    await t.cache.del('k');

    finish('outdated');
    await expect(call).resolves.toBe('outdated');
    await flush();
    expect(t.bus.store.has(leaseKey)).toBe(false);
    expect(t.bus.store.has(t.bus.keyOf('k'))).toBe(false);
  });

  it('releases by the script’s SHA1, sending the script itself only when Redis lacks it', async () => {
    const leaseOf = (key: string) => `t:cache:!lease:${key}`;
    await t.cache.getOrSet('a', async () => 'one', { lease: true });
    await flush();
    // A fresh Redis answers NOSCRIPT: one EVAL runs the script and caches it there.
    expect(t.bus.calls).toMatchObject({ evalsha: 1, eval: 1 });
    expect(t.bus.store.has(leaseOf('a'))).toBe(false);

    await t.cache.getOrSet('b', async () => 'two', { lease: true });
    await flush();
    expect(t.bus.calls).toMatchObject({ evalsha: 2, eval: 1 });
    expect(t.bus.store.has(leaseOf('b'))).toBe(false);

    t.bus.scripts.clear(); // SCRIPT FLUSH, or a restarted Redis
    await t.cache.getOrSet('c', async () => 'three', { lease: true });
    await flush();
    expect(t.bus.calls).toMatchObject({ evalsha: 3, eval: 2 });
    expect(t.bus.store.has(leaseOf('c'))).toBe(false);
  });

  it('leaves a lease that another instance took over in the meantime', async () => {
    const loader = jest.fn(async () => {
      t.bus.store.set(leaseKey, 'another-instance:7'); // ours expired, theirs now
      return 'mine';
    });
    await expect(t.cache.getOrSet('k', loader, { lease: true })).resolves.toBe('mine');
    await flush();
    expect(t.bus.store.get(leaseKey)).toBe('another-instance:7');
  });
});
