import { makeFakePool } from './testing/fake-model-loader';

/**
 * More models wanted at once than the pool holds. A model a load brought in must reach the
 * callers that waited for it before a load queued behind it may evict it; otherwise two models
 * that cannot be held together evict each other for ever and no caller is ever answered.
 */
describe('ModelPool under contention for room', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('with room for one model, two callers of two models are both answered, one after the other', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 1, maxConcurrentLoads: 1 });
    const uses = [pool.withModel('a', () => 'used a'), pool.withModel('b', () => 'used b')];
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(Promise.all(uses)).resolves.toEqual(['used a', 'used b']);
    expect(loader.loadCalls).toEqual(['a', 'b']);
    await pool.close(1_000);
  });

  it('with two slots and room for two, three callers of three models are all answered', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 2, maxConcurrentLoads: 2 });
    const uses = ['a', 'b', 'c'].map((name) => pool.withModel(name, () => name));
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(Promise.all(uses)).resolves.toEqual(['a', 'b', 'c']);
    expect(loader.loadCalls).toHaveLength(3);
    await pool.close(1_000);
  });

  it('two admin loads of two models that cannot be held together both report loaded', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 1, maxConcurrentLoads: 1 });
    const loads = [pool.load('a'), pool.load('b')];
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(Promise.all(loads)).resolves.toEqual(['loaded', 'loaded']);
    // Each was loaded once; the second evicted the first, which nobody was using.
    expect(loader.loadCalls).toEqual(['a', 'b']);
    expect(pool.status().models.map((m) => [m.name, m.state])).toContainEqual(['b', 'loaded']);
    await pool.close(1_000);
  });
});
