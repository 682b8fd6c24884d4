import { makeFakePool } from './testing/fake-model-loader';

/** missingRequiredModels(): what readiness waits for among the MODEL_PRELOAD models. */
describe('ModelPool: preload models and readiness', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function preloaded() {
    const fake = makeFakePool({ preload: ['a'], retryBaseMs: 60_000 });
    const preload = fake.pool.preloadAll();
    await jest.advanceTimersByTimeAsync(10);
    expect(await preload).toEqual([{ name: 'a' }]);
    return fake;
  }

  it('a preload model is missing until it has loaded once', async () => {
    const { pool } = makeFakePool({ preload: ['a', 'b'] });
    expect(pool.missingRequiredModels()).toEqual(['a', 'b']);
    const preload = pool.preloadAll();
    await jest.advanceTimersByTimeAsync(10);
    await preload;
    expect(pool.missingRequiredModels()).toEqual([]);
  });

  it('one unloaded since (evicted or deleted) still counts as ready: the next use reloads it', async () => {
    const { pool } = await preloaded();
    await pool.unload('a');
    expect(pool.missingRequiredModels()).toEqual([]);
  });

  it('one that later failed to load counts as missing again, until a load succeeds', async () => {
    const { pool, loader } = await preloaded();
    await pool.unload('a');
    loader.set('a', { failTimes: 1 });
    const failed = pool.load('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await failed).toMatchObject({ code: 'E_MODEL_LOAD_FAILED' });
    expect(pool.missingRequiredModels()).toEqual(['a']);

    const retried = pool.load('a');
    await jest.advanceTimersByTimeAsync(10);
    await expect(retried).resolves.toBe('loaded');
    expect(pool.missingRequiredModels()).toEqual([]);
  });

  it('models outside MODEL_PRELOAD never count, loaded or failing', async () => {
    const { pool, loader } = await preloaded();
    loader.set('b', { failTimes: 1 });
    const failed = pool.load('b').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await failed).toMatchObject({ code: 'E_MODEL_LOAD_FAILED' });
    expect(pool.missingRequiredModels()).toEqual([]);
  });
});
