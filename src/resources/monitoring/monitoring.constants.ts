/** Name of the metrics snapshot job in @nestjs/schedule's SchedulerRegistry. */
export const METRICS_INTERVAL_NAME = 'monitoring.metrics';

/** Name of the scheduled health check in @nestjs/schedule's SchedulerRegistry. */
export const HEALTH_INTERVAL_NAME = 'monitoring.health';

/** How much history the ring buffer keeps, seconds (one hour). */
export const HISTORY_SPAN_S = 3600;

/**
 * Window of the rate alerts (cache hit rate, error rate), ms. The rate is computed between the
 * newest sample at least this old and now; while the process is younger, since start.
 */
/**
 * Figures that features contribute through the registry (`contributeFigure`), by name:
 * monitoring reads them without importing the feature.
 */
export const CONTRIBUTED_FIGURES = {
  /** p95 of cached caption answers, ms (the contract's alert: over 100 ms). */
  cachedResponseP95Ms: 'cached_response_p95_ms',
} as const;

/** How old the figures of /resources/monitoring/stats may be, ms (then they are re-read). */
export const LIVE_STATS_MAX_AGE_MS = 1000;

export const RATE_WINDOW_MS = 5 * 60_000;

/** v14's performance targets; an alert is listed while one is missed. */
export const ALERT_THRESHOLDS = {
  /** Cache hits / lookups under this alerts (0..1). */
  cacheHitRate: 0.8,
  /** Fewer lookups than this in the window: the hit rate is not judged (an idle cache is fine). */
  cacheMinLookups: 20,
  /** A pool (database, HTTP) with more than this percent of its connections in use alerts. */
  poolUsagePercent: 90,
  /** Memory use over this percent of the (container) limit alerts. */
  memoryUsagePercent: 80,
  /** 5xx answers / requests over this alerts (0..1). */
  errorRate: 0.01,
  /** Fewer requests than this in the window: the error rate is not judged. */
  errorMinRequests: 20,
  /** p95 of cached caption answers over this alerts, ms. */
  cachedP95Ms: 100,
} as const;

/** The self-test's default and largest `iterations`. */
export const SELF_TEST_DEFAULT_ITERATIONS = 100;
export const SELF_TEST_MAX_ITERATIONS = 1000;

/** A resource the self-test sees fail this many times in a row is not exercised further. */
export const SELF_TEST_MAX_CONSECUTIVE_ERRORS = 5;

/** Optional provider: a SystemMetricsSampler over fixtures, for specs. */
export const SYSTEM_METRICS_SAMPLER = Symbol('SYSTEM_METRICS_SAMPLER');
