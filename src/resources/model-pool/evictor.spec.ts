import { InsufficientStorageError, TimeoutAppError } from '../../common/errors/app-errors';
import { Evictor } from './evictor';
import { ModelEntry } from './model-entry';
import { PoolContext } from './model-pool.context';
import { ModelPoolOptions } from './model-pool.options';
import {
  deferred,
  FakeLoader,
  fakeLoaders,
  FakeModel,
  fakeRegistry,
} from './testing/fake-model-loader';

function setup(options: Partial<ModelPoolOptions> = {}) {
  const loader = new FakeLoader();
  const logger = { log: jest.fn(), warn: jest.fn() };
  const ctx = new PoolContext(
    fakeRegistry([
      ['a', 10],
      ['b', 10],
      ['c', 10],
    ]),
    fakeLoaders(loader),
    {
      cacheSize: 5,
      memoryLimitMb: 100,
      maxConcurrentLoads: 2,
      loadTimeoutMs: 10_000,
      idleTtlMs: 60_000,
      logger,
      ...options,
    },
  );
  /** Puts `name` in the loaded state with a fake model of `memoryMb`. */
  const loaded = (name: string, memoryMb: number, fields: Partial<ModelEntry> = {}): ModelEntry =>
    Object.assign(ctx.entryOf(name), {
      state: 'loaded',
      memoryMb,
      loadedAt: 1,
      model: new FakeModel(name, memoryMb, loader.unloaded),
      ...fields,
    });
  /** Puts `name` in a load in progress that never finishes by itself. */
  const loading = (name: string, reserved: boolean): ModelEntry =>
    Object.assign(ctx.entryOf(name), {
      state: 'loading',
      reserved,
      memoryMb: reserved ? 10 : 0,
      loading: deferred().promise,
    });
  return { ctx, evictor: new Evictor(ctx), loader, logger, loaded, loading };
}

/** How `promise` has settled after pending microtasks ran, with no timer fired. */
async function outcomeWithoutTime(promise: Promise<unknown>) {
  let outcome: { error?: unknown } | undefined;
  promise.then(
    () => (outcome = {}),
    (error: unknown) => (outcome = { error }),
  );
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
  return outcome;
}

describe('Evictor', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('evict', () => {
    it('marks the model unloading at once and unloads it only when its lease ends', async () => {
      const { evictor, loader, logger, loaded } = setup();
      const a = loaded('a', 30, { leases: 1 });

      const done = evictor.evict(a, 'count');
      expect(a.state).toBe('unloading');
      expect(evictor.counts).toEqual({ count: 1, memory: 0, idle: 0, manual: 0 });
      expect(logger.log).toHaveBeenCalledWith('unloading model a (count)');
      await jest.advanceTimersByTimeAsync(1000);
      expect(loader.unloaded).toEqual([]);

      a.leases = 0;
      a.wakeDrainWaiters();
      await done;
      expect(loader.unloaded).toEqual(['a']);
      expect(a).toMatchObject({ state: 'unloaded', memoryMb: 0, model: undefined });
    });

    it('an unload() that throws is recorded and warned, and the model is still dropped', async () => {
      const { evictor, logger, loaded } = setup();
      const a = loaded('a', 30, { model: new FakeModel('a', 30, [], 'device busy') });

      await evictor.evict(a, 'manual');
      expect(a).toMatchObject({ state: 'unloaded', errors: 1, lastError: 'unload: device busy' });
      expect(logger.warn).toHaveBeenCalledWith('unloading model a failed: device busy');
    });

    it('an entry holding no model object is reset without recording an unload error', async () => {
      const { evictor, loading } = setup();
      const a = loading('a', true);

      await evictor.evict(a, 'shutdown');
      expect(a).toMatchObject({ state: 'unloaded', errors: 0, memoryMb: 0 });
      expect(a.lastError).toBeUndefined();
      expect(evictor.counts).toEqual({ count: 0, memory: 0, idle: 0, manual: 0 });
    });
  });

  describe('makeRoom', () => {
    it('fails at once (507) when no load in flight can free the room, without waiting', async () => {
      const { evictor, loading } = setup({ cacheSize: 0 });
      loading('b', false); // another load still waiting for its own room holds nothing
      const a = loading('a', false);

      const outcome = await outcomeWithoutTime(evictor.makeRoom(a, 10));
      expect(outcome?.error).toBeInstanceOf(InsufficientStorageError);
      expect(outcome?.error).toMatchObject({ code: 'E_INSUFFICIENT_STORAGE', status: 507 });
      expect(a).toMatchObject({ reserved: false, memoryMb: 0 });
    });

    it('with no queue time left, fails at once (507) instead of waiting for a load in flight', async () => {
      const { evictor, loading } = setup({ cacheSize: 1, loadQueueTimeoutMs: 0 });
      loading('b', true);
      const a = loading('a', false);

      const outcome = await outcomeWithoutTime(evictor.makeRoom(a, 10));
      expect(outcome?.error).toBeInstanceOf(InsufficientStorageError);
    });

    it('gives up (503 E_TIMEOUT) on a leased victim after the queue timeout and frees its reservation', async () => {
      const { ctx, evictor, loaded, loading } = setup({ cacheSize: 1, loadQueueTimeoutMs: 500 });
      const b = loaded('b', 30, { leases: 1 });
      const a = loading('a', false);

      const room = evictor.makeRoom(a, 10);
      const failed = expect(room).rejects.toBeInstanceOf(TimeoutAppError);
      await jest.advanceTimersByTimeAsync(499);
      expect(a).toMatchObject({ reserved: true, memoryMb: 10 });
      expect(b.state).toBe('unloading');

      await jest.advanceTimersByTimeAsync(1);
      await failed;
      await expect(room).rejects.toMatchObject({ code: 'E_TIMEOUT', status: 503 });
      expect(a).toMatchObject({ reserved: false, memoryMb: 0 });
      expect(ctx.slotsUsed()).toBe(0);
    });
  });

  describe('trimAfterLoad', () => {
    it('evicts idle LRU models for memory and warns while leased ones keep it over the limit', () => {
      const { evictor, logger, loaded } = setup({ memoryLimitMb: 100 });
      const a = loaded('a', 80, { loadedAt: 5 });
      const b = loaded('b', 30, { loadedAt: 1, leases: 1 });
      const c = loaded('c', 20, { loadedAt: 2 });

      evictor.trimAfterLoad(a);
      expect(c.state).toBe('unloading');
      expect([a.state, b.state]).toEqual(['loaded', 'loaded']);
      expect(evictor.counts.memory).toBe(1);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        'model a measured 80 MB: 110 MB in use, over the 100 MB limit until models in use are released',
      );
    });

    it('does not warn when the trim lands exactly on the limit', () => {
      const { evictor, logger, loaded } = setup({ memoryLimitMb: 100 });
      const a = loaded('a', 80, { loadedAt: 5 });
      const b = loaded('b', 10, { loadedAt: 1 });
      const c = loaded('c', 20, { loadedAt: 2 });

      evictor.trimAfterLoad(a);
      expect([a.state, b.state, c.state]).toEqual(['loaded', 'unloading', 'loaded']);
      expect(logger.warn).not.toHaveBeenCalled();
    });
  });
});
