import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

describe('ModelPool: idle unload (MODEL_IDLE_TTL)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('the sweeper unloads a model unused for the TTL, and not before', async () => {
    const { pool, loader } = makeFakePool({ idleTtlMs: 10_000 });
    pool.startIdleSweeper(); // every 5 s
    const use = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await use;

    await jest.advanceTimersByTimeAsync(9_000);
    expect(modelOf(pool, 'a').state).toBe('loaded');
    await jest.advanceTimersByTimeAsync(6_000);
    expect(modelOf(pool, 'a').state).toBe('unloaded');
    expect(loader.unloaded).toEqual(['a']);
    expect(pool.status().evictions_by_reason.idle).toBe(1);
    await pool.close(0);
  });

  it('each use restarts the idle clock', async () => {
    const { pool } = makeFakePool({ idleTtlMs: 10_000 });
    const first = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await first;
    await jest.advanceTimersByTimeAsync(8_000);
    await pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(8_000);
    expect(await pool.sweepIdle()).toEqual([]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(await pool.sweepIdle()).toEqual(['a']);
  });

  it('never unloads a model in use, however long the use', async () => {
    const { pool, loader } = makeFakePool({ idleTtlMs: 1_000 });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(await pool.sweepIdle()).toEqual([]);
    expect(loader.unloaded).toEqual([]);
    release.resolve();
    await held;
  });

  it('keeps preload models, and the sweep retries a failed one after its backoff', async () => {
    const { pool, loader } = makeFakePool({ idleTtlMs: 1_000, preload: ['a'], retryBaseMs: 5_000 });
    loader.set('a', { failTimes: 1 });
    const preload = pool.preloadAll();
    await jest.advanceTimersByTimeAsync(10);
    expect(await preload).toEqual([{ name: 'a', error: 'model a failed to load: cannot load a' }]);
    expect(pool.missingRequiredModels()).toEqual(['a']);

    await pool.sweepIdle(); // backoff not over: no retry yet
    await jest.advanceTimersByTimeAsync(10);
    expect(loader.loadsOf('a')).toBe(1);
    await jest.advanceTimersByTimeAsync(4_990);
    await pool.sweepIdle();
    await jest.advanceTimersByTimeAsync(10);
    expect(loader.loadsOf('a')).toBe(2);
    expect(modelOf(pool, 'a').state).toBe('loaded');
    expect(pool.missingRequiredModels()).toEqual([]);

    await jest.advanceTimersByTimeAsync(60_000);
    expect(await pool.sweepIdle()).toEqual([]); // preload models are not idle-unloaded
    await jest.advanceTimersByTimeAsync(10);
    expect(loader.loadsOf('a')).toBe(2); // and a loaded one is not loaded again
  });

  it('close stops the sweeper timer', async () => {
    const { pool } = makeFakePool({ idleTtlMs: 1_000 });
    const before = jest.getTimerCount();
    pool.startIdleSweeper();
    expect(jest.getTimerCount()).toBe(before + 1);
    await pool.close(0);
    expect(jest.getTimerCount()).toBe(before);
  });

  it('the idle clock starts when a use ends, not when it began', async () => {
    const { pool } = makeFakePool({ idleTtlMs: 10_000 });
    const use = pool.withModel(
      'a',
      () => new Promise<string>((resolve) => setTimeout(() => resolve('a'), 8_000)),
    );
    await jest.advanceTimersByTimeAsync(8_010); // loaded at 10 ms, used until 8.01 s
    await use;
    await jest.advanceTimersByTimeAsync(9_999);
    expect(await pool.sweepIdle()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(await pool.sweepIdle()).toEqual(['a']);
  });

  it('the sweep retries only preload models: a failed on-demand model waits for its next use', async () => {
    const { pool, loader } = makeFakePool({ idleTtlMs: 1_000, retryBaseMs: 1_000 });
    loader.set('b', { failTimes: 1 });
    const failed = pool.withModel('b', () => 'b').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await failed).toMatchObject({ code: 'E_MODEL_LOAD_FAILED' });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await pool.sweepIdle()).toEqual([]);
    await jest.advanceTimersByTimeAsync(10);
    expect(loader.loadsOf('b')).toBe(1);
    expect(modelOf(pool, 'b').state).toBe('error');
  });

  it('a preload model unloaded by hand is not reloaded by the sweep', async () => {
    const { pool, loader } = makeFakePool({ idleTtlMs: 1_000, preload: ['a'] });
    const preload = pool.preloadAll();
    await jest.advanceTimersByTimeAsync(10);
    await preload;
    await pool.unload('a');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await pool.sweepIdle()).toEqual([]);
    await jest.advanceTimersByTimeAsync(10);
    expect(loader.loadsOf('a')).toBe(1);
    expect(modelOf(pool, 'a').state).toBe('unloaded');
  });

  it('after close the sweep does nothing', async () => {
    const { pool } = makeFakePool({ idleTtlMs: 1_000 });
    const use = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await use;
    await pool.close(0);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await pool.sweepIdle()).toEqual([]);
  });
});
