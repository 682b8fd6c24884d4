import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { MetricDefinitions, byLabel, single } from '../../common/metrics/metric-definitions';

/** Rate-limit refusals, and the store failures that let requests through (fail open). */
export function defineRateLimitMetrics(m: MetricDefinitions, rateLimits: RateLimitService): void {
  m.counter(
    'rate_limit_refused_total',
    'Requests answered 429 by a rate limit, by limit (captions, batch, admin_failures).',
    ['limit'],
    () => byLabel('limit', rateLimits.stats().refused),
  );
  m.counter(
    'rate_limit_store_errors_total',
    'Rate-limit checks whose store (Redis) failed, so the request went through unlimited.',
    [],
    () => single(rateLimits.stats().store_errors),
  );
}
