import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { isPlatformRoute } from '../../common/lifecycle/platform-routes';
import { routeTemplateOf } from '../../common/server/route-template';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { MetricDefinitions, metricsOn } from '../../common/metrics/metric-definitions';
import { defineRateLimitMetrics } from './metrics.rate-limit';
import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { APP_VERSION } from '../../common/version';
import { definePoolMetrics } from './metrics.pools';
import { defineRequestMetrics, defineSystemMetrics } from './metrics.requests';
import { MonitoringService } from './monitoring.service';
import { MonitoringStats } from './monitoring.types';

type HttpLabel = 'method' | 'route' | 'status';
const HTTP_LABELS: readonly HttpLabel[] = ['method', 'route', 'status'];

/** The request series of one method, route template and status. */
interface HttpSeries {
  count: () => void;
  time: (seconds: number) => void;
}

/** Default metrics of prom-client that break the `_total` naming rule. */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The Prometheus exposition behind GET /metrics, on a registry of its own (never prom-client's
 * global one, so two apps in one process keep separate series): Node process metrics
 * (collectDefaultMetrics) plus every figure of /resources/monitoring/stats under the
 * `captions_api_` prefix, labelled by pool, cache tier (`l1|l2`), model and resource.
 *
 * Almost every series is a gauge or counter whose `collect()` reads its owner at scrape time, so
 * nothing is copied and nothing drifts. Resources are known only through the registry: the
 * `pool_*` series come from each one's `observe().pool` (label `pool=<name>`), and each adds its
 * own series with `defineMetrics` (the cache's and the models' live in their folders). The
 * system gauges and `alert_active` come from the monitoring snapshot (CPU needs an interval;
 * alerts are evaluated there). Two histograms are observed as things happen: request durations
 * (a Fastify onResponse hook) and self-test operations.
 *
 * The collected series are defined at the first scrape, when every resource has registered (a
 * provider that injects no resource may be built before them); a resource registered later
 * gets its own series at the next scrape.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private snapshot?: MonitoringStats;
  private readonly httpRequests: Counter<HttpLabel>;
  private readonly httpDuration: Histogram<HttpLabel>;
  /**
   * The labelled children of the request counter and histogram, by route, method and status:
   * as many as prom-client keeps series for (routes are templates; methods, statuses are few).
   */
  private readonly httpSeries = new Map<string, Map<string, Map<number, HttpSeries>>>();
  private readonly selfTestDuration: Histogram<'resource'>;
  private readonly m: MetricDefinitions;
  /** Resources whose `defineMetrics` has run, once the collected series are defined. */
  private defined?: Set<string>;

  constructor(
    private readonly monitoring: MonitoringService,
    private readonly lifecycle: LifecycleService,
    private readonly resources: ResourceRegistry,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly rateLimits?: RateLimitService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges `*_total`, which Prometheus reserves for counters (promtool
    // rejects them); the per-type gauges without the suffix stay, and sum() gives the totals.
    for (const name of NON_COUNTER_TOTALS) this.registry.removeSingleMetric(name);
    const m = (this.m = metricsOn(this.registry));
    m.info(APP_VERSION);
    this.httpRequests = m.eventCounter(
      'http_requests_total',
      'HTTP requests answered, by method, route template and status (probes and scrapes apart).',
      HTTP_LABELS,
    );
    this.httpDuration = m.durationHistogram(
      'http_request_duration_seconds',
      'Time to answer an HTTP request, by method, route template and status (probes and scrapes apart).',
      HTTP_LABELS,
    );
    this.selfTestDuration = m.durationHistogram(
      'selftest_operation_duration_seconds',
      'Duration of one operation of POST /resources/testing/performance, by resource.',
      ['resource'] as const,
    );
  }

  /**
   * Defines the series read at scrape time, once; then the own series of any resource that
   * registered since. The exposition lists metrics in definition order.
   */
  private defineCollected(): void {
    const m = this.m;
    if (!this.defined) {
      this.defined = new Set();
      const snapshot = () => this.snapshot;
      defineRequestMetrics(m, this.lifecycle, this.resources, snapshot);
      definePoolMetrics(m, this.resources);
      this.defineResourceMetrics();
      if (this.rateLimits) defineRateLimitMetrics(m, this.rateLimits);
      defineSystemMetrics(m, this.resources, snapshot);
    }
    this.defineResourceMetrics();
  }

  /** Each resource's own series, then the features' (ResourceRegistry.contributeMetrics). */
  private defineResourceMetrics(): void {
    for (const resource of this.resources.all()) {
      if (this.defined?.has(resource.name)) continue;
      this.defined?.add(resource.name);
      resource.defineMetrics?.(this.m);
    }
    for (const [owner, define] of this.resources.contributedMetrics()) {
      const key = `contributed:${owner}`;
      if (this.defined?.has(key)) continue;
      this.defined?.add(key);
      define(this.m);
    }
  }

  /**
   * Counts and times every request, 404s and guard refusals included (a Fastify hook, not an
   * interceptor), except probes and scrapes: they are the platform's traffic, not the users'.
   */
  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstance>();
    try {
      fastify.addHook('onResponse', (request, reply, done) => {
        const route = routeTemplateOf(request) ?? 'unmatched';
        if (!isPlatformRoute(route)) {
          const series = this.httpSeriesOf(request.method, route, reply.statusCode);
          series.count();
          series.time(reply.elapsedTime / 1000);
        }
        done();
      });
    } catch (error) {
      this.logger.warn(`request duration histogram disabled: ${(error as Error).message}`);
    }
  }

  /**
   * prom-client's children for these labels, made once: a labels object built, validated and
   * hashed twice on every request showed in the profile of a cached caption (bench:profile).
   */
  private httpSeriesOf(method: string, route: string, statusCode: number): HttpSeries {
    // Nested maps rather than one joined key: no string is built per request.
    let ofRoute = this.httpSeries.get(route);
    if (!ofRoute) this.httpSeries.set(route, (ofRoute = new Map()));
    let ofMethod = ofRoute.get(method);
    if (!ofMethod) ofRoute.set(method, (ofMethod = new Map()));
    let series = ofMethod.get(statusCode);
    if (!series) {
      const status = String(statusCode);
      const counter = this.httpRequests.labels(method, route, status);
      const histogram = this.httpDuration.labels(method, route, status);
      series = { count: () => counter.inc(), time: (seconds) => histogram.observe(seconds) };
      ofMethod.set(statusCode, series);
    }
    return series;
  }

  /** `Content-Type` of the exposition (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; takes (or reuses) the monitoring snapshot first. */
  async scrape(): Promise<string> {
    this.defineCollected();
    this.snapshot = await this.monitoring.stats();
    return this.registry.metrics();
  }

  observeSelfTest(resource: string, seconds: number): void {
    this.selfTestDuration.observe({ resource }, seconds);
  }
}
