import {
  AppError,
  PoolExhaustedError,
  ResourceUnavailableError,
} from '../../common/errors/app-errors';

/** pg-pool's message when no client could be had within connectionTimeoutMillis. */
const ACQUIRE_TIMEOUT = /timeout exceeded when trying to connect/i;
/** Errors meaning the server cannot be reached or dropped us (restart, terminate, network). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|terminating connection|Client has encountered a connection error|connection is closed|not queryable/i;

/** True when an error means the database connection (not the query) failed. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return Boolean(
    (e?.code && CONNECTION_CODES.has(e.code)) ||
    (e?.message && CONNECTION_MESSAGES.test(e.message)),
  );
}

/**
 * Maps driver errors to typed errors: pool exhaustion and an unreachable server become 503s
 * with Retry-After; anything else (a query's own error) passes through unchanged.
 */
export function toDatabaseError(
  error: unknown,
  poolIsFull: boolean,
  acquireTimeoutMs: number,
): unknown {
  if (error instanceof AppError) return error;
  const message = (error as Error)?.message ?? '';
  if (ACQUIRE_TIMEOUT.test(message)) {
    return poolIsFull
      ? new PoolExhaustedError('database', acquireTimeoutMs, { cause: error })
      : new ResourceUnavailableError('database', 'cannot be reached', { cause: error });
  }
  if (isConnectionError(error)) {
    return new ResourceUnavailableError('database', 'connection failed', { cause: error });
  }
  return error;
}
