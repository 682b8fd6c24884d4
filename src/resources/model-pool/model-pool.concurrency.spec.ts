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
    expect((error as Error).message).toBe('model b: no load slot within 50 ms (1 loads at once)');
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

  it('a model in error that then gets no slot stays in error (its backoff unchanged)', async () => {
    const { pool, loader } = makeFakePool({
      maxConcurrentLoads: 1,
      loadQueueTimeoutMs: 50,
      retryBaseMs: 1000,
    });
    loader.set('a', { failTimes: 1 });
    const failed = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    await failed;
    const retryAt = modelOf(pool, 'a').retry_at;
    await jest.advanceTimersByTimeAsync(1000); // backoff over

    loader.set('b', { hang: true });
    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(0);
    const retry = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(50);
    expect(await retry).toBeInstanceOf(TimeoutAppError);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'error', errors: 1, retry_at: retryAt });
    expect(pool.status().load_failures).toBe(1);
    loader.finishHung();
    await expect(b).resolves.toBe('b');
  });
});
