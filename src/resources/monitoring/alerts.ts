import { ALERT_THRESHOLDS } from './monitoring.constants';
import { round } from '../../common/util/round';

/**
 * A performance target as named in `alerts[].metric`: `cache_hit_rate`, `memory_usage_percent`,
 * `error_rate`, `cached_response_p95_ms`, and `<pool>_pool_usage_percent` for each resource whose
 * pool reports its usage (`database_pool_usage_percent`, `http_pool_usage_percent`).
 */
export type AlertMetric = string;

/** The name of a pool's usage target. */
export const poolAlertMetric = (pool: string): AlertMetric => `${pool}_pool_usage_percent`;

/** Every target v14 watches, in the order alerts are listed, given the pools with a usage. */
export function alertMetrics(pools: readonly string[]): AlertMetric[] {
  return [
    'cache_hit_rate',
    ...pools.map(poolAlertMetric),
    'memory_usage_percent',
    'error_rate',
    'cached_response_p95_ms',
  ];
}

/** One entry of `alerts` in /resources/monitoring/stats (the v14 shape plus `since`). */
export interface Alert {
  metric: AlertMetric;
  value: number;
  threshold: number;
  /** When this alert started, ISO time. */
  since: string;
}

/** One target measured now: its value, its threshold, and whether it is missed. */
export interface Reading {
  metric: AlertMetric;
  value: number;
  threshold: number;
  missed: boolean;
}

/** A rate over a window: `rate` = events / `total` (0 when `total` is 0). */
export interface RateReading {
  rate: number;
  total: number;
}

/** What the targets are judged on; a field left undefined is not judged this time. */
export interface AlertInputs {
  /** Cache hits / lookups over the rate window. */
  cacheHitRate?: RateReading;
  /** Percent of each pool's connections in use, by resource name; undefined: not judged. */
  poolUsagePercent: Record<string, number | undefined>;
  memoryUsagePercent?: number;
  /** 5xx answers / requests over the rate window. */
  errorRate?: RateReading;
  /** p95 of cached caption answers, ms (0 before any). */
  cachedP95Ms?: number;
}

export type AlertThresholds = { -readonly [K in keyof typeof ALERT_THRESHOLDS]: number };

/**
 * Measures every target that can be judged now. Rates need enough events in the window to
 * mean something: an idle cache or a quiet service never alerts.
 */
export function evaluateAlerts(
  inputs: AlertInputs,
  t: AlertThresholds = ALERT_THRESHOLDS,
): Reading[] {
  const readings: Reading[] = [];
  const above = (metric: AlertMetric, value: number | undefined, threshold: number) => {
    if (value !== undefined) readings.push({ metric, value, threshold, missed: value > threshold });
  };
  const hit = inputs.cacheHitRate;
  if (hit && hit.total >= t.cacheMinLookups) {
    const value = round(hit.rate, 4);
    readings.push({
      metric: 'cache_hit_rate',
      value,
      threshold: t.cacheHitRate,
      missed: value < t.cacheHitRate,
    });
  }
  for (const [pool, usage] of Object.entries(inputs.poolUsagePercent)) {
    above(poolAlertMetric(pool), usage, t.poolUsagePercent);
  }
  above('memory_usage_percent', inputs.memoryUsagePercent, t.memoryUsagePercent);
  const errors = inputs.errorRate;
  if (errors && errors.total >= t.errorMinRequests) {
    above('error_rate', round(errors.rate, 4), t.errorRate);
  }
  above('cached_response_p95_ms', inputs.cachedP95Ms, t.cachedP95Ms);
  return readings;
}

/** Where alert transitions are written (Nest's Logger fits). */
export interface AlertLogger {
  warn(message: string): void;
  log(message: string): void;
}

/**
 * Remembers which targets are missed, so each alert is logged once when it starts and once
 * when it clears, however often it is evaluated in between. A target that cannot be judged
 * any more (too few lookups, a pool no longer measured) counts as cleared.
 */
export class AlertTracker {
  private readonly active = new Map<AlertMetric, { since: number; threshold: number }>();

  constructor(
    private readonly logger: AlertLogger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Applies a new set of readings; returns the alerts active now, in the readings' order. */
  update(readings: readonly Reading[]): Alert[] {
    const now = this.clock();
    const byMetric = new Map(readings.map((r) => [r.metric, r]));
    for (const reading of readings) {
      if (!reading.missed || this.active.has(reading.metric)) continue;
      this.active.set(reading.metric, { since: now, threshold: reading.threshold });
      this.logger.warn(
        `alert started: ${reading.metric} is ${reading.value} (threshold ${reading.threshold})`,
      );
    }
    for (const [metric, state] of this.active) {
      const reading = byMetric.get(metric);
      if (reading?.missed) continue;
      this.active.delete(metric);
      const current = reading ? `is ${reading.value}` : 'is no longer measured';
      this.logger.log(
        `alert cleared: ${metric} ${current} (threshold ${state.threshold}) after ${Math.round((now - state.since) / 1000)} s`,
      );
    }
    return readings
      .filter((r) => this.active.has(r.metric))
      .map((reading) => {
        const metric = reading.metric;
        const state = this.active.get(metric) as { since: number };
        return {
          metric,
          value: reading.value,
          threshold: reading.threshold,
          since: new Date(state.since).toISOString(),
        };
      });
  }

  isActive(metric: AlertMetric): boolean {
    return this.active.has(metric);
  }
}

/**
 * A rate between two cumulative counters over a sliding window: (events now − events at the
 * baseline) / (total now − total at the baseline), where the baseline is the newest sample at
 * least `windowMs` old — or process start (both counters 0) while there is none. A counter
 * that went backwards (its owner was re-created) restarts the window from zero.
 */
export class RateWindow {
  private samples: Array<{ at: number; events: number; total: number }> = [];

  /**
   * @param windowMs length of the window, ms.
   * @param clock ms clock; Date.now by default (fake timers drive it in specs).
   */
  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  observe(events: number, total: number): RateReading {
    const now = this.clock();
    const newest = this.samples.at(-1);
    if (newest && (events < newest.events || total < newest.total)) this.samples = [];
    // At most ~300 samples per window, however often this is called.
    const spacing = this.windowMs / 300;
    const latest = this.samples.at(-1);
    if (!latest || now - latest.at >= spacing) this.samples.push({ at: now, events, total });
    const cutoff = now - this.windowMs;
    let base = -1;
    for (let i = 0; i < this.samples.length && this.samples[i].at <= cutoff; i++) base = i;
    if (base > 0) this.samples.splice(0, base);
    const baseline = base >= 0 ? this.samples[0] : { events: 0, total: 0 };
    const windowTotal = total - baseline.total;
    return {
      rate: windowTotal > 0 ? (events - baseline.events) / windowTotal : 0,
      total: windowTotal,
    };
  }
}
