import {
  BACKOFF_BASE_MS,
  BACKOFF_MAX_MS,
  IDEMPOTENT_METHODS,
  RETRYABLE_NETWORK_CODES,
  RETRYABLE_STATUSES,
  TOO_MANY_REQUESTS,
} from './http-pool.constants';
import type { AttemptFailure } from './http-pool.errors';
import type { HttpPoolRequest } from './http-pool.types';

/** Whether a request may be sent twice: the caller's word, else the method's (RFC 9110). */
export function isIdempotent(request: Pick<HttpPoolRequest, 'method' | 'idempotent'>): boolean {
  return request.idempotent ?? IDEMPOTENT_METHODS.has(request.method);
}

/**
 * Wait before retry number `retry` (0 for the first), ms: exponential, with "equal jitter"
 * (half fixed, half random) so clients that failed together do not retry together, while
 * still always leaving the upstream a pause.
 */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * `Retry-After` as ms from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable, so the caller falls back to its own backoff.
 */
export function retryAfterMs(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts (deadline or shutdown). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Decides, failure by failure, whether one request gets another attempt and after how long.
 *
 * Only idempotent requests are retried: a network error or a 502/503/504 may come after the
 * upstream acted, and repeating a POST could act twice.
 *
 * A reused keep-alive socket reset before any answer ("stale socket") is most likely one the
 * server closed while idle. An idempotent request gets one immediate extra attempt for it,
 * outside its retry budget, so even `retries: 0` never sees that pooling artifact. A
 * non-idempotent request is not retried even then (we cannot tell whether the server read it;
 * RFC 9110 §9.2.2): it fails with a typed UpstreamError, and the free-socket timeout kept
 * below server keep-alive timeouts makes the race rare in the first place.
 *
 * A bad answer (too large, not JSON, not the expected shape) is not retried, idempotent or
 * not: the host answered promptly and will most likely answer the same way a moment later (a
 * wrong endpoint, a proxy's error page, a model stuck on one output), and each attempt costs
 * up to HTTP_MAX_RESPONSE_BYTES and a full round trip. It fails at once (the caller can fall
 * back) and counts towards the host's circuit, whose half-open trial is the "try later".
 */
export class RetryPlan {
  private retriesLeft: number;
  private staleRetryLeft: boolean;
  private retriesDone = 0;

  constructor(
    request: Pick<HttpPoolRequest, 'method' | 'idempotent' | 'retries'>,
    defaultRetries: number,
  ) {
    const idempotent = isIdempotent(request);
    this.retriesLeft = idempotent ? (request.retries ?? defaultRetries) : 0;
    this.staleRetryLeft = idempotent;
  }

  /** Ms to wait before the next attempt, or undefined to give up with this failure. */
  next(failure: AttemptFailure, remainingMs: number): number | undefined {
    if (failure.kind === 'stale_socket' && this.staleRetryLeft) {
      this.staleRetryLeft = false;
      return 0;
    }
    if (this.retriesLeft <= 0 || !isRetryable(failure)) return undefined;
    const wait = this.waitFor(failure);
    // A wait the deadline cannot cover would only end in a timeout: report the real failure now.
    if (wait >= remainingMs) return undefined;
    this.retriesLeft--;
    this.retriesDone++;
    return wait;
  }

  private waitFor(failure: AttemptFailure): number {
    const asked = failure.kind === 'status' ? retryAfterMs(failure.retryAfter) : undefined;
    return asked ?? backoffMs(this.retriesDone);
  }
}

function isRetryable(failure: AttemptFailure): boolean {
  switch (failure.kind) {
    case 'stale_socket':
      return true;
    case 'network':
      return RETRYABLE_NETWORK_CODES.has(failure.code ?? '');
    case 'status':
      return RETRYABLE_STATUSES.has(failure.status ?? 0) || failure.status === TOO_MANY_REQUESTS;
    case 'bad_answer':
      return false; // see RetryPlan: the same answer again would cost as much and tell nothing new
    default:
      return false;
  }
}
