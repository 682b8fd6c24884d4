import { ModelLoadError } from './model-pool.errors';
import { FakeModel, REQUEST, makeFakePool, modelOf } from './testing/fake-model-loader';

describe('ModelPool: lazy single-flight loads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('does not load anything until a model is first used', async () => {
    const { pool, loader } = makeFakePool();
    await jest.advanceTimersByTimeAsync(1000);
    expect(loader.loadCalls).toEqual([]);
    expect(modelOf(pool, 'a').state).toBe('unloaded');
  });

  it('50 concurrent uses of a cold model share one load', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { delayMs: 100, sizeMb: 10 });
    const uses = Array.from({ length: 50 }, (_, i) =>
      pool.withModel('a', (m: FakeModel) => m.generate({ ...REQUEST, text: `#${i}` })),
    );
    expect(modelOf(pool, 'a').state).toBe('loading');
    await jest.advanceTimersByTimeAsync(100);
    const results = await Promise.all(uses);

    expect(loader.loadCalls).toEqual(['a']);
    expect(results.map((r) => r.text)).toEqual(uses.map((_, i) => `a: #${i}`));
    const a = modelOf(pool, 'a');
    expect(a).toMatchObject({ state: 'loaded', access_count: 50, inferences: 50, in_use: false });
    expect(a.memory_mb).toBe(10);
    expect(pool.status().loads).toBe(1);
  });

  it('admin loads and uses arriving together share the same load', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { delayMs: 100 });
    const calls = [
      ...Array.from({ length: 10 }, () => pool.load('a')),
      ...Array.from({ length: 10 }, () => pool.withModel('a', () => 'used')),
    ];
    await jest.advanceTimersByTimeAsync(100);
    const outcomes = await Promise.all(calls);
    expect(loader.loadCalls).toEqual(['a']);
    expect(outcomes.slice(0, 10)).toEqual(Array(10).fill('loaded'));
    expect(outcomes.slice(10)).toEqual(Array(10).fill('used'));
  });

  it('a warm model is not loaded again', async () => {
    const { pool, loader } = makeFakePool();
    const first = pool.withModel('a', () => 1);
    await jest.advanceTimersByTimeAsync(10);
    await first;
    await pool.withModel('a', () => 2);
    await pool.withModel('a', () => 3);
    expect(loader.loadsOf('a')).toBe(1);
    expect(modelOf(pool, 'a').access_count).toBe(3);
  });

  it('a failed shared load rejects every waiter, after one load', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { delayMs: 50, failTimes: 1, failMessage: 'weights corrupt' });
    const uses = Array.from({ length: 20 }, () =>
      pool
        .withModel('a', () => 'never')
        .then(
          () => 'resolved',
          (error: unknown) => error,
        ),
    );
    await jest.advanceTimersByTimeAsync(50);
    const outcomes = await Promise.all(uses);
    expect(loader.loadCalls).toEqual(['a']);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(ModelLoadError);
      expect((outcome as Error).message).toContain('weights corrupt');
    }
  });
});
