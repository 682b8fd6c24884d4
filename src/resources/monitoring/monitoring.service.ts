import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { withTimeout } from '../../common/util/with-timeout';
import { AppConfig } from '../../config/app-config';
import { HEALTH_CHECK_TIMEOUT_MS, HealthStatus } from '../registry/managed-resource';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { AlertTracker, RateWindow, evaluateAlerts } from './alerts';
import {
  CONTRIBUTED_FIGURES,
  HEALTH_INTERVAL_NAME,
  HISTORY_SPAN_S,
  LIVE_STATS_MAX_AGE_MS,
  METRICS_INTERVAL_NAME,
  RATE_WINDOW_MS,
  SYSTEM_METRICS_SAMPLER,
} from './monitoring.constants';
import {
  CheckStatus,
  HealthCheckKey,
  HistoryPoint,
  MonitoringHealth,
  MonitoringHistory,
  MonitoringStats,
  ResourceView,
} from './monitoring.types';
import { Observed, V14_RESOURCES, errorSources, v14Fields } from './monitoring.v14';
import { RingBuffer } from './ring-buffer';
import { SystemMetricsSampler } from './system-metrics';
import { round } from '../../common/util/round';

/**
 * v14 monitoring: the `/resources/monitoring/stats` snapshot, the resource health summary, the
 * alerts on v14's performance targets and an hour of history.
 *
 * It knows resources only through the registry: each one's `observe()` (operations, errors,
 * pool, figures), `health()` and `required`. The fields v14 named after one resource are read
 * from those observations by name in monitoring.v14.ts.
 *
 * With ENABLE_MONITORING (default) two intervals are registered in SchedulerRegistry at
 * bootstrap: a metrics snapshot every METRICS_INTERVAL s and a health check every
 * HEALTH_CHECK_INTERVAL s. Health answers with the last check; stats re-reads its figures when
 * the last snapshot is over LIVE_STATS_MAX_AGE_MS old, so they are live yet a burst of reads
 * costs one collection. Without it no timer runs and every read computes a fresh result.
 */
