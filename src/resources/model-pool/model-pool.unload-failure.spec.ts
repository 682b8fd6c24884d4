import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

/** A model whose own unload() throws is still dropped: the failure is recorded, not fatal. */
describe('ModelPool: a model that fails to unload', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('manual unload: records the error, frees the budget and can load the model again', async () => {
    const { pool, loader } = makeFakePool({}, [['a', 10]]);
    loader.set('a', { sizeMb: 10, unloadFailMessage: 'device busy' });
    const load = pool.load('a');
    await jest.advanceTimersByTimeAsync(10);
    await load;

    await expect(pool.unload('a')).resolves.toBeUndefined();
    expect(modelOf(pool, 'a')).toMatchObject({
      state: 'unloaded',
      memory_mb: 0,
      loaded_at: null,
      errors: 1,
      last_error: 'unload: device busy',
    });
    expect(pool.memoryUsedMb()).toBe(0);

    const again = pool.withModel('a', () => 'again');
    await jest.advanceTimersByTimeAsync(10);
    await expect(again).resolves.toBe('again');
    expect(loader.loadsOf('a')).toBe(2);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'loaded', memory_mb: 10, errors: 1 });
  });

  it('eviction: the load that needed the room goes ahead', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 1 });
    loader.set('a', { unloadFailMessage: 'device busy' });
    const a = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await a;
    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(10);
    await expect(b).resolves.toBe('b');
    expect(modelOf(pool, 'a')).toMatchObject({
      state: 'unloaded',
      last_error: 'unload: device busy',
    });
    expect(modelOf(pool, 'b').state).toBe('loaded');
    expect(pool.status().evictions_by_reason.count).toBe(1);
  });

  it('close: still resolves and leaves nothing charged', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { unloadFailMessage: 'device busy' });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    await jest.advanceTimersByTimeAsync(10);
    const closing = pool.close(1_000);
    release.resolve();
    await held;
    await expect(closing).resolves.toBeUndefined();
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'unloaded', errors: 1 });
    expect(pool.memoryUsedMb()).toBe(0);
  });
});
