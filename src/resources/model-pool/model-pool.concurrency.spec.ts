import { TimeoutAppError } from '../../common/errors/app-errors';
import { makeFakePool, modelOf } from './testing/fake-model-loader';

describe('ModelPool: the load semaphore (MODEL_MAX_CONCURRENT_LOADS)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('loads two different cold models in parallel; a third waits for a slot', async () => {
    const { pool, loader } = makeFakePool({ maxConcurrentLoads: 2 });
    for (const name of ['a', 'b', 'c']) loader.set(name, { delayMs: 100 });
    const uses = ['a', 'b', 'c'].map((name) => pool.withModel(name, () => name));

    await jest.advanceTimersByTimeAsync(0);
    expect(loader.loadCalls).toEqual(['a', 'b']);
    expect(loader.active).toBe(2);
    expect(pool.status().loads_in_progress).toBe(2);
    expect(modelOf(pool, 'c').state).toBe('loading');

    await jest.advanceTimersByTimeAsync(99);
    expect(loader.loadCalls).toEqual(['a', 'b']); // both still running: parallel, not serial

    await jest.advanceTimersByTimeAsync(1);
    expect(loader.loadCalls).toEqual(['a', 'b', 'c']);
    expect(modelOf(pool, 'a').state).toBe('loaded');
    expect(modelOf(pool, 'b').state).toBe('loaded');

    await jest.advanceTimersByTimeAsync(100);
    await expect(Promise.all(uses)).resolves.toEqual(['a', 'b', 'c']);
    expect(loader.maxActive).toBe(2);
  });

  it('with one slot, loads run one after another', async () => {
    const { pool, loader } = makeFakePool({ maxConcurrentLoads: 1 });
    for (const name of ['a', 'b']) loader.set(name, { delayMs: 100 });
    const uses = ['a', 'b'].map((name) => pool.withModel(name, () => name));
    await jest.advanceTimersByTimeAsync(100);
    expect(loader.loadCalls).toEqual(['a', 'b']);
    expect(modelOf(pool, 'b').state).toBe('loading');
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(uses);
    expect(loader.maxActive).toBe(1);
  });

  it('a load queued past the queue timeout fails with 503 and leaves no error behind', async () => {
    const { pool, loader } = makeFakePool({ maxConcurrentLoads: 1, loadQueueTimeoutMs: 50 });
    loader.set('a', { delayMs: 200 });
    const a = pool.withModel('a', () => 'a');
    const b = pool.withModel('b', () => 'b').catch((error: unknown) => error);

    await jest.advanceTimersByTimeAsync(50);
    const error = await b;
    expect(error).toBeInstanceOf(TimeoutAppError);
    expect((error as TimeoutAppError).status).toBe(503);
    // Queue full is not the model's fault: no `error` state, no backoff.
    expect(modelOf(pool, 'b')).toMatchObject({ state: 'unloaded', errors: 0, memory_mb: 0 });
    expect(pool.status().load_failures).toBe(0);

    await jest.advanceTimersByTimeAsync(150);
    await expect(a).resolves.toBe('a');
    // The abandoned queue ticket handed its slot on: b loads now, straight away.
    const again = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(10);
    await expect(again).resolves.toBe('b');
    expect(loader.loadCalls).toEqual(['a', 'b']);
  });
});
