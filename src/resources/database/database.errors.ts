import { AppError, PoolExhaustedError } from '../../common/errors/app-errors';

/**
 * Why the database could not serve a query, when the fault is the database's state rather than
 * the query's: each kind answers 503 with Retry-After. A query's own error (bad SQL, a constraint)
 * has no kind and stays what it is: a 500 with its cause logged, or whatever the caller makes of it.
 */
export type DatabaseFailureKind =
  | 'unreachable'
  | 'connection_lost'
  | 'read_timeout'
  | 'statement_timeout'
  | 'lock_timeout'
  | 'too_many_connections'
  | 'admin_shutdown'
  | 'read_only'
  | 'serialization_conflict';

/** SQLSTATE codes (PostgreSQL appendix A) by kind. */
const BY_SQLSTATE: Readonly<Record<string, DatabaseFailureKind>> = {
  '08000': 'connection_lost',
  '08001': 'unreachable',
  '08003': 'connection_lost',
  '08004': 'unreachable',
  '08006': 'connection_lost',
  // query_canceled: statement_timeout (or a pg_cancel_backend, which is an operator's doing too).
  '57014': 'statement_timeout',
  '55P03': 'lock_timeout',
  '53300': 'too_many_connections',
  '53400': 'too_many_connections',
  '57P01': 'admin_shutdown',
  '57P02': 'admin_shutdown',
  '57P03': 'admin_shutdown',
  '25006': 'read_only',
  '40001': 'serialization_conflict',
  '40P01': 'serialization_conflict',
};

/** Socket-level codes from Node. */
const BY_SYSTEM_CODE: Readonly<Record<string, DatabaseFailureKind>> = {
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ECONNRESET: 'connection_lost',
  EPIPE: 'connection_lost',
  ETIMEDOUT: 'connection_lost',
};

/** pg's own messages, which carry no code. */
const BY_MESSAGE: ReadonlyArray<[RegExp, DatabaseFailureKind]> = [
  [/Query read timeout/i, 'read_timeout'],
  [
    /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i,
    'unreachable',
  ],
  [
    /Connection terminated|terminating connection|Client has encountered a connection error|connection is closed|not queryable/i,
    'connection_lost',
  ],
];

/** Kinds after which the connection cannot be trusted again: it is destroyed, never reused. */
const BREAKS_CONNECTION = new Set<DatabaseFailureKind>([
  'unreachable',
  'connection_lost',
  // pg gave up waiting but the query may still answer later on that socket.
  'read_timeout',
  'admin_shutdown',
]);

/** How long a client should wait before trying again, by kind, seconds. */
const RETRY_AFTER_S: Readonly<Record<DatabaseFailureKind, number>> = {
  unreachable: 5,
  connection_lost: 2,
  read_timeout: 5,
  statement_timeout: 2,
  lock_timeout: 2,
  too_many_connections: 2,
  admin_shutdown: 5,
  read_only: 10,
  serialization_conflict: 1,
};

/** The database could not serve the query for a reason of its own state (see the kinds). */
export class DatabaseUnavailableError extends AppError {
  readonly code = 'E_DATABASE_UNAVAILABLE';
  readonly status = 503;
  override readonly retryAfterS: number;
  constructor(
    readonly kind: DatabaseFailureKind,
    options?: { cause?: unknown },
  ) {
    super(`database unavailable (${kind.replace(/_/g, ' ')}); try again shortly`, options);
    this.retryAfterS = RETRY_AFTER_S[kind];
  }
}

/** The kind of database failure an error is, or undefined for a query's own error. */
export function classifyDatabaseFailure(error: unknown): DatabaseFailureKind | undefined {
  if (error instanceof DatabaseUnavailableError) return error.kind;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown } | undefined;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string') {
    const kind = BY_SQLSTATE[e.code] ?? BY_SYSTEM_CODE[e.code];
    if (kind) return kind;
  }
  if (typeof e.message === 'string') {
    for (const [pattern, kind] of BY_MESSAGE) if (pattern.test(e.message)) return kind;
  }
  // TypeORM's QueryFailedError keeps pg's error as driverError.
  return e.driverError && e.driverError !== error
    ? classifyDatabaseFailure(e.driverError)
    : undefined;
}

/** True when the connection the error happened on must be destroyed rather than reused. */
export function breaksConnection(error: unknown): boolean {
  const kind = classifyDatabaseFailure(error);
  return kind !== undefined && BREAKS_CONNECTION.has(kind);
}

/**
 * Maps driver errors to typed errors: a full pool becomes PoolExhaustedError, any kind above a
 * DatabaseUnavailableError (both 503 with Retry-After); a query's own error passes unchanged.
 */
export function toDatabaseError(
  error: unknown,
  poolIsFull: boolean,
  acquireTimeoutMs: number,
): unknown {
  if (error instanceof AppError) return error;
  const kind = classifyDatabaseFailure(error);
  if (kind === undefined) return error;
  const acquireTimedOut = /timeout exceeded when trying to connect/i.test(
    (error as Error)?.message ?? '',
  );
  if (acquireTimedOut && poolIsFull) {
    return new PoolExhaustedError('database', acquireTimeoutMs, { cause: error });
  }
  return new DatabaseUnavailableError(kind, { cause: error });
}
