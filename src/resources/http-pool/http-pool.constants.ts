import type { HttpPoolRequest } from './http-pool.types';

/** The shared HTTP client's one name: registry, health check key, metrics label, route segment. */
export const HTTP_POOL_RESOURCE_NAME = 'http';

/**
 * Methods safe to repeat when the caller does not say (RFC 9110 §9.2.2). POST and PATCH are
 * not: a retry could apply them twice.
 */
export const IDEMPOTENT_METHODS: ReadonlySet<HttpPoolRequest['method']> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
]);

/** Answers that mean "try again": a gateway or the upstream is briefly unavailable. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** The upstream asks us to slow down; honoured through `Retry-After`. */
export const TOO_MANY_REQUESTS = 429;

/**
 * Socket-level failures worth another attempt: the connection broke or never opened, which
 * says nothing about the request itself. DNS "not found" is absent: asking again will not help.
 */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Codes that mean the connection failed; they count against the host's circuit. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  ...RETRYABLE_NETWORK_CODES,
  'ENOTFOUND',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** First retry waits about this long (ms); each later retry doubles it, with jitter. */
export const BACKOFF_BASE_MS = 100;
/** No backoff step waits longer than this (ms). */
export const BACKOFF_MAX_MS = 2000;

/** Redirects followed per request: enough for http→https and a moved path, not a loop. */
export const MAX_REDIRECTS = 3;

/**
 * Idle keep-alive sockets kept per host. Enough to absorb a burst without reconnecting, while
 * the free-socket timeout reaps the rest within seconds.
 */
export const MAX_FREE_SOCKETS_PER_HOST = 32;

/** Longest shutdown waits for in-flight requests before aborting them (ms). */
export const DRAIN_MAX_MS = 5000;

/**
 * Hosts with their own stats and circuit. Callers reaching many distinct hosts would otherwise
 * grow the table without bound; past this the oldest idle, closed-circuit host is forgotten.
 */
export const MAX_TRACKED_HOSTS = 256;

/** Socket usage (percent of HTTP_MAX_CONNECTIONS) from which the pool reports `busy`. */
export const BUSY_THRESHOLD_PERCENT = 90;
