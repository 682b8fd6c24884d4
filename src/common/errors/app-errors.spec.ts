import {
  AppError,
  CircuitOpenError,
  IllegalStateTransitionError,
  InsufficientStorageError,
  InvalidInputError,
  NotFoundAppError,
  PayloadTooLargeError,
  PoolExhaustedError,
  ResourceUnavailableError,
  TimeoutAppError,
  UpstreamError,
  UpstreamTimeoutError,
} from './app-errors';

describe('AppError subclasses', () => {
  // Each error's code, HTTP status and Retry-After are the contract the edge answers with.
  it.each([
    [new ResourceUnavailableError('redis'), 'E_RESOURCE_UNAVAILABLE', 503, 5],
    [new PoolExhaustedError('database', 300), 'E_POOL_EXHAUSTED', 503, 1],
    [
      new IllegalStateTransitionError('cache', 'closed', 'busy'),
      'E_ILLEGAL_STATE_TRANSITION',
      500,
      undefined,
    ],
    [new UpstreamError('bad gateway'), 'E_UPSTREAM', 502, undefined],
    [new UpstreamTimeoutError('too slow'), 'E_UPSTREAM_TIMEOUT', 504, undefined],
    [new CircuitOpenError('api.example.com:443'), 'E_CIRCUIT_OPEN', 503, 10],
    [new NotFoundAppError('caption x not found'), 'E_NOT_FOUND', 404, undefined],
    [new InvalidInputError('unusable'), 'E_INVALID_INPUT', 400, undefined],
    [new PayloadTooLargeError('too big'), 'E_PAYLOAD_TOO_LARGE', 413, undefined],
    [new InsufficientStorageError('no room'), 'E_INSUFFICIENT_STORAGE', 507, undefined],
    [new TimeoutAppError('waited too long'), 'E_TIMEOUT', 503, 2],
  ])('%p has code %s, status %i and Retry-After %p', (error, code, status, retryAfterS) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.retryAfterS).toBe(retryAfterS);
    // The class name, not "Error", shows in logs and stack traces.
    expect(error.name).toBe(error.constructor.name);
    expect(error.stack).toContain(error.constructor.name);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new UpstreamError('down', { cause }).cause).toBe(cause);
    expect(new UpstreamTimeoutError('slow', { cause }).cause).toBe(cause);
    expect(new ResourceUnavailableError('redis', 'is down', { cause }).cause).toBe(cause);
    expect(new PoolExhaustedError('database', 5000, { cause }).cause).toBe(cause);
    expect(new NotFoundAppError('gone', { cause }).cause).toBe(cause);
  });

  it('names the resource, the wait, the transition and the host in its message and fields', () => {
    expect(new ResourceUnavailableError('redis')).toMatchObject({
      resource: 'redis',
      message: 'redis is not available',
    });
    expect(new ResourceUnavailableError('database', 'is shut down').message).toBe(
      'database is shut down',
    );
    expect(new PoolExhaustedError('database', 5000)).toMatchObject({
      resource: 'database',
      waitedMs: 5000,
      message: 'database pool exhausted: no connection within 5000 ms',
    });
    expect(new IllegalStateTransitionError('cache', 'closed', 'busy').message).toBe(
      'cache: illegal state transition closed -> busy',
    );
    expect(new CircuitOpenError('api.example.com:443')).toMatchObject({
      host: 'api.example.com:443',
      message: 'circuit open for api.example.com:443',
    });
  });

  it('lets subclasses of a typed error keep its code and status', () => {
    class SpecialUpstreamError extends UpstreamError {}
    const error = new SpecialUpstreamError('odd answer');
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ name: 'SpecialUpstreamError', code: 'E_UPSTREAM', status: 502 });
  });
});
