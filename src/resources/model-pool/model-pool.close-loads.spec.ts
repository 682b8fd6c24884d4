import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

/** What close() does with loads: queued ones are cancelled, running ones awaited (bounded). */
describe('ModelPool: close with loads queued or running', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('rejects a load queued for a slot at once, without waiting for the running load', async () => {
    const { pool, loader } = makeFakePool({ maxConcurrentLoads: 1 });
    loader.set('a', { delayMs: 1_000 });
    const a = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    let queuedSettled = false;
    const b = pool
      .withModel('b', () => 'b')
      .catch((e: unknown) => e)
      .finally(() => (queuedSettled = true));
    await jest.advanceTimersByTimeAsync(0);

    const closing = pool.close(5_000);
    await jest.advanceTimersByTimeAsync(0);
    expect(queuedSettled).toBe(true);
    expect(await b).toBeInstanceOf(ResourceUnavailableError);
    expect(await b).toMatchObject({
      code: 'E_RESOURCE_UNAVAILABLE',
      message: 'models is closed',
    });
    expect(modelOf(pool, 'b')).toMatchObject({ state: 'unloaded', errors: 0 });
    expect(modelOf(pool, 'a').state).toBe('loading'); // still running

    await jest.advanceTimersByTimeAsync(1_000);
    await closing;
    expect(await a).toBeInstanceOf(ResourceUnavailableError);
    expect(loader.loadCalls).toEqual(['a']);
  });

  it('waits for a running load, then unloads what it loaded before resolving', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { delayMs: 300 });
    const a = pool.load('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    let closed = false;
    const closing = pool.close(1_000).then(() => (closed = true));

    await jest.advanceTimersByTimeAsync(299);
    expect(closed).toBe(false);
    expect(loader.unloaded).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    expect(loader.unloaded).toEqual(['a']);
    expect(await a).toBeInstanceOf(ResourceUnavailableError);
    expect(pool.memoryUsedMb()).toBe(0);
    expect(pool.status().loads_in_progress).toBe(0);
  });

  it('stops waiting for a hung load after the grace; its late result is unloaded', async () => {
    const { pool, loader } = makeFakePool({ loadTimeoutMs: 60_000 });
    loader.set('a', { hang: true });
    const a = pool.load('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    let closed = false;
    const closing = pool.close(500).then(() => (closed = true));

    await jest.advanceTimersByTimeAsync(499);
    expect(closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(closing).resolves.toBe(true);
    expect(modelOf(pool, 'a').state).toBe('loading');

    loader.finishHung();
    await jest.advanceTimersByTimeAsync(0);
    expect(await a).toBeInstanceOf(ResourceUnavailableError);
    expect(loader.unloaded).toEqual(['a']);
    expect(pool.memoryUsedMb()).toBe(0);
  });

  it('waits for every running load, not only the first to finish', async () => {
    const { pool, loader } = makeFakePool({ maxConcurrentLoads: 2 });
    loader.set('a', { delayMs: 100 }).set('b', { delayMs: 400 });
    const uses = ['a', 'b'].map((name) => pool.load(name).catch((e: unknown) => e));
    await jest.advanceTimersByTimeAsync(0);
    let closed = false;
    const closing = pool.close(1_000).then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(399);
    expect(closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    expect([...loader.unloaded].sort()).toEqual(['a', 'b']);
    for (const outcome of await Promise.all(uses)) {
      expect(outcome).toBeInstanceOf(ResourceUnavailableError);
    }
  });

  it('isClosed turns true, and a second close during the first does not cut its grace short', async () => {
    const { pool, loader } = makeFakePool();
    const lease = deferred();
    const held = pool.withModel('a', () => lease.promise);
    await jest.advanceTimersByTimeAsync(10);
    expect(pool.isClosed).toBe(false);

    const first = pool.close(10_000);
    expect(pool.isClosed).toBe(true);
    await expect(pool.close(0)).resolves.toBeUndefined(); // no-op: no grace of 0 ms
    await jest.advanceTimersByTimeAsync(100);
    expect(loader.unloaded).toEqual([]); // a is still in use: not unloaded under it
    lease.resolve();
    await held;
    await first;
    expect(loader.unloaded).toEqual(['a']);
  });
});
