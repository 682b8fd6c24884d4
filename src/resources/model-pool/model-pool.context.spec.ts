import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { PoolContext } from './model-pool.context';
import { FakeLoader, fakeLoaders, fakeRegistry } from './testing/fake-model-loader';

function makeContext(names: string[]): PoolContext {
  return new PoolContext(
    fakeRegistry(names.map((name) => [name, 10])),
    fakeLoaders(new FakeLoader()),
    {
      cacheSize: 5,
      memoryLimitMb: 1000,
      maxConcurrentLoads: 2,
      loadTimeoutMs: 1000,
      idleTtlMs: 60_000,
    },
  );
}

describe('PoolContext', () => {
  it('assertOpen: passes while open, then 503 "models is closed" once closed', () => {
    const ctx = makeContext(['a']);
    expect(() => ctx.assertOpen()).not.toThrow();
    ctx.closed = true;
    expect(() => ctx.assertOpen()).toThrow(ResourceUnavailableError);
    expect(() => ctx.assertOpen()).toThrow(
      expect.objectContaining({
        message: 'models is closed',
        code: 'E_RESOURCE_UNAVAILABLE',
        status: 503,
      }),
    );
  });

  it('slotsUsed: loaded models and loads that made room; unloading ones only when asked', () => {
    const ctx = makeContext(['loaded', 'reserved', 'queued', 'leaving', 'failed', 'gone']);
    ctx.entryOf('loaded').state = 'loaded';
    Object.assign(ctx.entryOf('reserved'), { state: 'loading', reserved: true });
    ctx.entryOf('queued').state = 'loading';
    ctx.entryOf('leaving').state = 'unloading';
    ctx.entryOf('failed').state = 'error';

    expect(ctx.slotsUsed()).toBe(2);
    expect(ctx.slotsUsed(true)).toBe(3);
  });
});