@Injectable()
export class MonitoringService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Monitoring');
  private readonly system: SystemMetricsSampler;
  private readonly tracker = new AlertTracker(this.logger);
  private readonly hitRate = new RateWindow(RATE_WINDOW_MS);
  private readonly errorRate = new RateWindow(RATE_WINDOW_MS);
  private readonly ring: RingBuffer<HistoryPoint>;
  private lastStats?: MonitoringStats;
  private lastHealth?: MonitoringHealth;
  private collecting?: Promise<MonitoringStats>;
  private checking?: Promise<MonitoringHealth>;
  private lastRecordedAt?: number;
  private started = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly registry: ResourceRegistry,
    private readonly lifecycle: LifecycleService,
    @Optional() @Inject(SYSTEM_METRICS_SAMPLER) system?: SystemMetricsSampler,
  ) {
    this.system = system ?? new SystemMetricsSampler(config.DATA_DIR);
    this.ring = new RingBuffer(Math.max(2, Math.ceil(HISTORY_SPAN_S / config.METRICS_INTERVAL)));
  }

  onApplicationBootstrap(): void {
    if (this.config.ENABLE_MONITORING) this.start();
    else this.logger.log('ENABLE_MONITORING=false: no scheduled jobs; stats computed on request');
  }

  onModuleDestroy(): void {
    this.stop();
  }

  /** True while the scheduled jobs are registered. */
  get scheduled(): boolean {
    return this.started;
  }

  /** Registers both jobs (unref'd timers: they never hold the process open). Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.every(METRICS_INTERVAL_NAME, this.config.METRICS_INTERVAL, () => this.refreshStats());
    this.every(HEALTH_INTERVAL_NAME, this.config.HEALTH_CHECK_INTERVAL, () => this.refreshHealth());
    // The first snapshot now, so history starts at boot rather than one interval later.
    void this.refreshStats().catch((error: Error) =>
      this.logger.warn(`first metrics snapshot failed: ${error.message}`),
    );
    this.logger.log(
      `scheduled: metrics every ${this.config.METRICS_INTERVAL} s, health every ${this.config.HEALTH_CHECK_INTERVAL} s`,
    );
  }

  stop(): void {
    for (const name of [METRICS_INTERVAL_NAME, HEALTH_INTERVAL_NAME]) {
      // ScheduleModule clears every interval itself before shutdown; it may have gone first.
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    this.started = false;
  }

  /**
   * Live figures: the last snapshot while it is younger than LIVE_STATS_MAX_AGE_MS, else a fresh
   * one (the contract: at most a few seconds old, whatever METRICS_INTERVAL is). The scheduled
   * job keeps the history; reading more often adds no history points (see record()).
   */
  async stats(): Promise<MonitoringStats> {
    if (this.started && this.lastStats && this.lastStatsAge() < LIVE_STATS_MAX_AGE_MS) {
      return this.lastStats;
    }
    return this.refreshStats();
  }

  private lastStatsAge(): number {
    return this.lastStats ? Date.now() - Date.parse(this.lastStats.collected_at) : Infinity;
  }

  /** The last health check, or a fresh one when none exists yet or monitoring is off. */
  async health(): Promise<MonitoringHealth> {
    if (this.started && this.lastHealth) return this.lastHealth;
    return this.refreshHealth();
  }

  /** The snapshots of the last hour (at most), oldest first; `limit` keeps the newest ones. */
  history(limit?: number): MonitoringHistory {
    return {
      interval_s: this.config.METRICS_INTERVAL,
      capacity: this.ring.capacity,
      points: this.ring.toArray(limit),
    };
  }

  /** Takes a snapshot now (callers at the same time share it) and evaluates the alerts. */
  refreshStats(): Promise<MonitoringStats> {
    this.collecting ??= this.collect().finally(() => (this.collecting = undefined));
    return this.collecting;
  }

  /** Checks every resource now (callers at the same time share the check). */
  refreshHealth(): Promise<MonitoringHealth> {
    this.checking ??= this.checkHealth().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private every(name: string, seconds: number, job: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      job().catch((error: Error) => this.logger.warn(`${name} failed: ${error.message}`));
    }, seconds * 1000);
    timer.unref();
    if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    this.scheduler.addInterval(name, timer);
  }

  private async collect(): Promise<MonitoringStats> {
    // The only wait comes first, so every figure below is read at the same instant.
    const disk = await this.system.disk().catch((error: Error) => {
      this.logger.warn(`disk usage of DATA_DIR unavailable: ${error.message}`);
      return { percent: 0 };
    });
    const now = Date.now();
    const resources = this.registry.all();
    const observed = new Map<string, Observed>(
      resources.map((r) => [r.name, { state: r.state, observation: r.observe() }]),
    );
    const v14 = v14Fields(observed);
    const memory = this.system.memory();
    const cpu = this.system.cpu();
    const cachedP95 = this.registry.figure(CONTRIBUTED_FIGURES.cachedResponseP95Ms) ?? 0;

    const serverErrors = this.lifecycle.totalServerErrors;
    const totalRequests = this.lifecycle.totalRequests;
    const sources = errorSources(serverErrors, observed);
    const { hits, misses } = v14.cache_stats;
    const hitRate = this.hitRate.observe(hits, hits + misses);
    const errorRate = this.errorRate.observe(serverErrors, totalRequests);
    const alerts = this.tracker.update(
      evaluateAlerts({
        cacheHitRate: hitRate,
        poolUsagePercent: poolUsage(observed),
        memoryUsagePercent: memory.percent,
        errorRate,
        cachedP95Ms: cachedP95,
      }),
    );
    const views = Object.fromEntries(
      resources.map((r) => {
        const o = observed.get(r.name) as Observed;
        const view: ResourceView = { state: o.state, required: r.required, ...o.observation };
        return [r.name, view];
      }),
    );

    const stats: MonitoringStats = {
      resource_profile: this.config.RESOURCE_PROFILE,
      total_requests: totalRequests,
      cache_hits: v14.cache_hits,
      database_connections: v14.database_connections,
      http_requests: v14.http_requests,
      redis_operations: v14.redis_operations,
      model_loads: v14.model_loads,
      errors: Object.values(sources).reduce((sum, n) => sum + n, 0),
      cache_stats: v14.cache_stats,
      system_metrics: {
        memory_usage_percent: memory.percent,
        cpu_usage_percent: cpu.percent,
        disk_usage_percent: disk.percent,
        memory_used_mb: mb(memory.usedBytes),
        memory_limit_mb: mb(memory.limitBytes),
        memory_source: memory.source,
        cpu_cores: Math.round(cpu.cores * 100) / 100,
        cpu_window_s: cpu.windowS,
      },
      alerts,
      server_errors: serverErrors,
      error_sources: sources,
      requests_in_flight: this.lifecycle.requestsInFlight,
      pools: v14.pools,
      models: v14.models,
      cached_response_p95_ms: cachedP95,
      resources: views,
      rates: {
        window_s: RATE_WINDOW_MS / 1000,
        cache_hit_rate: round(hitRate.rate, 4),
        cache_lookups: hitRate.total,
        error_rate: round(errorRate.rate, 4),
        requests: errorRate.total,
      },
      collected_at: new Date(now).toISOString(),
    };
    this.lastStats = stats;
    this.record(stats, now);
    return stats;
  }

  /**
   * Adds the snapshot to the history when about an interval has passed since the last one, so
   * on-demand reads (monitoring off, or a burst of requests) cannot crowd the hour out.
   */
  private record(stats: MonitoringStats, now: number): void {
    const spacing = this.config.METRICS_INTERVAL * 1000 * 0.9;
    if (this.lastRecordedAt !== undefined && now - this.lastRecordedAt < spacing) return;
    this.lastRecordedAt = now;
    const { pools, system_metrics: system } = stats;
    this.ring.push({
      at: now,
      total_requests: stats.total_requests,
      server_errors: stats.server_errors,
      errors: stats.errors,
      cache_hits: stats.cache_hits,
      cache_misses: stats.cache_stats.misses,
      cache_size: stats.cache_stats.size,
      cache_hit_rate: stats.rates.cache_hit_rate,
      database_in_use: pools.database.in_use,
      database_connections: pools.database.total,
      http_active: pools.http.active,
      redis_ready: pools.redis.ready,
      redis_operations: stats.redis_operations,
      models_loaded: stats.models.loaded.length,
      model_memory_mb: stats.models.memory_used_mb,
      memory_usage_percent: system.memory_usage_percent,
      cpu_usage_percent: system.cpu_usage_percent,
      disk_usage_percent: system.disk_usage_percent,
      alerts: stats.alerts.length,
    });
  }

  private async checkHealth(): Promise<MonitoringHealth> {
    const started = performance.now();
    const resources = this.registry.all();
    // The five v14 keys stay listed when their resource is not registered: not running here,
    // so nothing to be unhealthy about.
    const healthChecks: Record<HealthCheckKey, CheckStatus> = Object.fromEntries(
      V14_RESOURCES.map((name) => [name, 'disabled' as CheckStatus]),
    );
    const results = await Promise.all(
      resources.map(async (resource) => {
        const status = await withTimeout(
          resource.health(),
          HEALTH_CHECK_TIMEOUT_MS,
          `${resource.name} health`,
        ).then(
          (health) => health.status,
          (): HealthStatus => 'unhealthy',
        );
        return [resource.name, status] as const;
      }),
    );
    for (const [name, status] of results) healthChecks[name] = status;
    const required = resources.filter((r) => r.required).map((r) => r.name);
    const report: MonitoringHealth = {
      status: overallStatus(healthChecks, required),
      health_checks: healthChecks,
      checked_at: new Date().toISOString(),
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
    };
    if (this.lastHealth && this.lastHealth.status !== report.status) {
      const line = `health ${this.lastHealth.status} -> ${report.status} ${JSON.stringify(healthChecks)}`;
      if (report.status === 'healthy') this.logger.log(line);
      else this.logger.warn(line);
    }
    this.lastHealth = report;
    return report;
  }
}

/**
 * `unhealthy` when serving is impossible (a required resource is unhealthy: the database, the
 * models), `degraded` when anything else is wrong.
 */
export function overallStatus(
  checks: Record<HealthCheckKey, CheckStatus>,
  required: readonly string[],
): MonitoringHealth['status'] {
  if (required.some((name) => checks[name] === 'unhealthy')) return 'unhealthy';
  const wrong = Object.values(checks).some((s) => s === 'unhealthy' || s === 'degraded');
  return wrong ? 'degraded' : 'healthy';
}

/**
 * The usage of each pool that reports one, by resource name: judged by the pool alert while
 * the pool says it is `alertable`, left undefined (not judged) otherwise.
 */
function poolUsage(observed: ReadonlyMap<string, Observed>): Record<string, number | undefined> {
  const usage: Record<string, number | undefined> = {};
  for (const [name, { observation }] of observed) {
    const pool = observation.pool;
    if (pool?.usage_percent === undefined) continue;
    usage[name] = pool.alertable ? pool.usage_percent : undefined;
  }
  return usage;
}

function mb(bytes: number): number {
  return Math.round(bytes / 1048576);
}
