import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { ModelLoadError, ModelNotAvailableError } from './model-pool.errors';
import { ModelPool } from './model-pool';
import {
  FakeLoader,
  FakeModel,
  fakeLoaders,
  fakeRegistry,
  makeFakePool,
  modelOf,
} from './testing/fake-model-loader';

/** Settles `promise` while the fake clock runs `ms`; returns its value or its error. */
async function settle<T>(promise: Promise<T>, ms: number): Promise<T | unknown> {
  const outcome = promise.catch((e: unknown) => e);
  await jest.advanceTimersByTimeAsync(ms);
  return outcome;
}

/** One model's load: its outcome on the entry, its errors, and what it leaves behind. */
describe('ModelPool: loads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('wraps a loader failure in ModelLoadError with the original error as its cause', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { failTimes: 1, failMessage: 'weights missing' });
    const error = await settle(pool.load('a'), 10);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).message).toBe('model a failed to load: weights missing');
    expect((error as ModelLoadError).cause).toEqual(new Error('weights missing'));
  });

  it('refuses a load that finishes after close with "models is closed"', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { delayMs: 100 });
    const loading = pool.load('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    const closing = pool.close(1_000);
    await jest.advanceTimersByTimeAsync(100);
    await closing;
    expect(await loading).toMatchObject({
      code: 'E_RESOURCE_UNAVAILABLE',
      message: 'models is closed',
    });
    expect(await loading).toBeInstanceOf(ResourceUnavailableError);
  });

  it('gives 404 without backoff when the loader is gone by the time the load gets a slot', async () => {
    // The registry only adds loaders; a stubbed lookup stands in for one that vanished.
    const fake = new FakeLoader();
    const loaders = fakeLoaders(fake);
    const pool = new ModelPool(
      fakeRegistry([
        ['a', 1],
        ['b', 1],
      ]),
      loaders,
      {
        cacheSize: 2,
        memoryLimitMb: 100,
        maxConcurrentLoads: 1,
        loadTimeoutMs: 1_000,
        idleTtlMs: 60_000,
        measureMemoryBytes: () => 0,
      },
    );
    fake.set('b', { delayMs: 100 });
    const b = pool.load('b');
    const a = pool.load('a').catch((e: unknown) => e); // queued behind b
    await jest.advanceTimersByTimeAsync(0);
    const lookup = jest.spyOn(loaders, 'get').mockReturnValue(undefined);
    await jest.advanceTimersByTimeAsync(100);
    await b;
    lookup.mockRestore();

    const error = await a;
    expect(error).toBeInstanceOf(ModelNotAvailableError);
    expect((error as ModelNotAvailableError).message).toBe(
      'model a is not available: no loader for type fake',
    );
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'unloaded', errors: 0, retry_at: null });
    expect(pool.status().load_failures).toBe(0);
    expect(fake.loadCalls).toEqual(['b']);
  });

  it('lets a use join a retry load running during the backoff instead of refusing it', async () => {
    const { pool, loader } = makeFakePool({ retryBaseMs: 5_000 });
    loader.set('a', { failTimes: 1, delayMs: 100 });
    await settle(pool.load('a'), 100);
    expect(modelOf(pool, 'a').state).toBe('error');

    const retry = pool.load('a'); // the admin load ignores the backoff
    await jest.advanceTimersByTimeAsync(0);
    const use = pool.withModel('a', (model: FakeModel) => model.generate !== undefined);
    expect(await settle(use, 100)).toBe(true);
    await expect(retry).resolves.toBe('loaded');
    expect(loader.loadsOf('a')).toBe(2);
  });

  // A load that ended (either way) must not leave the model marked as holding room: loaded
  // again and queued for a slot, it must not count in another load's budget (nor its 507).
  it.each([
    ['loaded and unloaded', {}],
    ['failed', { failTimes: 1 }],
  ])('a model %s and queued again holds no room while it waits', async (_, first) => {
    const { pool, loader } = makeFakePool({
      cacheSize: 1,
      maxConcurrentLoads: 2,
      loadQueueTimeoutMs: 1_000,
      loadTimeoutMs: 60_000,
    });
    loader.set('a', first);
    await settle(pool.load('a'), 10);
    if (modelOf(pool, 'a').state === 'loaded') await pool.unload('a');
    loader.set('a', {}).set('d', { hang: true });

    const load = (name: string) => pool.load(name).catch((e: unknown) => e);
    const d = load('d'); // takes a slot and the only room
    const c = load('c'); // takes the other slot, waits for d to make room
    await jest.advanceTimersByTimeAsync(100);
    const a = load('a'); // waits for a slot while c gives up
    await jest.advanceTimersByTimeAsync(900);
    expect(modelOf(pool, 'a').state).toBe('loading');
    expect(await c).toMatchObject({
      status: 507,
      message:
        'model c (about 10 MB) does not fit: 10 of 1000 MB and 1 of 1 models are taken by models loading or in use',
    });
    loader.finishHung();
    await settle(pool.close(1_000), 1_000);
    await Promise.all([a, d]);
  });
});
