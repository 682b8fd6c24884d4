import { PoolExhaustedError } from '../../common/errors/app-errors';
import {
  DatabaseUnavailableError,
  breaksConnection,
  classifyDatabaseFailure,
  toDatabaseError,
} from './database.errors';

/** An error shaped like pg's (a SQLSTATE `code`) or Node's (a system `code`). */
const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
/** TypeORM wraps pg's error, copying its fields and keeping it as driverError. */
const typeormWrapped = (driverError: Error) =>
  Object.assign(new Error(`QueryFailedError: ${driverError.message}`), { driverError });

describe('database errors by kind', () => {
  it.each([
    ['57014', 'statement_timeout', false],
    ['55P03', 'lock_timeout', false],
    ['53300', 'too_many_connections', false],
    ['57P01', 'admin_shutdown', true],
    ['57P03', 'admin_shutdown', true],
    ['25006', 'read_only', false],
    ['40P01', 'serialization_conflict', false],
    ['08006', 'connection_lost', true],
    ['ECONNREFUSED', 'unreachable', true],
    ['ECONNRESET', 'connection_lost', true],
  ])('SQLSTATE/code %s is %s (connection broken: %s)', (code, kind, broken) => {
    expect(classifyDatabaseFailure(pgError(code))).toBe(kind);
    expect(classifyDatabaseFailure(typeormWrapped(pgError(code)))).toBe(kind);
    expect(breaksConnection(pgError(code))).toBe(broken);
  });

  it.each([
    ['Query read timeout', 'read_timeout', true],
    ['Connection terminated unexpectedly', 'connection_lost', true],
    ['timeout exceeded when trying to connect', 'unreachable', true],
  ])('pg message "%s" is %s', (message, kind, broken) => {
    expect(classifyDatabaseFailure(new Error(message))).toBe(kind);
    expect(breaksConnection(new Error(message))).toBe(broken);
  });

  it("leaves a query's own error alone (a real bug stays a 500)", () => {
    const syntax = pgError('42601', 'syntax error at or near "SELEC"');
    expect(classifyDatabaseFailure(syntax)).toBeUndefined();
    expect(breaksConnection(syntax)).toBe(false);
    expect(toDatabaseError(syntax, false, 1000)).toBe(syntax);
    const unique = pgError('23505', 'duplicate key value violates unique constraint');
    expect(toDatabaseError(unique, false, 1000)).toBe(unique);
    expect(classifyDatabaseFailure(undefined)).toBeUndefined();
    expect(classifyDatabaseFailure('a string')).toBeUndefined();
  });

  it('maps every kind to a 503 with Retry-After, keeping the cause', () => {
    const cause = pgError('57014', 'canceling statement due to statement timeout');
    const mapped = toDatabaseError(cause, false, 1000) as DatabaseUnavailableError;
    expect(mapped).toBeInstanceOf(DatabaseUnavailableError);
    expect(mapped).toMatchObject({ status: 503, kind: 'statement_timeout', retryAfterS: 2 });
    expect(mapped.code).toBe('E_DATABASE_UNAVAILABLE');
    expect(mapped.message).toBe('database unavailable (statement timeout); try again shortly');
    expect(mapped.cause).toBe(cause);
    expect(new DatabaseUnavailableError('read_only').retryAfterS).toBe(10);
  });

  it('an acquire timeout is pool exhaustion when the pool is full, the server unreachable otherwise', () => {
    const timeout = new Error('timeout exceeded when trying to connect');
    expect(toDatabaseError(timeout, true, 750)).toEqual(
      new PoolExhaustedError('database', 750, { cause: timeout }),
    );
    expect(toDatabaseError(timeout, false, 750)).toMatchObject({
      kind: 'unreachable',
      status: 503,
    });
  });
});
