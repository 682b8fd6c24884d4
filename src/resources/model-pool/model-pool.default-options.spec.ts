import { TimeoutAppError } from '../../common/errors/app-errors';
import { ModelLoadError } from './model-pool.errors';
import { MB } from './model-pool.util';
import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

/** What the pool does when the optional options are left out. */
describe('ModelPool: default options', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
    delete (globalThis as { gc?: () => void }).gc;
  });

  it('measures a footprint as the growth of heap plus external memory', async () => {
    const usage = process.memoryUsage();
    const sample = jest
      .spyOn(process, 'memoryUsage')
      .mockReturnValueOnce({ ...usage, heapUsed: 100 * MB, external: 10 * MB })
      .mockReturnValueOnce({ ...usage, heapUsed: 120 * MB, external: 15 * MB });
    const { pool } = makeFakePool({ measureMemoryBytes: undefined });
    const use = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await use;
    expect(sample).toHaveBeenCalledTimes(2);
    expect(modelOf(pool, 'a')).toMatchObject({ memory_mb: 25, measured: true });
  });

  it('collects garbage before each measurement when the process runs with --expose-gc', async () => {
    const gc = jest.fn();
    (globalThis as { gc?: () => void }).gc = gc;
    const { pool } = makeFakePool({ measureMemoryBytes: undefined });
    const use = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await use;
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('the wait for a load slot is bounded by the load timeout by default', async () => {
    const { pool, loader } = makeFakePool({ maxConcurrentLoads: 1, loadTimeoutMs: 500 });
    loader.set('a', { delayMs: 450 }).set('b', { delayMs: 450 }).set('c', { delayMs: 450 });
    const a = pool.withModel('a', () => 'a');
    const b = pool.withModel('b', () => 'b'); // waits 450 ms for the slot: within 500
    const c = pool.withModel('c', () => 'c').catch((e: unknown) => e); // would wait 900 ms
    await jest.advanceTimersByTimeAsync(500);
    expect(await c).toBeInstanceOf(TimeoutAppError);
    await jest.advanceTimersByTimeAsync(400);
    await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
  });

  it('the wait for a model in use to make room is bounded by the load timeout by default', async () => {
    const { pool, loader } = makeFakePool({ loadTimeoutMs: 500 }, [
      ['a', 600],
      ['b', 600],
    ]);
    loader.set('a', { sizeMb: 600 }).set('b', { sizeMb: 600 });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    await jest.advanceTimersByTimeAsync(10);
    const waiting = pool.withModel('b', () => 'b').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(499);
    expect(modelOf(pool, 'b').state).toBe('loading');
    await jest.advanceTimersByTimeAsync(1);
    expect(await waiting).toBeInstanceOf(TimeoutAppError);
    release.resolve();
    await held;
  });

  it('the drain timeout of an unload defaults to the load timeout', async () => {
    const { pool } = makeFakePool({ loadTimeoutMs: 500 });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    await jest.advanceTimersByTimeAsync(10);
    const unload = pool.unload('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(499);
    expect(modelOf(pool, 'a').state).toBe('unloading');
    await jest.advanceTimersByTimeAsync(1);
    expect(await unload).toBeInstanceOf(TimeoutAppError);
    release.resolve();
    await held;
  });

  it('the backoff starts at 1 s and doubles up to 60 s', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { failTimes: 8 });
    const delays: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const use = pool.withModel('a', () => 'a').catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(10);
      expect(await use).toBeInstanceOf(ModelLoadError);
      const delay = Date.parse(modelOf(pool, 'a').retry_at as string) - Date.now();
      delays.push(delay);
      await jest.advanceTimersByTimeAsync(delay);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });
});
