import {
  NotFoundAppError,
  ResourceUnavailableError,
  TimeoutAppError,
} from '../../common/errors/app-errors';
import { deferred, makeFakePool, modelOf } from './testing/fake-model-loader';

describe('ModelPool: unload (DELETE) and close', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function loaded(name = 'a', options = {}) {
    const fake = makeFakePool(options);
    const load = fake.pool.load(name);
    await jest.advanceTimersByTimeAsync(10);
    await load;
    return fake;
  }

  it('unload waits for in-flight uses to finish, then unloads', async () => {
    const { pool, loader } = await loaded();
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    let done = false;
    const unload = pool.unload('a').then(() => (done = true));
    await jest.advanceTimersByTimeAsync(1000);
    expect(done).toBe(false);
    expect(loader.unloaded).toEqual([]);

    release.resolve();
    await held;
    await unload;
    expect(loader.unloaded).toEqual(['a']);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'unloaded', memory_mb: 0 });
    expect(pool.status().evictions_by_reason.manual).toBe(1);
  });

  it('a use that arrives while the model is unloading waits, then loads it again', async () => {
    const { pool, loader } = await loaded();
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    const unload = pool.unload('a');
    const late = pool.withModel('a', () => 'late');
    await jest.advanceTimersByTimeAsync(100);
    release.resolve();
    await held;
    await unload;
    await jest.advanceTimersByTimeAsync(10);
    await expect(late).resolves.toBe('late');
    expect(loader.loadsOf('a')).toBe(2);
  });

  it('unload of a model that is not loaded, or unknown, is 404', async () => {
    const { pool } = makeFakePool();
    await expect(pool.unload('a')).rejects.toBeInstanceOf(NotFoundAppError);
    await expect(pool.unload('nope')).rejects.toBeInstanceOf(NotFoundAppError);
  });

  it('unload gives up waiting after drainTimeoutMs (503) but still unloads when the use ends', async () => {
    const { pool, loader } = await loaded('a', { drainTimeoutMs: 1000 });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    const unload = pool.unload('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await unload).toBeInstanceOf(TimeoutAppError);
    expect(modelOf(pool, 'a').state).toBe('unloading');
    release.resolve();
    await held;
    await jest.advanceTimersByTimeAsync(0);
    expect(loader.unloaded).toEqual(['a']);
  });

  it('close refuses new uses with 503, lets running uses finish, unloads every model', async () => {
    const { pool, loader } = await loaded();
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    const closing = pool.close(10_000);
    await expect(pool.withModel('a', () => 'x')).rejects.toBeInstanceOf(ResourceUnavailableError);
    await expect(pool.load('b')).rejects.toBeInstanceOf(ResourceUnavailableError);
    await jest.advanceTimersByTimeAsync(100);
    expect(loader.unloaded).toEqual([]);
    release.resolve();
    await held;
    await closing;
    expect(loader.unloaded).toEqual(['a']);
    await expect(pool.close(0)).resolves.toBeUndefined(); // second close: no-op
    // close is not an eviction
    expect(pool.status().evictions).toBe(0);
  });

  it('close unloads a still-used model once the grace runs out', async () => {
    const { pool, loader } = await loaded();
    const held = pool.withModel('a', () => new Promise(() => undefined));
    void held;
    const closing = pool.close(500);
    await jest.advanceTimersByTimeAsync(500);
    await closing;
    expect(loader.unloaded).toEqual(['a']);
  });

  it('close cancels loads queued for a slot', async () => {
    const { pool, loader } = makeFakePool({ maxConcurrentLoads: 1 });
    loader.set('a', { delayMs: 100 });
    const a = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    const b = pool.withModel('b', () => 'b').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    const closing = pool.close(1000);
    await jest.advanceTimersByTimeAsync(100);
    await closing;
    expect(await b).toBeInstanceOf(ResourceUnavailableError);
    expect(await a).toBeInstanceOf(ResourceUnavailableError); // loaded after close: unloaded
    expect(loader.loadCalls).toEqual(['a']);
    expect(loader.unloaded).toEqual(['a']);
    expect(pool.memoryUsedMb()).toBe(0);
  });

  it('two unloads at once share one unload and both resolve', async () => {
    const { pool, loader } = await loaded();
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    const first = pool.unload('a');
    const second = pool.unload('a'); // a is `unloading` now: not a 404
    release.resolve();
    await held;
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    expect(loader.unloaded).toEqual(['a']);
    expect(pool.status().evictions_by_reason.manual).toBe(1);
  });

  it('an admin load during an unload waits for it, then loads the model again', async () => {
    const { pool, loader } = await loaded();
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    const unload = pool.unload('a');
    const load = pool.load('a');
    await jest.advanceTimersByTimeAsync(100);
    expect(loader.loadsOf('a')).toBe(1); // no second load beside the one going away
    release.resolve();
    await held;
    await unload;
    await jest.advanceTimersByTimeAsync(10);
    await expect(load).resolves.toBe('loaded');
    expect(loader.unloaded).toEqual(['a']);
    expect(loader.loadsOf('a')).toBe(2);
    expect(modelOf(pool, 'a').state).toBe('loaded');
  });

  it('the drain timeout says which model is still in use and for how long it waited', async () => {
    const { pool } = await loaded('a', { drainTimeoutMs: 1000 });
    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    const unload = pool.unload('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await unload).toMatchObject({
      code: 'E_TIMEOUT',
      status: 503,
      message: 'model a is still in use after 1000 ms; it unloads when the uses finish',
    });
    release.resolve();
    await held;
  });

  it('with two uses running, the unload waits for both, not the first to end', async () => {
    const { pool, loader } = await loaded();
    const first = deferred();
    const second = deferred();
    const uses = [
      pool.withModel('a', () => first.promise),
      pool.withModel('a', () => second.promise),
    ];
    const unload = pool.unload('a');
    first.resolve();
    await uses[0];
    await jest.advanceTimersByTimeAsync(100);
    expect(loader.unloaded).toEqual([]);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'unloading', leases: 1 });
    second.resolve();
    await uses[1];
    await unload;
    expect(loader.unloaded).toEqual(['a']);
  });

  it('a model loaded again after an unload can be unloaded again', async () => {
    const { pool, loader } = await loaded();
    await pool.unload('a');
    const reload = pool.load('a');
    await jest.advanceTimersByTimeAsync(10);
    await expect(reload).resolves.toBe('loaded');
    await pool.unload('a');
    expect(loader.unloaded).toEqual(['a', 'a']);
    expect(modelOf(pool, 'a').state).toBe('unloaded');
    expect(pool.status().evictions_by_reason.manual).toBe(2);
  });
});
