/**
 * Errors across the thread boundary. Structured clone keeps an Error's message but not its
 * class or fields, so a thread sends what the edge needs (status, code, Retry-After) and the
 * main thread rebuilds a typed error from it: a model's 400 stays a 400.
 */
import { AppError } from '../../../common/errors/app-errors';
import { ModelCallError, ModelWorkerError } from '../model-pool.errors';
import type { SerializedError } from './worker-model.types';

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const typed = error instanceof AppError ? error : undefined;
  return {
    name: error.name,
    message: error.message,
    code: typed?.code,
    status: typed?.status,
    retryAfterS: typed?.retryAfterS,
  };
}

/**
 * The error a call answers on the main thread: a typed error keeps its status and code; an
 * untyped one (a bug or crash inside the model) becomes a 503 ModelWorkerError, so a caller
 * with a fallback uses it and nobody gets a 500.
 */
export function rebuildError(model: string, error: SerializedError): AppError {
  if (error.status !== undefined && error.code !== undefined) {
    return new ModelCallError(error.message, error.code, error.status, error.retryAfterS);
  }
  return new ModelWorkerError(model, `${error.name}: ${error.message}`);
}
