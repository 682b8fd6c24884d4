import { ModelPoolLogger } from './model-pool';
import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

/** A pool whose logger records the warnings, with a and b loaded. */
async function poolWithAAndB(): Promise<ReturnType<typeof makeFakePool> & { warn: jest.Mock }> {
  const warn = jest.fn();
  const logger: ModelPoolLogger = { log: jest.fn(), warn };
  const made = makeFakePool({ logger, idleTtlMs: 1_000 });
  const loads = Promise.all([made.pool.load('a'), made.pool.load('b')]);
  await jest.advanceTimersByTimeAsync(10);
  await loads;
  return { ...made, warn };
}

/** What close() does with loaded models, uses still running, and sweeps meanwhile. */
describe('ModelPool: close', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('unloads every loaded model without a warning when nothing is in use', async () => {
    const { pool, loader, warn } = await poolWithAAndB();
    const closing = pool.close(1_000);
    await jest.advanceTimersByTimeAsync(0);
    await closing;
    expect([...loader.unloaded].sort()).toEqual(['a', 'b']);
    expect(warn).not.toHaveBeenCalled();
  });

  it('after the grace, warns naming only the models still in use, and unloads them all', async () => {
    const { pool, loader, warn } = await poolWithAAndB();
    const lease = deferred();
    const held = pool.withModel('a', () => lease.promise);
    await jest.advanceTimersByTimeAsync(0);

    const closing = pool.close(100);
    await jest.advanceTimersByTimeAsync(100);
    await closing;
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('unloading a with uses still running after 100 ms');
    expect([...loader.unloaded].sort()).toEqual(['a', 'b']);
    lease.resolve();
    await held;
  });

  it('an idle sweep while close waits for a load unloads nothing (close does it)', async () => {
    const { pool, loader } = await poolWithAAndB();
    await jest.advanceTimersByTimeAsync(2_000); // a and b are idle past the TTL
    loader.set('c', { delayMs: 500 });
    const c = pool.load('c').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    const closing = pool.close(1_000); // waits for c's load first

    await expect(pool.sweepIdle()).resolves.toEqual([]);
    expect(modelOf(pool, 'a').state).toBe('loaded');
    expect(pool.status().evictions_by_reason.idle).toBe(0);
    await jest.advanceTimersByTimeAsync(500);
    await closing;
    await c;
    expect([...loader.unloaded].sort()).toEqual(['a', 'b', 'c']);
  });
});
