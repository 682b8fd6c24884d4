import { InsufficientStorageError } from '../../common/errors/app-errors';
import { ModelPool } from './model-pool';
import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

/** Uses a model once (loading it if needed) and lets 1 ms pass, so LRU order is clear. */
async function touch(pool: ModelPool, name: string): Promise<void> {
  const use = pool.withModel(name, () => name);
  await jest.advanceTimersByTimeAsync(10);
  await use;
  await jest.advanceTimersByTimeAsync(1);
}

describe('ModelPool: eviction', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('count: loading past MODEL_CACHE_SIZE evicts the least recently used idle model', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 2 });
    await touch(pool, 'a');
    await touch(pool, 'b');
    await touch(pool, 'a'); // b is now the least recently used
    await touch(pool, 'c');

    expect(loader.unloaded).toEqual(['b']);
    expect(modelOf(pool, 'a').state).toBe('loaded');
    expect(modelOf(pool, 'b')).toMatchObject({ state: 'unloaded', memory_mb: 0, loaded_at: null });
    expect(modelOf(pool, 'c').state).toBe('loaded');
    expect(pool.status().evictions_by_reason).toEqual({ count: 1, memory: 0, idle: 0, manual: 0 });
    expect(pool.status().evictions).toBe(1);
  });

  it('memory: evicts LRU idle models only until the estimate fits the budget', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 100 }, [
      ['a', 30],
      ['b', 30],
      ['c', 30],
      ['big', 60],
    ]);
    for (const name of ['a', 'b', 'c']) loader.set(name, { sizeMb: 30 });
    loader.set('big', { sizeMb: 60 });
    await touch(pool, 'c');
    await touch(pool, 'a');
    await touch(pool, 'b'); // LRU order: c, a, b — 90 of 100 MB used

    await touch(pool, 'big'); // needs 60: 90 + 60 - 100 = 50 to free → c and a, not b
    expect(loader.unloaded).toEqual(['c', 'a']);
    expect(modelOf(pool, 'b').state).toBe('loaded');
    expect(pool.memoryUsedMb()).toBe(90);
    expect(pool.status().evictions_by_reason.memory).toBe(2);
  });

  it('prefers an idle model over a leased one, even a more recently used idle one', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 2 });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise); // a: loaded first, leased
    await jest.advanceTimersByTimeAsync(11);
    await touch(pool, 'b');

    await touch(pool, 'c');
    expect(loader.unloaded).toEqual(['b']);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'loaded', in_use: true });
    release.resolve();
    await held;
  });

  it('never unloads a leased model: the load waits until the lease ends', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 1 });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    await jest.advanceTimersByTimeAsync(10);
    expect(modelOf(pool, 'a').in_use).toBe(true);

    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(5000);
    expect(loader.unloaded).toEqual([]); // a is still held: not unloaded under its caller
    expect(loader.loadCalls).toEqual(['a']); // and b does not load beside it
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'unloading', in_use: true });

    release.resolve();
    await held;
    await jest.advanceTimersByTimeAsync(10);
    await expect(b).resolves.toBe('b');
    expect(loader.unloaded).toEqual(['a']);
    expect(loader.loadCalls).toEqual(['a', 'b']);
  });

  it('507 when the estimate alone exceeds MODEL_MEMORY_LIMIT_MB, without loading', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 50 }, [
      ['a', 10],
      ['huge', 60],
    ]);
    await touch(pool, 'a');
    const error = await pool.withModel('huge', () => 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientStorageError);
    expect((error as InsufficientStorageError).status).toBe(507);
    expect((error as Error).message).toBe(
      'model huge needs about 60 MB, more than the 50 MB memory limit (MODEL_MEMORY_LIMIT_MB)',
    );
    expect(loader.loadCalls).toEqual(['a']);
    expect(loader.unloaded).toEqual([]); // nothing evicted for a load that can never fit
    expect(modelOf(pool, 'huge')).toMatchObject({ state: 'unloaded', errors: 0 });
  });

  it('507 when loads in progress hold the room and do not finish within the queue timeout', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 100, loadQueueTimeoutMs: 200 }, [
      ['a', 80],
      ['b', 30],
    ]);
    loader.set('a', { hang: true });
    const a = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(0);
    const b = pool.withModel('b', () => 'b').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(200);
    const error = await b;
    expect(error).toBeInstanceOf(InsufficientStorageError);
    expect((error as Error).message).toBe(
      'model b (about 30 MB) does not fit: 80 of 100 MB and 1 of 5 models are taken by models loading or in use',
    );
    expect(modelOf(pool, 'b')).toMatchObject({ state: 'unloaded', memory_mb: 0 });
    expect(loader.loadCalls).toEqual(['a']);
    loader.finishHung();
    await expect(a).resolves.toBe('a');
  });

  it('a load that waits for an in-progress load then evicts it once idle', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 1 });
    loader.set('a', { delayMs: 100 });
    const a = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(0);
    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(200);
    await expect(a).resolves.toBe('a');
    await expect(b).resolves.toBe('b');
    expect(loader.unloaded).toEqual(['a']);
  });

  it('records the measured footprint and budgets the next load with it', async () => {
    let bytes = 0;
    const { pool, loader } = makeFakePool({ memoryLimitMb: 40, measureMemoryBytes: () => bytes }, [
      ['a', 10],
      ['b', 20],
    ]);
    loader.set('a', { delayMs: 10 }); // reports no size: the pool measures it
    loader.set('b', { sizeMb: 20 });
    const use = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(5);
    bytes += 25 * 1024 * 1024; // the load grew heap + external by 25 MB
    await jest.advanceTimersByTimeAsync(5);
    await use;
    expect(modelOf(pool, 'a')).toMatchObject({ memory_mb: 25, estimated_mb: 25, measured: true });

    await pool.unload('a');
    await touch(pool, 'b'); // 20 MB
    // With the declared 10 MB, a would fit beside b (30 <= 40); with the measured 25 it cannot.
    await touch(pool, 'a');
    expect(loader.unloaded).toEqual(['a', 'b']);
    // Each load measures again: this one grew nothing, so it is recorded at the 1 MB floor.
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'loaded', memory_mb: 1 });
  });

  it('floors a measured footprint at the minimum (a load can shrink the heap)', async () => {
    let bytes = 100 * 1024 * 1024;
    const { pool, loader } = makeFakePool({ measureMemoryBytes: () => bytes, minFootprintMb: 2 });
    loader.set('a', { delayMs: 10 });
    const use = pool.withModel('a', () => 'a');
    bytes -= 30 * 1024 * 1024; // GC ran during the load
    await jest.advanceTimersByTimeAsync(10);
    await use;
    expect(modelOf(pool, 'a').memory_mb).toBe(2);
  });

  it('after a load measures more than its estimate, evicts idle LRU models to get back under', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 100 }, [
      ['a', 30],
      ['b', 30],
      ['c', 30],
    ]);
    loader.set('a', { sizeMb: 30 });
    loader.set('b', { sizeMb: 30 });
    loader.set('c', { sizeMb: 60 }); // estimated 30, really 60
    await touch(pool, 'a');
    await touch(pool, 'b');
    await touch(pool, 'c'); // 30 + 30 + 30 fits; measured 120 does not → a (LRU) goes
    expect(loader.unloaded).toEqual(['a']);
    expect(pool.memoryUsedMb()).toBe(90);
    expect(pool.status().evictions_by_reason).toEqual({ count: 0, memory: 1, idle: 0, manual: 0 });
  });

  it('a model whose estimate equals MODEL_MEMORY_LIMIT_MB exactly fits', async () => {
    const { pool, loader } = makeFakePool({ memoryLimitMb: 50 }, [['whole', 50]]);
    loader.set('whole', { sizeMb: 50 });
    await touch(pool, 'whole');
    expect(modelOf(pool, 'whole')).toMatchObject({ state: 'loaded', memory_mb: 50 });
  });
});
