import { ResourceUnavailableError, TimeoutAppError } from '../../common/errors/app-errors';
import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

/**
 * A load whose room is held by a leased model (the victim is marked, not yet unloaded) waits
 * for the lease to end before calling its loader, at most the queue timeout.
 */
describe('ModelPool: waiting for a leased victim to make room', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** a (60 MB of a 100 MB budget) loaded and leased until `release`; b (60 MB) cold. */
  async function heldOverBudget(options = {}) {
    const fake = makeFakePool({ memoryLimitMb: 100, ...options }, [
      ['a', 60],
      ['b', 60],
    ]);
    fake.loader.set('a', { sizeMb: 60 }).set('b', { sizeMb: 60 });
    const lease = deferred();
    const held = fake.pool.withModel('a', () => lease.promise);
    await jest.advanceTimersByTimeAsync(10);
    expect(modelOf(fake.pool, 'a')).toMatchObject({ state: 'loaded', in_use: true });
    return { ...fake, held, release: () => lease.resolve() };
  }

  it('memory limit: the load waits for the leased victim to unload before loading beside it', async () => {
    const { pool, loader, held, release } = await heldOverBudget();
    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(loader.loadCalls).toEqual(['a']); // b never loads while a still holds its 60 MB
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'unloading', memory_mb: 60 });
    expect(modelOf(pool, 'b').state).toBe('loading');

    release();
    await held;
    await jest.advanceTimersByTimeAsync(10);
    await expect(b).resolves.toBe('b');
    expect(loader.unloaded).toEqual(['a']);
    expect(loader.loadCalls).toEqual(['a', 'b']);
    expect(pool.memoryUsedMb()).toBe(60);
    expect(pool.status().evictions_by_reason).toEqual({ count: 0, memory: 1, idle: 0, manual: 0 });
  });

  it('a lease that ends just inside the queue timeout lets the waiting load go ahead', async () => {
    const { pool, loader, held, release } = await heldOverBudget({ loadQueueTimeoutMs: 1_000 });
    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(999);
    release();
    await held;
    await jest.advanceTimersByTimeAsync(10);
    await expect(b).resolves.toBe('b');
    expect(loader.loadCalls).toEqual(['a', 'b']);
  });

  it('in-use timeout: 503 after the queue timeout, the reservation rolled back, no backoff', async () => {
    const { pool, loader, held, release } = await heldOverBudget({ loadQueueTimeoutMs: 1_000 });
    let settled = false;
    const b = pool
      .withModel('b', () => 'b')
      .catch((e: unknown) => e)
      .finally(() => (settled = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);

    const error = await b;
    expect(error).toBeInstanceOf(TimeoutAppError);
    expect(error).toMatchObject({ code: 'E_TIMEOUT', status: 503 });
    expect((error as Error).message).toBe(
      'model b: models in use did not finish within 1000 ms to make room',
    );
    // Nothing of b stays charged: only a's 60 MB, and b is not in error (not its fault).
    expect(modelOf(pool, 'b')).toMatchObject({ state: 'unloaded', memory_mb: 0, errors: 0 });
    expect(pool.memoryUsedMb()).toBe(60);
    expect(pool.status().load_failures).toBe(0);
    expect(loader.loadCalls).toEqual(['a']);

    // The victim still goes once its use ends, and b then loads on its next use.
    release();
    await held;
    await jest.advanceTimersByTimeAsync(0);
    expect(loader.unloaded).toEqual(['a']);
    expect(pool.memoryUsedMb()).toBe(0);
    const again = pool.withModel('b', () => 'b again');
    await jest.advanceTimersByTimeAsync(10);
    await expect(again).resolves.toBe('b again');
  });

  it('closing the pool during the wait fails the load without calling its loader', async () => {
    const { pool, loader, held, release } = await heldOverBudget();
    const b = pool.withModel('b', () => 'b').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    const closing = pool.close(500);
    await jest.advanceTimersByTimeAsync(1_000); // grace for the load, then for the lease
    await closing;

    expect(await b).toBeInstanceOf(ResourceUnavailableError);
    expect(loader.loadCalls).toEqual(['a']);
    expect(loader.unloaded).toEqual(['a']);
    expect(pool.memoryUsedMb()).toBe(0);
    release();
    await held;
  });

  it('a load waiting for another load that holds the room proceeds once that one finishes', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 100 }, [
      ['a', 80],
      ['b', 30],
      ['idle', 10], // registered, never used
    ]);
    loader.set('a', { delayMs: 300, sizeMb: 80 }).set('b', { sizeMb: 30 });
    const a = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(0);
    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(299);
    expect(loader.loadCalls).toEqual(['a']);
    await jest.advanceTimersByTimeAsync(11);
    await expect(a).resolves.toBe('a');
    await expect(b).resolves.toBe('b');
    expect(loader.loadCalls).toEqual(['a', 'b']);
    expect(loader.unloaded).toEqual(['a']); // idle by then: evicted for b
    expect(pool.status().evictions_by_reason.memory).toBe(1);
  });

  it('closing the pool while a load waits for another load fails it without calling its loader', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 100 }, [
      ['a', 80],
      ['b', 30],
    ]);
    loader.set('a', { delayMs: 300 });
    const a = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    const b = pool.withModel('b', () => 'b').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    const closing = pool.close(1_000);
    await jest.advanceTimersByTimeAsync(300);
    await closing;
    expect(await b).toBeInstanceOf(ResourceUnavailableError);
    expect(await a).toBeInstanceOf(ResourceUnavailableError);
    expect(loader.loadCalls).toEqual(['a']);
  });

  it('does not wait for an unrelated unload when the budget and the slots are exactly full', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 100, cacheSize: 2 }, [
      ['a', 50],
      ['b', 50],
    ]);
    loader.set('a', { sizeMb: 50 }).set('b', { sizeMb: 50 });
    const lease = deferred();
    const held = pool.withModel('a', () => lease.promise);
    await jest.advanceTimersByTimeAsync(10);
    const unload = pool.unload('a'); // waits for the use: a stays charged meanwhile

    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(10);
    // 50 (a, unloading) + 50 (b) = 100 of 100 MB, 2 of 2 slots: b loads without waiting.
    await expect(b).resolves.toBe('b');
    expect(pool.memoryUsedMb()).toBe(100);
    expect(modelOf(pool, 'a').state).toBe('unloading');
    lease.resolve();
    await held;
    await unload;
  });
});
