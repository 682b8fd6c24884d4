import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CaptionStatsService } from '../../captions/caption-stats.service';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { CacheService } from '../cache/cache.service';
import { DatabaseService } from '../database/database.service';
import { HttpPoolService } from '../http-pool/http-pool.service';
import { ModelPoolService } from '../model-pool/model-pool.service';
import { RedisService } from '../redis/redis.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState } from '../registry/resource-state';
import { ALERT_METRICS } from './alerts';
import { METRIC_PREFIX } from './monitoring.constants';
import { MonitoringService } from './monitoring.service';
import { MonitoringStats } from './monitoring.types';

const p = (name: string) => METRIC_PREFIX + name;

/** Buckets of request and self-test durations, seconds. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Default metrics of prom-client that break the `_total` naming rule. */
const NON_COUNTER_TOTALS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** A Prometheus counter set from a cumulative value read at scrape time. */
function setCounter<T extends string>(
  counter: Counter<T>,
  labels: Partial<Record<T, string>>,
  value: number,
): void {
  counter.inc(labels, Math.max(0, value));
}

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
 * operations.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private snapshot?: MonitoringStats;
  /** L1 hits are derived (hits − L2 hits), so kept from ever going backwards. */
  private l1Hits = 0;
  private readonly requestDuration: Histogram<'method' | 'route' | 'status_class'>;
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
    private readonly captions: CaptionStatsService,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these gauges `*_total`, which Prometheus reserves for counters (promtool
    // rejects them); the per-type gauges without the suffix stay, and sum() gives the totals.
    for (const name of NON_COUNTER_TOTALS) this.registry.removeSingleMetric(name);
    this.requestDuration = new Histogram({
      name: p('request_duration_seconds'),
      help: 'Time to answer an HTTP request, by route template and status class.',
      labelNames: ['method', 'route', 'status_class'] as const,
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.selfTestDuration = new Histogram({
      name: p('selftest_operation_duration_seconds'),
      help: 'Duration of one operation of POST /resources/testing/performance, by resource.',
      labelNames: ['resource'] as const,
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.defineServiceMetrics();
    this.definePoolMetrics();
    this.defineCacheMetrics();
    this.defineModelMetrics();
    this.defineSnapshotMetrics();
  }

  /** Times every request, 404s and guard refusals included (a Fastify hook, not an interceptor). */
  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstance>();
    try {
      fastify.addHook('onResponse', (request, reply, done) => {
        this.requestDuration.observe(
          {
            method: request.method,
            route: request.routeOptions.url ?? 'unmatched',
            status_class: `${Math.floor(reply.statusCode / 100)}xx`,
          },
          reply.elapsedTime / 1000,
        );
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

  private defineServiceMetrics(): void {
    const lifecycle = this.lifecycle;
    new Counter({
      name: p('requests_total'),
      help: 'HTTP requests received, every route.',
      registers: [this.registry],
      collect() {
        this.reset();
        setCounter(this, {}, lifecycle.totalRequests);
      },
    });
    new Counter({
      name: p('server_errors_total'),
      help: 'HTTP answers with a 5xx status.',
      registers: [this.registry],
      collect() {
        this.reset();
        setCounter(this, {}, lifecycle.totalServerErrors);
      },
    });
    new Gauge({
      name: p('requests_in_flight'),
      help: 'HTTP requests being answered now.',
      registers: [this.registry],
      collect() {
        this.set(lifecycle.requestsInFlight);
      },
    });
    const monitoring = () => this.snapshot;
    new Counter({
      name: p('errors_total'),
      help: 'Failures where they happened (the errors of /resources/monitoring/stats), by source.',
      labelNames: ['source'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const sources = monitoring()?.error_sources;
        if (!sources) return;
        for (const [source, value] of Object.entries(sources)) setCounter(this, { source }, value);
      },
    });
    const resources = this.resources;
    const states = Object.values(ResourceState);
    new Gauge({
      name: p('resource_state'),
      help: 'Lifecycle state of each shared resource: 1 for the current state, 0 for the others.',
      labelNames: ['resource', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const resource of resources.all()) {
          for (const state of states) {
            this.set({ resource: resource.name, state }, resource.state === state ? 1 : 0);
          }
        }
      },
    });
  }

  private definePoolMetrics(): void {
    const read = () => ({
      db: this.database.stats() as unknown as {
        pool: {
          total: number;
          idle: number;
          in_use: number;
          waiting: number;
          max: number;
          usage_percent: number;
        };
        stats: { queries: number; errors: number; avg_query_ms: number };
      },
      redis: this.redis.stats() as unknown as {
        pool_size: number;
        connections: { ready: number; connecting: number; closed: number };
        operations: number;
        errors: number;
        latency_ms: number;
      },
      http: this.http.stats(),
    });
    new Gauge({
      name: p('pool_connections'),
      help: 'Connections of each pool by state (database, http: in_use|idle; redis: ready|connecting|closed).',
      labelNames: ['pool', 'state'] as const,
      registers: [this.registry],
      collect() {
        const { db, redis, http } = read();
        this.set({ pool: 'database', state: 'in_use' }, db.pool.in_use);
        this.set({ pool: 'database', state: 'idle' }, db.pool.idle);
        this.set({ pool: 'http', state: 'in_use' }, http.sockets.active);
        this.set({ pool: 'http', state: 'idle' }, http.sockets.free);
        this.set({ pool: 'redis', state: 'ready' }, redis.connections.ready);
        this.set({ pool: 'redis', state: 'connecting' }, redis.connections.connecting);
        this.set({ pool: 'redis', state: 'closed' }, redis.connections.closed);
      },
    });
    new Gauge({
      name: p('pool_max_connections'),
      help: 'Most connections each pool may open (database max, HTTP_MAX_CONNECTIONS, Redis pool size).',
      labelNames: ['pool'] as const,
      registers: [this.registry],
      collect() {
        const { db, redis, http } = read();
        this.set({ pool: 'database' }, db.pool.max);
        this.set({ pool: 'http' }, http.max_connections);
        this.set({ pool: 'redis' }, redis.pool_size);
      },
    });
    new Gauge({
      name: p('pool_usage_ratio'),
      help: 'Share of a pool in use (database: connections in use / max; http: sockets on the busiest agent / max). Alerts above 0.9.',
      labelNames: ['pool'] as const,
      registers: [this.registry],
      collect() {
        const { db, http } = read();
        this.set({ pool: 'database' }, db.pool.usage_percent / 100);
        this.set({ pool: 'http' }, http.usage_percent / 100);
      },
    });
    new Gauge({
      name: p('pool_pending_requests'),
      help: 'Callers waiting for a connection (database) or a socket (http).',
      labelNames: ['pool'] as const,
      registers: [this.registry],
      collect() {
        const { db, http } = read();
        this.set({ pool: 'database' }, db.pool.waiting);
        this.set({ pool: 'http' }, http.sockets.pending);
      },
    });
    new Counter({
      name: p('pool_operations_total'),
      help: 'Operations run on each pool (database queries, outbound HTTP requests, Redis commands).',
      labelNames: ['pool'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const { db, redis, http } = read();
        setCounter(this, { pool: 'database' }, db.stats.queries);
        setCounter(this, { pool: 'http' }, http.requests);
        setCounter(this, { pool: 'redis' }, redis.operations);
      },
    });
    new Counter({
      name: p('pool_errors_total'),
      help: 'Failed operations on each pool.',
      labelNames: ['pool'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const { db, redis, http } = read();
        setCounter(this, { pool: 'database' }, db.stats.errors);
        setCounter(this, { pool: 'http' }, http.errors);
        setCounter(this, { pool: 'redis' }, redis.errors);
      },
    });
    new Gauge({
      name: p('pool_average_latency_seconds'),
      help: 'Average operation latency (database: mean query time; redis: moving average of commands).',
      labelNames: ['pool'] as const,
      registers: [this.registry],
      collect() {
        const { db, redis } = read();
        this.set({ pool: 'database' }, db.stats.avg_query_ms / 1000);
        this.set({ pool: 'redis' }, redis.latency_ms / 1000);
      },
    });
  }

  private defineCacheMetrics(): void {
    const cache = this.cache;
    const l1Hits = (hits: number, l2Hits: number) => {
      this.l1Hits = Math.max(this.l1Hits, hits - l2Hits);
      return this.l1Hits;
    };
    new Counter({
      name: p('cache_requests_total'),
      help: 'Cache lookups by result: hit (answered from L1 or L2) or miss.',
      labelNames: ['result'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const s = cache.stats();
        setCounter(this, { result: 'hit' }, s.hits);
        setCounter(this, { result: 'miss' }, s.misses);
      },
    });
    new Counter({
      name: p('cache_hits_total'),
      help: 'Cache hits by tier: l2 = Redis reads that found a value; l1 = the other hits (in-process, stale-while-refreshing included).',
      labelNames: ['tier'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const s = cache.stats();
        setCounter(this, { tier: 'l1' }, l1Hits(s.hits, s.l2.hits));
        setCounter(this, { tier: 'l2' }, s.l2.hits);
      },
    });
    new Counter({
      name: p('cache_misses_total'),
      help: 'Cache misses by tier: l1 = lookups L1 could not answer; l2 = Redis reads that found nothing.',
      labelNames: ['tier'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const s = cache.stats();
        setCounter(this, { tier: 'l1' }, s.misses + s.l2.hits);
        setCounter(this, { tier: 'l2' }, s.l2.misses);
      },
    });
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({
        name: p(name),
        help,
        registers: [this.registry],
        collect() {
          this.set(value());
        },
      });
    gauge('cache_entries', 'Entries in the in-process cache (L1).', () => cache.stats().size);
    gauge('cache_max_entries', 'Most entries L1 holds (CACHE_SIZE).', () => cache.stats().max_size);
    gauge(
      'cache_size_bytes',
      'Bytes held in L1 (JSON length of the values).',
      () => cache.stats().bytes,
    );
    gauge(
      'cache_max_size_bytes',
      'Byte cap of L1 (CACHE_MAX_BYTES).',
      () => cache.stats().max_bytes,
    );
    gauge('cache_hit_ratio', 'Cache hits / lookups since start.', () => cache.stats().hit_rate);
    const counter = (name: string, help: string, value: () => number) =>
      new Counter({
        name: p(name),
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          setCounter(this, {}, value());
        },
      });
    counter(
      'cache_evictions_total',
      'L1 entries pushed out by the entry or byte cap.',
      () => cache.stats().evictions,
    );
    counter(
      'cache_expirations_total',
      'L1 entries dropped because they expired.',
      () => cache.stats().expired,
    );
    counter(
      'cache_l2_errors_total',
      'Failed Redis (L2) calls of the cache.',
      () => cache.stats().l2.errors,
    );
  }

  private defineModelMetrics(): void {
    const models = this.models;
    const perModel = (
      name: string,
      help: string,
      value: (m: ReturnType<ModelPoolService['status']>['models'][number]) => number,
    ) =>
      new Gauge({
        name: p(name),
        help,
        labelNames: ['model'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const m of models.status().models) this.set({ model: m.name }, value(m));
        },
      });
    perModel('model_loaded', 'Whether each registered model is loaded (1) or not (0).', (m) =>
      m.state === 'loaded' ? 1 : 0,
    );
    perModel(
      'model_memory_bytes',
      'Memory charged to each model against MODEL_MEMORY_LIMIT_MB.',
      (m) => Math.round(m.memory_mb * 1048576),
    );
    perModel('model_leases', 'Callers holding each model now.', (m) => m.leases);
    const perModelCounter = (
      name: string,
      help: string,
      value: (m: ReturnType<ModelPoolService['status']>['models'][number]) => number,
    ) =>
      new Counter({
        name: p(name),
        help,
        labelNames: ['model'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const m of models.status().models) setCounter(this, { model: m.name }, value(m));
        },
      });
    perModelCounter(
      'model_inferences_total',
      'Captions generated by each model.',
      (m) => m.inferences,
    );
    perModelCounter(
      'model_errors_total',
      'Failed loads and generations of each model.',
      (m) => m.errors,
    );
    new Counter({
      name: p('model_loads_total'),
      help: 'Model loads by outcome.',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const s = models.status();
        setCounter(this, { outcome: 'success' }, s.loads);
        setCounter(this, { outcome: 'failure' }, s.load_failures);
      },
    });
    new Counter({
      name: p('model_evictions_total'),
      help: 'Models unloaded, by reason (count, memory, idle, manual).',
      labelNames: ['reason'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [reason, value] of Object.entries(models.status().evictions_by_reason)) {
          setCounter(this, { reason }, value);
        }
      },
    });
    new Gauge({
      name: p('model_pool_memory_bytes'),
      help: 'Memory of the model pool: used (all loaded models) and limit (MODEL_MEMORY_LIMIT_MB).',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        const s = models.status();
        this.set({ kind: 'used' }, Math.round(s.memory_used_mb * 1048576));
        this.set({ kind: 'limit' }, Math.round(s.memory_limit_mb * 1048576));
      },
    });
    const captions = this.captions;
    new Gauge({
      name: p('cached_response_p95_seconds'),
      help: 'p95 of cached caption answers over the last 2048 of them (alerts above 0.1).',
      registers: [this.registry],
      collect() {
        this.set(captions.cachedP95() / 1000);
      },
    });
  }

  private defineSnapshotMetrics(): void {
    const snapshot = () => this.snapshot;
    const system = (
      name: string,
      help: string,
      value: (s: MonitoringStats['system_metrics']) => number,
    ) =>
      new Gauge({
        name: p(name),
        help,
        registers: [this.registry],
        collect() {
          const s = snapshot()?.system_metrics;
          if (s) this.set(value(s));
        },
      });
    system(
      'system_memory_usage_ratio',
      'Memory in use (working set) / the container limit, or the host memory without one.',
      (s) => s.memory_usage_percent / 100,
    );
    system(
      'system_cpu_usage_ratio',
      'CPU time of this process over the last metrics interval / the CPUs it may use.',
      (s) => s.cpu_usage_percent / 100,
    );
    system(
      'system_disk_usage_ratio',
      'Used share of the filesystem holding DATA_DIR.',
      (s) => s.disk_usage_percent / 100,
    );
    new Gauge({
      name: p('alert_active'),
      help: 'Whether each v14 performance target is missed now (1) or met (0).',
      labelNames: ['metric'] as const,
      registers: [this.registry],
      collect() {
        const active = new Set(snapshot()?.alerts.map((a) => a.metric) ?? []);
        for (const metric of ALERT_METRICS) this.set({ metric }, active.has(metric) ? 1 : 0);
      },
    });
  }
}
