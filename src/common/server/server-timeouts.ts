import type { AppConfig } from '../../config/app-config';

/**
 * How often Node checks connections for the headers and request timeouts, ms. Node's default
 * (30 s) lets a slow client outlive a 10 s timeout by up to 30 s; one scan a second is cheap.
 */
const CONNECTIONS_CHECK_INTERVAL_MS = 1000;

type TimeoutConfig = Pick<
  AppConfig,
  | 'SERVER_HEADERS_TIMEOUT_MS'
  | 'SERVER_REQUEST_TIMEOUT_MS'
  | 'SERVER_KEEP_ALIVE_TIMEOUT_MS'
  | 'SERVER_MAX_REQUESTS_PER_SOCKET'
>;

/**
 * The HTTP server's limits on slow and long-lived clients, chosen rather than left at Node's and
 * Fastify's defaults (no request timeout at all, 60 s for headers checked every 30 s):
 * - a client that sends its headers or its body too slowly (slowloris) gets a 408 and the socket
 *   is closed after SERVER_HEADERS_TIMEOUT_MS / SERVER_REQUEST_TIMEOUT_MS;
 * - an idle kept-alive socket is closed after SERVER_KEEP_ALIVE_TIMEOUT_MS, which must stay longer
 *   than the idle timeout of any load balancer in front (else it reuses a socket we just closed);
 * - a socket serves at most SERVER_MAX_REQUESTS_PER_SOCKET requests (the last one says
 *   Connection: close), so long-lived clients spread over new instances after a scale-out.
 */
export function serverTimeoutOptions(config: TimeoutConfig) {
  return {
    requestTimeout: config.SERVER_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.SERVER_KEEP_ALIVE_TIMEOUT_MS,
    maxRequestsPerSocket: config.SERVER_MAX_REQUESTS_PER_SOCKET,
    http: {
      headersTimeout: config.SERVER_HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    },
  };
}
