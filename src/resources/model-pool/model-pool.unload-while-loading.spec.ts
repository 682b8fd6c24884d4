import { NotFoundAppError } from '../../common/errors/app-errors';
import { makeFakePool, modelOf } from './testing/fake-model-loader';

/** DELETE of a model that is loading waits for the load, then acts on its outcome. */
describe('ModelPool: unload of a model while it loads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('unloads it once the load finishes', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { delayMs: 100 });
    const load = pool.load('a');
    await jest.advanceTimersByTimeAsync(0);
    let unloaded = false;
    const unload = pool.unload('a').then(() => (unloaded = true));

    await jest.advanceTimersByTimeAsync(99);
    expect(unloaded).toBe(false);
    expect(modelOf(pool, 'a').state).toBe('loading');
    await jest.advanceTimersByTimeAsync(1);
    await expect(load).resolves.toBe('loaded');
    await unload;
    expect(loader.unloaded).toEqual(['a']);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'unloaded', memory_mb: 0 });
    expect(pool.status().evictions_by_reason.manual).toBe(1);
  });

  it('answers 404 (not the load error) when that load fails', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { delayMs: 100, failTimes: 1, failMessage: 'weights corrupt' });
    const load = pool.load('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    const unload = pool.unload('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);

    const error = await unload;
    expect(error).toBeInstanceOf(NotFoundAppError);
    expect(error).toMatchObject({
      code: 'E_NOT_FOUND',
      status: 404,
      message: 'model a is not loaded',
    });
    expect((await load) as Error).toMatchObject({ code: 'E_MODEL_LOAD_FAILED' });
    expect(modelOf(pool, 'a').state).toBe('error');
    expect(pool.status().evictions_by_reason.manual).toBe(0);
  });
});
