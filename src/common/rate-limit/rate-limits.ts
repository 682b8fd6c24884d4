import { AppConfig } from '../../config/app-config';

/** The limits the service applies, each counted per client in its own window. */
export type RateLimitName = 'captions' | 'batch' | 'admin_failures';

export interface RateLimitRule {
  name: RateLimitName;
  /** Hits allowed per client in one window. */
  max: number;
  /** Window length, ms. */
  windowMs: number;
}

/** Route prefixes and the limit that counts their requests; every other route is unlimited. */
const LIMITED_ROUTES: ReadonlyArray<readonly [prefix: string, limit: RateLimitName]> = [
  ['/api/v14/captions', 'captions'],
  ['/api/v14/batch', 'batch'],
];

export function rateLimitRules(config: AppConfig): Record<RateLimitName, RateLimitRule> {
  return {
    captions: {
      name: 'captions',
      max: config.RATE_LIMIT_CAPTIONS_MAX,
      windowMs: config.RATE_LIMIT_CAPTIONS_WINDOW_MS,
    },
    batch: {
      name: 'batch',
      max: config.RATE_LIMIT_BATCH_MAX,
      windowMs: config.RATE_LIMIT_BATCH_WINDOW_MS,
    },
    admin_failures: {
      name: 'admin_failures',
      max: config.RATE_LIMIT_ADMIN_FAILURES_MAX,
      windowMs: config.RATE_LIMIT_ADMIN_FAILURES_WINDOW_MS,
    },
  };
}

/**
 * The request limit of a route template, if any. Probes, /metrics, docs, the dashboard and the
 * resource endpoints are never limited: a scrape or a probe refused with 429 would look like an
 * outage. Admin routes are guarded by the failed-authentication limit instead.
 */
export function limitOfRoute(url: string): RateLimitName | undefined {
  return LIMITED_ROUTES.find(([prefix]) => url === prefix || url.startsWith(`${prefix}/`))?.[1];
}
