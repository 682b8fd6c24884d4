import { ModelLoaderRegistry } from './model-loader.registry';
import { ModelPool } from './model-pool';
import { ModelNotAvailableError } from './model-pool.errors';
import { ModelLoader } from './model-pool.types';
import { ModelRegistry } from './model-registry';
import { FakeLoader, deferred, fakeRegistry, makeFakePool } from './testing/fake-model-loader';

const CONTRACT_MODEL_FIELDS = [
  'name',
  'state',
  'memory_mb',
  'loaded_at',
  'last_access',
  'access_count',
  'load_time_ms',
  'in_use',
];
const CONTRACT_FIELDS = [
  'models',
  'available',
  'cache_size',
  'memory_limit_mb',
  'memory_used_mb',
  'loads',
  'evictions',
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('ModelPool: status', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('has the contract fields, snake_case, with ISO dates or null', async () => {
    const { pool, loader } = makeFakePool({ cacheSize: 3, memoryLimitMb: 512 });
    loader.set('a', { delayMs: 40, sizeMb: 12.34 });
    const before = pool.status();
    for (const field of CONTRACT_FIELDS) expect(before).toHaveProperty(field);
    const cold = before.models.find((m) => m.name === 'a');
    for (const field of CONTRACT_MODEL_FIELDS) expect(cold).toHaveProperty(field);
    expect(cold).toMatchObject({ loaded_at: null, last_access: null, load_time_ms: null });

    const release = deferred();
    const held = pool.withModel('a', () => release.promise);
    await jest.advanceTimersByTimeAsync(40);
    const status = pool.status();
    const a = status.models.find((m) => m.name === 'a');
    expect(a).toMatchObject({
      state: 'loaded',
      memory_mb: 12.3,
      access_count: 1,
      load_time_ms: 40,
      in_use: true,
      leases: 1,
    });
    expect(a?.loaded_at).toMatch(ISO);
    expect(a?.last_access).toMatch(ISO);
    expect(status).toMatchObject({
      available: ['a', 'b', 'c', 'd'],
      cache_size: 3,
      memory_limit_mb: 512,
      memory_used_mb: 12.3,
      loads: 1,
      evictions: 0,
    });
    release.resolve();
    await held;
    expect(pool.status().models.find((m) => m.name === 'a')?.in_use).toBe(false);
  });

  it('lists a model whose loader says it cannot run as unavailable, and refuses it with 404', async () => {
    const fake = new FakeLoader();
    const off: ModelLoader = {
      load: (spec, signal) => fake.load(spec, signal),
      unavailableReason: () => 'set SOMETHING_URL to enable it',
    };
    const loaders = new ModelLoaderRegistry().register('fake', fake).register('off', off);
    const pool = new ModelPool(
      new ModelRegistry([
        ...fakeRegistry([['a', 1]]).all(),
        { name: 'remote', loader: 'off', options: {}, estimated_mb: 1 },
        { name: 'orphan', loader: 'nobody', options: {}, estimated_mb: 1 },
      ]),
      loaders,
      {
        cacheSize: 2,
        memoryLimitMb: 10,
        maxConcurrentLoads: 1,
        loadTimeoutMs: 100,
        idleTtlMs: 1000,
      },
    );
    const status = pool.status();
    expect(status.available).toEqual(['a']);
    expect(status.models.find((m) => m.name === 'remote')).toMatchObject({
      state: 'unavailable',
      available: false,
      unavailable_reason: 'set SOMETHING_URL to enable it',
    });
    expect(status.models.find((m) => m.name === 'orphan')?.unavailable_reason).toBe(
      'no loader is registered for type nobody',
    );
    const error = await pool.withModel('remote', () => 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelNotAvailableError);
    expect((error as ModelNotAvailableError).status).toBe(404);
    expect(fake.loadCalls).toEqual([]);
  });
});
