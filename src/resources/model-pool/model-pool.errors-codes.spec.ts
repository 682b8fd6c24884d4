import {
  ModelBackoffError,
  ModelConfigError,
  ModelLoadTimeoutError,
  ModelNotAvailableError,
} from './model-pool.errors';

/** The codes and messages the pool's errors carry to API responses and start-up logs. */
describe('model pool errors: codes and messages', () => {
  it('ModelNotAvailableError is a 404 E_MODEL_UNAVAILABLE naming the model and the reason', () => {
    expect(new ModelNotAvailableError('remote', 'set OPENAI_BASE_URL')).toMatchObject({
      code: 'E_MODEL_UNAVAILABLE',
      status: 404,
      message: 'model remote is not available: set OPENAI_BASE_URL',
    });
  });

  it('ModelLoadTimeoutError is a 503 E_MODEL_LOAD_TIMEOUT naming the model and the deadline', () => {
    expect(new ModelLoadTimeoutError('a', 2_000)).toMatchObject({
      code: 'E_MODEL_LOAD_TIMEOUT',
      status: 503,
      message: 'model a did not load within 2000 ms',
    });
  });

  it('ModelBackoffError is a 503 E_MODEL_BACKOFF with the last error and the wait in whole seconds', () => {
    expect(new ModelBackoffError('a', 1_500, 'weights missing')).toMatchObject({
      code: 'E_MODEL_BACKOFF',
      status: 503,
      retryAfterS: 2,
      message: 'model a is in error (weights missing); next load attempt in 2 s',
    });
  });

  it('ModelBackoffError says "load failed" when no error was recorded', () => {
    expect(new ModelBackoffError('a', 4_000, undefined).message).toBe(
      'model a is in error (load failed); next load attempt in 4 s',
    );
  });

  it('ModelConfigError is a plain Error named ModelConfigError', () => {
    const error = new ModelConfigError('duplicate model name a');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ModelConfigError');
    expect(error.message).toBe('duplicate model name a');
  });
});
