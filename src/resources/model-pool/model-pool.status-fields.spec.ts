import { ModelLoaderRegistry } from './model-loader.registry';
import { ModelPool } from './model-pool';
import { ModelLoader } from './model-pool.types';
import { ModelRegistry } from './model-registry';
import { FakeLoader, makeFakePool, modelOf } from './testing/fake-model-loader';

const OPTIONS = {
  cacheSize: 2,
  memoryLimitMb: 100,
  maxConcurrentLoads: 1,
  loadTimeoutMs: 1_000,
  idleTtlMs: 60_000,
  measureMemoryBytes: () => 0,
};

/** Per-model status fields that depend on the model's history. */
describe('ModelPool: status fields', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reports the declared description, or null when there is none', () => {
    const pool = new ModelPool(
      new ModelRegistry([
        { name: 'a', loader: 'fake', options: {}, estimated_mb: 1, description: 'tiny test model' },
        { name: 'b', loader: 'fake', options: {}, estimated_mb: 1 },
      ]),
      new ModelLoaderRegistry().register('fake', new FakeLoader()),
      OPTIONS,
    );
    expect(modelOf(pool, 'a').description).toBe('tiny test model');
    expect(modelOf(pool, 'b').description).toBeNull();
  });

  it('measured turns true, and estimated_mb takes the footprint, once a load measured it', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { sizeMb: 42 });
    expect(modelOf(pool, 'a')).toMatchObject({ measured: false, estimated_mb: 10 });
    const loading = pool.load('a');
    await jest.advanceTimersByTimeAsync(10);
    await loading;
    expect(modelOf(pool, 'a')).toMatchObject({ measured: true, estimated_mb: 42 });
  });

  it('avg_inference_ms is null before any use, then the mean of the successful uses', async () => {
    const { pool } = makeFakePool();
    expect(modelOf(pool, 'a')).toMatchObject({ inferences: 0, avg_inference_ms: null });
    for (const ms of [10, 25]) {
      const use = pool.withModel('a', () => new Promise((resolve) => setTimeout(resolve, ms)));
      await jest.advanceTimersByTimeAsync(10 + ms);
      await use;
    }
    expect(modelOf(pool, 'a')).toMatchObject({ inferences: 2, avg_inference_ms: 17.5 });
  });

  it('retry_at is set in error and null again while the retry loads', async () => {
    const { pool, loader } = makeFakePool({ retryBaseMs: 5_000 });
    loader.set('a', { failTimes: 1, delayMs: 100 });
    const failed = pool.load('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    await failed;
    expect(modelOf(pool, 'a').state).toBe('error');
    expect(modelOf(pool, 'a').retry_at).toBe(new Date(Date.now() + 5_000).toISOString());

    const retry = pool.load('a'); // the admin load ignores the backoff
    await jest.advanceTimersByTimeAsync(0);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'loading', retry_at: null });
    await jest.advanceTimersByTimeAsync(100);
    await expect(retry).resolves.toBe('loaded');
  });

  it('keeps the state of a loaded model whose loader became unavailable', async () => {
    const fake = new FakeLoader();
    const availability: { reason?: string } = {};
    const toggling: ModelLoader = {
      load: (spec, signal) => fake.load(spec, signal),
      unavailableReason: () => availability.reason,
    };
    const pool = new ModelPool(
      new ModelRegistry([
        { name: 'a', loader: 'toggling', options: {}, estimated_mb: 1 },
        { name: 'b', loader: 'toggling', options: {}, estimated_mb: 1 },
      ]),
      new ModelLoaderRegistry().register('toggling', toggling),
      OPTIONS,
    );
    const loading = pool.load('a');
    await jest.advanceTimersByTimeAsync(10);
    await loading;

    availability.reason = 'set SOMETHING_URL to enable it';
    expect(modelOf(pool, 'a')).toMatchObject({
      state: 'loaded',
      available: false,
      unavailable_reason: 'set SOMETHING_URL to enable it',
    });
    expect(modelOf(pool, 'b').state).toBe('unavailable');
  });
});
