import { AppError, InvalidInputError } from '../../common/errors/app-errors';
import { ModelBackoffError, ModelLoadError, ModelLoadTimeoutError } from './model-pool.errors';
import { makeFakePool, modelOf } from './testing/fake-model-loader';

describe('ModelPool: failed and timed-out loads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a failed load leaves nothing behind and marks the model error with the reason', async () => {
    const { pool, loader } = makeFakePool({ retryBaseMs: 1000 });
    loader.set('a', { failTimes: 1, failMessage: 'checkpoint missing' });
    const use = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    const error = await use;

    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).status).toBe(503);
    expect((error as Error).message).toBe('model a failed to load: checkpoint missing');
    const a = modelOf(pool, 'a');
    expect(a).toMatchObject({
      state: 'error',
      memory_mb: 0,
      in_use: false,
      loaded_at: null,
      errors: 1,
      last_error: 'checkpoint missing',
    });
    expect(a.retry_at).toBe(new Date(Date.now() + 1000).toISOString());
    expect(pool.memoryUsedMb()).toBe(0);
    expect(pool.status()).toMatchObject({ loads: 0, load_failures: 1, loads_in_progress: 0 });
  });

  it('is retried on a later use once the backoff has passed, doubling after each failure', async () => {
    const { pool, loader } = makeFakePool({ retryBaseMs: 1000 });
    loader.set('a', { failTimes: 2 });
    const fail = () => pool.withModel('a', () => 'a').catch((e: unknown) => e);

    let use = fail();
    await jest.advanceTimersByTimeAsync(10);
    expect(await use).toBeInstanceOf(ModelLoadError);

    const early = await fail(); // within the backoff: fails fast, no new load
    expect(early).toBeInstanceOf(ModelBackoffError);
    expect((early as ModelBackoffError).retryAfterS).toBe(1);
    expect(loader.loadsOf('a')).toBe(1);

    await jest.advanceTimersByTimeAsync(1000);
    use = fail();
    await jest.advanceTimersByTimeAsync(10);
    expect(await use).toBeInstanceOf(ModelLoadError); // second failure: backoff now 2 s
    expect(loader.loadsOf('a')).toBe(2);

    await jest.advanceTimersByTimeAsync(1000);
    expect(await fail()).toBeInstanceOf(ModelBackoffError);
    await jest.advanceTimersByTimeAsync(1000);
    const ok = pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await expect(ok).resolves.toBe('a');
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'loaded', retry_at: null });
  });

  it('other models are unaffected by one that fails', async () => {
    const { pool, loader } = makeFakePool();
    loader.set('a', { failTimes: 5, delayMs: 50 });
    loader.set('b', { delayMs: 50 });
    const a = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    const b = pool.withModel('b', () => 'b');
    await jest.advanceTimersByTimeAsync(50);
    expect(await a).toBeInstanceOf(ModelLoadError);
    await expect(b).resolves.toBe('b');
    await expect(pool.withModel('b', () => 'again')).resolves.toBe('again');
    expect(modelOf(pool, 'b').state).toBe('loaded');
  });

  it('an explicit (admin) load ignores the backoff', async () => {
    const { pool, loader } = makeFakePool({ retryBaseMs: 60_000 });
    loader.set('a', { failTimes: 1 });
    const first = pool.load('a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await first).toBeInstanceOf(ModelLoadError);
    const second = pool.load('a');
    await jest.advanceTimersByTimeAsync(10);
    await expect(second).resolves.toBe('loaded');
    await expect(pool.load('a')).resolves.toBe('already_loaded');
  });

  it('a load past MODEL_LOAD_TIMEOUT_MS fails, is aborted, and a late result is unloaded', async () => {
    const { pool, loader } = makeFakePool({ loadTimeoutMs: 500 });
    loader.set('a', { hang: true });
    const use = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(499);
    expect(modelOf(pool, 'a').state).toBe('loading');
    await jest.advanceTimersByTimeAsync(1);

    const error = await use;
    expect(error).toBeInstanceOf(ModelLoadTimeoutError);
    expect((error as Error).message).toBe('model a did not load within 500 ms');
    expect(loader.signals[0].aborted).toBe(true);
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'error', memory_mb: 0 });
    expect(pool.status().loads_in_progress).toBe(0);

    loader.finishHung(); // the loader ignored the abort and finishes anyway
    await jest.advanceTimersByTimeAsync(0);
    expect(loader.unloaded).toEqual(['a']);
    expect(modelOf(pool, 'a').state).toBe('error');
    expect(pool.memoryUsedMb()).toBe(0);
  });

  it('the load timeout does not limit inference: a long use of a loaded model is fine', async () => {
    const { pool } = makeFakePool({ loadTimeoutMs: 500 });
    const use = pool.withModel(
      'a',
      () => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 5000)),
    );
    await jest.advanceTimersByTimeAsync(5010);
    await expect(use).resolves.toBe('slow');
    expect(modelOf(pool, 'a').avg_inference_ms).toBe(5000);
  });

  it('a client error (4xx) from a use is not counted against the model', async () => {
    const { pool } = makeFakePool();
    const use = pool
      .withModel('a', () => {
        throw new InvalidInputError('language not supported');
      })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await use).toBeInstanceOf(InvalidInputError);
    expect(modelOf(pool, 'a')).toMatchObject({ errors: 0, last_error: null });
  });

  it('an error thrown by the caller counts against the model but keeps it loaded', async () => {
    const { pool } = makeFakePool();
    const use = pool
      .withModel('a', () => {
        throw new Error('bad input');
      })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await use).toEqual(new Error('bad input'));
    expect(modelOf(pool, 'a')).toMatchObject({
      state: 'loaded',
      errors: 1,
      last_error: 'bad input',
      in_use: false,
      inferences: 0,
    });
  });

  it('a server-side AppError (status 500) from a use counts against the model', async () => {
    class ServerFault extends AppError {
      readonly code = 'E_SERVER_FAULT';
      readonly status = 500;
    }
    const { pool } = makeFakePool();
    const use = pool
      .withModel('a', () => {
        throw new ServerFault('inference crashed');
      })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await use).toBeInstanceOf(ServerFault);
    expect(modelOf(pool, 'a')).toMatchObject({ errors: 1, last_error: 'inference crashed' });
  });

  it('the backoff doubles only up to retryMaxMs', async () => {
    const { pool, loader } = makeFakePool({ retryBaseMs: 1000, retryMaxMs: 1500 });
    loader.set('a', { failTimes: 3 });
    const fail = async () => {
      const use = pool.withModel('a', () => 'a').catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(10);
      return use;
    };
    expect(await fail()).toBeInstanceOf(ModelLoadError);
    expect(modelOf(pool, 'a').retry_at).toBe(new Date(Date.now() + 1000).toISOString());
    await jest.advanceTimersByTimeAsync(1000);
    expect(await fail()).toBeInstanceOf(ModelLoadError);
    // 2 × 1000 would be 2000: capped at 1500.
    expect(modelOf(pool, 'a').retry_at).toBe(new Date(Date.now() + 1500).toISOString());
    const early = await pool.withModel('a', () => 'a').catch((e: unknown) => e);
    expect(early).toBeInstanceOf(ModelBackoffError);
    expect((early as ModelBackoffError).retryAfterS).toBe(2);
  });

  it('a successful load resets the backoff: the next failure waits the base delay again', async () => {
    const { pool, loader } = makeFakePool({ retryBaseMs: 1000 });
    const attempt = async () => {
      const use = pool.withModel('a', () => 'a').catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(10);
      return use;
    };
    loader.set('a', { failTimes: 2 });
    await attempt();
    await jest.advanceTimersByTimeAsync(1000);
    await attempt(); // second failure in a row: 2 s
    expect(modelOf(pool, 'a').retry_at).toBe(new Date(Date.now() + 2000).toISOString());
    await jest.advanceTimersByTimeAsync(2000);
    expect(await attempt()).toBe('a');

    await pool.unload('a');
    loader.set('a', { failTimes: 1 });
    expect(await attempt()).toBeInstanceOf(ModelLoadError);
    expect(modelOf(pool, 'a').retry_at).toBe(new Date(Date.now() + 1000).toISOString());
  });

  it('a loader that throws a non-Error value fails with its text', async () => {
    const { pool, loader } = makeFakePool();
    jest.spyOn(loader, 'load').mockImplementation(() => {
      throw 'weights missing';
    });
    const use = pool.withModel('a', () => 'a').catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    const error = await use;
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toBe('model a failed to load: weights missing');
    expect(modelOf(pool, 'a')).toMatchObject({ state: 'error', last_error: 'weights missing' });
  });
});
