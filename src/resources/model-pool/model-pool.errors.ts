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

/** Every thread of a worker model is busy and its queue (MODEL_WORKER_QUEUE) is full. */
export class ModelBusyError extends AppError {
  readonly code = 'E_MODEL_BUSY';
  readonly status = 503;
  override readonly retryAfterS = 1;
  constructor(
    readonly model: string,
    queueLimit: number,
  ) {
    super(`model ${model} is busy: every worker thread is running and ${queueLimit} calls wait`);
  }
}

/** A call of a worker model ran past MODEL_INFERENCE_TIMEOUT_MS; its thread was replaced. */
export class ModelInferenceTimeoutError extends AppError {
  readonly code = 'E_MODEL_INFERENCE_TIMEOUT';
  readonly status = 503;
  override readonly retryAfterS = 1;
  constructor(
    readonly model: string,
    readonly timeoutMs: number,
  ) {
    super(`model ${model} did not answer within ${timeoutMs} ms`);
  }
}

/** A worker model's thread died under a call (exit, out of memory) or its call failed. */
export class ModelWorkerError extends AppError {
  readonly code = 'E_MODEL_WORKER_FAILED';
  readonly status = 503;
  override readonly retryAfterS = 1;
  constructor(
    readonly model: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`model ${model} failed in its worker: ${reason}`, options);
  }
}

/**
 * A typed error a worker model threw, rebuilt on the main thread with the same status, code
 * and Retry-After (a model's 400 stays a 400), since its class cannot cross the thread.
 */
export class ModelCallError extends AppError {
  readonly code: string;
  readonly status: number;
  override readonly retryAfterS?: number;
  constructor(message: string, code: string, status: number, retryAfterS?: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.retryAfterS = retryAfterS;
  }
}
