import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { CacheService } from '../cache/cache.service';
import { DatabaseService } from '../database/database.service';
import { HttpPoolService } from '../http-pool/http-pool.service';
import { ModelPoolService } from '../model-pool/model-pool.service';
import { RedisService } from '../redis/redis.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { defineCacheMetrics } from './metrics.cache';
import { metricsOn } from './metrics.helpers';
import { defineModelMetrics } from './metrics.models';
import { defineRateLimitMetrics } from './metrics.rate-limit';
import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { APP_VERSION } from '../../common/version';
import { definePoolMetrics } from './metrics.pools';
import { defineRequestMetrics, defineSystemMetrics } from './metrics.requests';
import { MonitoringService } from './monitoring.service';
import { MonitoringStats } from './monitoring.types';

type HttpLabel = 'method' | 'route' | 'status';
const HTTP_LABELS: readonly HttpLabel[] = ['method', 'route', 'status'];

/** Kubernetes probes and Prometheus scrapes: kept out of the request series. */
function isPlatformRoute(route: string): boolean {
  return route.startsWith('/api/v14/health') || route === '/metrics';
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
 * `captions_api_` prefix, labelled by pool (`database|http|redis`), cache tier (`l1|l2`), model
 * and resource.
 *
 * Almost every series is a gauge or counter whose `collect()` reads the owning service at scrape
 * time, so nothing is copied and nothing drifts. The system gauges and `alert_active` come from
 * the monitoring snapshot (CPU needs an interval; alerts are evaluated there). Two histograms
 * are observed as things happen: request durations (a Fastify onResponse hook) and self-test
 * operations. The definitions live by area in `metrics.{requests,pools,cache,models}.ts`.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private snapshot?: MonitoringStats;
  private readonly httpRequests: Counter<HttpLabel>;
  private readonly httpDuration: Histogram<HttpLabel>;
  private readonly selfTestDuration: Histogram<'resource'>;

  constructor(
    private readonly monitoring: MonitoringService,
    private readonly lifecycle: LifecycleService,
    private readonly resources: ResourceRegistry,
    private readonly database: DatabaseService,
    private readonly redis: RedisService,
    private readonly http: HttpPoolService,
    private readonly cache: CacheService,
    private readonly models: ModelPoolService,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly rateLimits?: RateLimitService,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges `*_total`, which Prometheus reserves for counters (promtool
    // rejects them); the per-type gauges without the suffix stay, and sum() gives the totals.
    for (const name of NON_COUNTER_TOTALS) this.registry.removeSingleMetric(name);
    const m = metricsOn(this.registry);
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
    // The exposition lists metrics in definition order; keep it when adding areas.
    const snapshot = () => this.snapshot;
    defineRequestMetrics(m, this.lifecycle, this.resources, snapshot);
    definePoolMetrics(m, this.database, this.redis, this.http);
    defineCacheMetrics(m, this.cache);
    defineModelMetrics(m, this.models, this.resources);
    if (this.rateLimits) defineRateLimitMetrics(m, this.rateLimits);
    defineSystemMetrics(m, snapshot);
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
        const route = request.routeOptions.url ?? 'unmatched';
        if (!isPlatformRoute(route)) {
          const labels = { method: request.method, route, status: String(reply.statusCode) };
          this.httpRequests.inc(labels);
          this.httpDuration.observe(labels, reply.elapsedTime / 1000);
        }
        done();
      });
    } catch (error) {
      this.logger.warn(`request duration histogram disabled: ${(error as Error).message}`);
    }
  }

  /** `Content-Type` of the exposition (text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; takes (or reuses) the monitoring snapshot first. */
  async scrape(): Promise<string> {
    this.snapshot = await this.monitoring.stats();
    return this.registry.metrics();
  }

  observeSelfTest(resource: string, seconds: number): void {
    this.selfTestDuration.observe({ resource }, seconds);
  }
}
