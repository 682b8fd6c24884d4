import { AppError } from '../../common/errors/app-errors';

/** A registered model that cannot be used in this deployment (e.g. OPENAI_BASE_URL unset). */
export class ModelNotAvailableError extends AppError {
  readonly code = 'E_MODEL_UNAVAILABLE';
  readonly status = 404;
  constructor(
    readonly model: string,
    reason: string,
  ) {
    super(`model ${model} is not available: ${reason}`);
  }
}

/** A load failed. The model is marked `error` and retried on a later use, with backoff. */
export class ModelLoadError extends AppError {
  readonly code = 'E_MODEL_LOAD_FAILED';
  readonly status = 503;
  override readonly retryAfterS = 5;
  constructor(
    readonly model: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`model ${model} failed to load: ${reason}`, options);
  }
}

/** A load ran past MODEL_LOAD_TIMEOUT_MS. */
export class ModelLoadTimeoutError extends AppError {
  readonly code = 'E_MODEL_LOAD_TIMEOUT';
  readonly status = 503;
  override readonly retryAfterS = 5;
  constructor(
    readonly model: string,
    readonly timeoutMs: number,
  ) {
    super(`model ${model} did not load within ${timeoutMs} ms`);
  }
}

/** The model failed to load recently and its retry backoff has not run out. */
export class ModelBackoffError extends AppError {
  readonly code = 'E_MODEL_BACKOFF';
  readonly status = 503;
  override readonly retryAfterS: number;
  constructor(
    readonly model: string,
    retryInMs: number,
    lastError: string | undefined,
  ) {
    super(
      `model ${model} is in error (${lastError ?? 'load failed'}); next load attempt in ${Math.ceil(retryInMs / 1000)} s`,
    );
    this.retryAfterS = Math.max(1, Math.ceil(retryInMs / 1000));
  }
}

/** The model registry (the features' defaults or MODEL_CONFIG) is invalid: a start-up failure. */
export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}
