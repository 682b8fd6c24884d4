/** How the shared outbound HTTP pool is set up (built from the validated configuration in one place). */
export interface HttpPoolOptions {
  /** Total deadline of one request including retries, unless the request sets its own, ms. */
  timeoutMs: number;
  /** Sockets per agent across all hosts. */
  maxConnections: number;
  /** Retries of idempotent requests, unless the request sets its own. */
  retries: number;
  /** Largest response (and request) body accepted, bytes. */
  maxResponseBytes: number;
  /** Consecutive failures that open a host's circuit. */
  breakerThreshold: number;
  /** How long an open circuit waits before a trial request, ms. */
  breakerHalfOpenMs: number;
  /** Idle keep-alive sockets are closed after this, ms. */
  freeSocketTimeoutMs: number;
  /** At shutdown, how long in-flight requests may take to finish before they are aborted, ms (capped at DRAIN_MAX_MS). */
  shutdownGraceMs: number;
}
