/**
 * Typed errors used inside the service. Each has a stable `code`; the global exception filter
 * maps them to HTTP answers at the edge, so services never throw HTTP exceptions themselves.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  /** HTTP status the edge answers with. */
  abstract readonly status: number;
  /** Seconds a client should wait before retrying, sent as `Retry-After` when set. */
  readonly retryAfterS?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The resource is shut down or not initialized (admin shutdown, process stopping). */
export class ResourceUnavailableError extends AppError {
  readonly code = 'E_RESOURCE_UNAVAILABLE';
  readonly status = 503;
  override readonly retryAfterS = 5;
  constructor(
    readonly resource: string,
    reason = 'is not available',
    options?: { cause?: unknown },
  ) {
    super(`${resource} ${reason}`, options);
  }
}

/** A pool had no free connection within its acquire timeout. */
export class PoolExhaustedError extends AppError {
  readonly code = 'E_POOL_EXHAUSTED';
  readonly status = 503;
  override readonly retryAfterS = 1;
  constructor(
    readonly resource: string,
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(`${resource} pool exhausted: no connection within ${waitedMs} ms`, options);
  }
}

/** An illegal lifecycle state change was asked for; a programming error. */
export class IllegalStateTransitionError extends AppError {
  readonly code = 'E_ILLEGAL_STATE_TRANSITION';
  readonly status = 500;
  constructor(resource: string, from: string, to: string) {
    super(`${resource}: illegal state transition ${from} -> ${to}`);
  }
}

/** An upstream (HTTP service, remote model) failed or answered badly. */
export class UpstreamError extends AppError {
  readonly code = 'E_UPSTREAM';
  readonly status = 502;
}

/** An upstream did not answer within its deadline. */
export class UpstreamTimeoutError extends AppError {
  readonly code = 'E_UPSTREAM_TIMEOUT';
  readonly status = 504;
}

/** The per-host circuit breaker is open: failing fast instead of waiting on a sick upstream. */
export class CircuitOpenError extends AppError {
  readonly code = 'E_CIRCUIT_OPEN';
  readonly status = 503;
  override readonly retryAfterS = 10;
  constructor(readonly host: string) {
    super(`circuit open for ${host}`);
  }
}

/** Something asked for does not exist (unknown model, cache key, caption id). */
export class NotFoundAppError extends AppError {
  readonly code = 'E_NOT_FOUND';
  readonly status = 404;
}

/** Input that passed DTO validation but is still unusable. */
export class InvalidInputError extends AppError {
  readonly code = 'E_INVALID_INPUT';
  readonly status = 400;
}

/** A value is larger than a configured limit. */
export class PayloadTooLargeError extends AppError {
  readonly code = 'E_PAYLOAD_TOO_LARGE';
  readonly status = 413;
}

/** Not enough memory budget to hold what was asked for (a model over MODEL_MEMORY_LIMIT_MB). */
export class InsufficientStorageError extends AppError {
  readonly code = 'E_INSUFFICIENT_STORAGE';
  readonly status = 507;
}

/** A bounded wait ran out (a load queue, a drain). */
export class TimeoutAppError extends AppError {
  readonly code = 'E_TIMEOUT';
  readonly status = 503;
  override readonly retryAfterS = 2;
}
