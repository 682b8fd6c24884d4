import { isAxiosError } from 'axios';
import {
  AppError,
  ResourceUnavailableError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../../common/errors/app-errors';
import { HTTP_POOL_RESOURCE_NAME, NETWORK_CODES, TOO_MANY_REQUESTS } from './http-pool.constants';
import type { RequestDeadline } from './http-pool.deadline';
import { retryAfterMs } from './http-pool.retry';

/** The upstream kept answering 429; `retryAfterS` passes its `Retry-After` on to our client. */
export class UpstreamRateLimitedError extends UpstreamError {
  override readonly retryAfterS?: number;
  constructor(message: string, waitMs: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.retryAfterS = waitMs === undefined ? undefined : Math.ceil(waitMs / 1000);
  }
}

/**
 * The upstream answered, but not usably: larger than HTTP_MAX_RESPONSE_BYTES, not JSON when
 * JSON was asked for, or not the shape the caller expects. Still a 502: the host is up, but
 * what it sends is worth nothing to us.
 */
export class UpstreamBadAnswerError extends UpstreamError {}

/**
 * How one attempt failed:
 * - `status`: the upstream answered 5xx or 429;
 * - `network`: the connection failed (refused, reset, DNS);
 * - `stale_socket`: a reused keep-alive socket was reset, most likely closed by the server
 *   while idle; says nothing about the host's health;
 * - `timeout`: the request's total deadline ran out;
 * - `shutdown`: the pool was shut down with the request still running;
 * - `bad_answer`: the upstream answered, but not usably: a body over HTTP_MAX_RESPONSE_BYTES
 *   (whatever its status), or a 2xx body that is not JSON when JSON was asked for or that the
 *   caller's `validate` refused;
 * - `other`: anything else (too many redirects, a request body too large, a bad request).
 */
export type FailureKind =
  'status' | 'network' | 'stale_socket' | 'timeout' | 'shutdown' | 'bad_answer' | 'other';

/**
 * One failed attempt, reduced to what is safe to log and to chain as a `cause`: method,
 * origin and path, status or error code. Never headers (they may hold API keys), bodies or
 * query strings. The raw axios error is dropped because its `config` holds the headers.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
    /** The `Retry-After` header of a 429/503 answer. */
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'AttemptFailure';
  }

  /**
   * Whether this says the host is unwell, and so counts towards opening its circuit. A bad
   * answer does: a host that keeps sending 20 MB or broken JSON costs every caller time and
   * memory for nothing, exactly like one that answers 500.
   */
  get countsAgainstHost(): boolean {
    if (this.kind === 'status') return (this.status ?? 0) >= 500;
    return this.kind === 'network' || this.kind === 'timeout' || this.kind === 'bad_answer';
  }
}

/** `METHOD origin/path` for messages: no userinfo, no query string (either may hold a key). */
export function requestLabel(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`;
}

/** The failure an answer stands for, or undefined when the answer resolves to the caller. */
export function failureFromStatus(
  label: string,
  status: number,
  retryAfter: string | undefined,
): AttemptFailure | undefined {
  if (status < 500 && status !== TOO_MANY_REQUESTS) return undefined;
  return new AttemptFailure('status', `${label} answered ${status}`, status, undefined, retryAfter);
}

/** The failure a request's aborted signal stands for, or undefined while it runs. */
export function abortFailure(label: string, deadline: RequestDeadline): AttemptFailure | undefined {
  switch (deadline.abortedBy) {
    case 'deadline':
      return new AttemptFailure('timeout', `${label}: no answer within ${deadline.timeoutMs} ms`);
    case 'shutdown':
      return new AttemptFailure('shutdown', `${label}: aborted by shutdown`);
    default:
      return undefined;
  }
}

/** Classifies an error thrown by axios for one attempt. */
export function failureFromError(
  error: unknown,
  label: string,
  deadline: RequestDeadline,
): AttemptFailure {
  // The deadline is checked first: an abort surfaces from axios as a generic CanceledError.
  const aborted = abortFailure(label, deadline);
  if (aborted) return aborted;
  const code = isAxiosError(error) ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code && isStaleSocketReset(error, code)) {
    return new AttemptFailure(
      'stale_socket',
      `${label}: reused socket reset (${code})`,
      undefined,
      code,
    );
  }
  if (code && NETWORK_CODES.has(code)) {
    return new AttemptFailure('network', `${label}: ${code}`, undefined, code);
  }
  if (code && isTooLarge(code, message)) {
    return new AttemptFailure(
      'bad_answer',
      `${label}: answer over HTTP_MAX_RESPONSE_BYTES (${message})`,
      undefined,
      code,
    );
  }
  return new AttemptFailure('other', `${label}: ${message}`, undefined, code);
}

/** The typed error a caller sees once no more attempts will be made. */
export function toAppError(failure: AttemptFailure): AppError {
  const options = { cause: failure };
  switch (failure.kind) {
    case 'timeout':
      return new UpstreamTimeoutError(failure.message, options);
    case 'shutdown':
      return new ResourceUnavailableError(HTTP_POOL_RESOURCE_NAME, 'was shut down', options);
    case 'bad_answer':
      return new UpstreamBadAnswerError(failure.message, options);
    default:
      if (failure.status === TOO_MANY_REQUESTS) {
        return new UpstreamRateLimitedError(
          failure.message,
          retryAfterMs(failure.retryAfter),
          options,
        );
      }
      return new UpstreamError(failure.message, options);
  }
}

/**
 * A reset (or a write to a closed socket) on a socket taken from the keep-alive pool, before
 * any answer. Node marks such requests `reusedSocket`; with redirects on, axios hands us
 * follow-redirects' wrapper, which keeps the real request in `_currentRequest`.
 */
function isStaleSocketReset(error: unknown, code: string): boolean {
  if (code !== 'ECONNRESET' && code !== 'EPIPE') return false;
  if (!isAxiosError(error) || error.response) return false;
  const request = error.request as
    { reusedSocket?: boolean; _currentRequest?: { reusedSocket?: boolean } } | undefined;
  return Boolean(request?.reusedSocket ?? request?._currentRequest?.reusedSocket);
}

/**
 * axios' "maxContentLength size of N exceeded": it stops reading once the body passes the
 * limit. Recognised by code and message, as axios gives it no code of its own (ERR_BAD_RESPONSE
 * also covers a body cut short).
 */
function isTooLarge(code: string, message: string): boolean {
  return code === 'ERR_BAD_RESPONSE' && message.startsWith('maxContentLength size of');
}
