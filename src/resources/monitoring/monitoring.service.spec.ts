import { SchedulerRegistry } from '@nestjs/schedule';
import { Logger } from '@nestjs/common';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { AppConfig } from '../../config/app-config';
import { ManagedResource, ResourceHealth } from '../registry/managed-resource';
import type { ResourceObservation } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState, ResourceType } from '../registry/resource-state';
import {
  CONTRIBUTED_FIGURES,
  HEALTH_INTERVAL_NAME,
  LIVE_STATS_MAX_AGE_MS,
  METRICS_INTERVAL_NAME,
} from './monitoring.constants';
import { MonitoringService, overallStatus } from './monitoring.service';
import { CheckStatus } from './monitoring.types';
import { fixedSystemSampler } from './testing/fixed-system';

/** Live counters the stubs read, so a spec can move them between ticks. */
const counters = { hits: 0, misses: 0, requests: 0, serverErrors: 0 };

const idle = (): ResourceObservation => ({ operations: 0, errors: 0, figures: {} });
const healthy = async (): Promise<ResourceHealth> => ({ status: 'healthy' });

function resource(
  name: string,
  type: ResourceType,
  health: () => Promise<ResourceHealth>,
  observe: () => ResourceObservation = idle,
) {
  return {
    name,
    type,
    state: ResourceState.READY,
    required: name === 'database' || name === 'models',
    dependsOn: [],
    health,
    observe,
  } as unknown as ManagedResource;
}

/** The five resources, each observed the way its folder observes the real one. */
function fiveResources(): ManagedResource[] {
  return [
    resource('database', ResourceType.DATABASE, healthy, () => ({
      operations: 5,
      errors: 1,
      pool: {
        connections: { in_use: 1, idle: 2 },
        max: 10,
        pending: 0,
        usage_percent: 10,
        alertable: true,
      },
      figures: {},
    })),
    resource('redis', ResourceType.REDIS, healthy, () => ({
      operations: 7,
      errors: 2,
      pool: { connections: { ready: 2, connecting: 0, closed: 0 }, max: 2, alertable: false },
      figures: {},
    })),
    resource('http', ResourceType.HTTP_CLIENT, healthy, () => ({
      operations: 4,
      errors: 3,
      pool: {
        connections: { in_use: 0, idle: 1 },
        max: 100,
        pending: 0,
        usage_percent: 0,
        alertable: true,
      },
      figures: {},
    })),
    resource('cache', ResourceType.CACHE, healthy, () => ({
      operations: counters.hits + counters.misses,
      errors: 4,
      figures: {
        size: 1,
        max_size: 10,
        usage_percent: 10,
        hits: counters.hits,
        misses: counters.misses,
        hit_rate: 0,
      },
    })),
    resource('models', ResourceType.AI_MODEL, healthy, () => ({
      operations: 0,
      errors: 5,
      figures: {
        loads: 1,
        evictions: 0,
        loaded: ['caption-local'],
        memory_used_mb: 40,
        memory_limit_mb: 2048,
      },
    })),
  ];
}

function build(env: Partial<AppConfig>, resources: ManagedResource[] = fiveResources()) {
  const config = Object.assign(new AppConfig(), env);
  const scheduler = new SchedulerRegistry();
  const registry = new ResourceRegistry();
  resources.forEach((r) => registry.register(r));
  const lifecycle = {
    get totalRequests() {
      return counters.requests;
    },
    get totalServerErrors() {
      return counters.serverErrors;
    },
    requestsInFlight: 0,
  } as unknown as LifecycleService;
  // A feature's figure, contributed the way captions contributes it.
  registry.contributeFigure(CONTRIBUTED_FIGURES.cachedResponseP95Ms, () => 1.5);
  const service = new MonitoringService(
    config,
    scheduler,
    registry,
    lifecycle,
    fixedSystemSampler(),
  );
  return { service, scheduler };
}

/** Lets the promise chains started by a timer run to the end. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('MonitoringService', () => {
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
    Object.assign(counters, { hits: 0, misses: 0, requests: 0, serverErrors: 0 });
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('registers no interval with ENABLE_MONITORING=false and computes every read afresh', async () => {
    const { service, scheduler } = build({ ENABLE_MONITORING: false });
    service.onApplicationBootstrap();
    expect(scheduler.getIntervals()).toEqual([]);
    expect(service.scheduled).toBe(false);
    counters.requests = 3;
    expect((await service.stats()).total_requests).toBe(3);
    counters.requests = 4;
    expect((await service.stats()).total_requests).toBe(4);
  });

  it('registers both jobs with their periods; stats are at most LIVE_STATS_MAX_AGE_MS old', async () => {
    const probe = jest.fn(async (): Promise<ResourceHealth> => ({ status: 'healthy' }));
    const { service, scheduler } = build(
      { ENABLE_MONITORING: true, METRICS_INTERVAL: 10, HEALTH_CHECK_INTERVAL: 30 },
      [resource('database', ResourceType.DATABASE, probe)],
    );
    service.onApplicationBootstrap();
    expect(scheduler.getIntervals().sort()).toEqual([HEALTH_INTERVAL_NAME, METRICS_INTERVAL_NAME]);
    expect(scheduler.getInterval(METRICS_INTERVAL_NAME).hasRef()).toBe(false);
    await settle();
    counters.requests = 50;
    expect((await service.stats()).total_requests).toBe(0); // the snapshot taken at start
    jest.advanceTimersByTime(LIVE_STATS_MAX_AGE_MS);
    // Read live between ticks; the read adds no history point (the job keeps the history).
    expect((await service.stats()).total_requests).toBe(50);
    counters.requests = 60;
    jest.advanceTimersByTime(10_000 - LIVE_STATS_MAX_AGE_MS);
    await settle();
    expect((await service.stats()).total_requests).toBe(60);
    expect(service.history().points.map((p) => p.total_requests)).toEqual([0, 60]);
    expect(probe).not.toHaveBeenCalled();
    jest.advanceTimersByTime(20_000);
    await settle();
    expect(probe).toHaveBeenCalledTimes(1);
    expect((await service.health()).health_checks.database).toBe('healthy');
    expect(probe).toHaveBeenCalledTimes(1); // answered from the scheduled check

    service.onModuleDestroy();
    expect(scheduler.getIntervals()).toEqual([]);
  });

  it('keeps an hour of history, one point per interval, even when read on demand in between', async () => {
    const { service } = build({ ENABLE_MONITORING: false, METRICS_INTERVAL: 60 });
    expect(service.history().capacity).toBe(60);
    for (let i = 0; i < 5; i++) {
      await service.stats();
      jest.advanceTimersByTime(1000);
    }
    expect(service.history().points).toHaveLength(1);
    for (let i = 0; i < 100; i++) {
      jest.advanceTimersByTime(60_000);
      await service.stats();
    }
    expect(service.history().points).toHaveLength(60);
    expect(service.history(5).points).toHaveLength(5);
  });

  it('adds up errors from the 5xx count and every resource, and fills the v14 shape', async () => {
    const { service } = build({ ENABLE_MONITORING: false });
    counters.serverErrors = 6;
    const stats = await service.stats();
    expect(stats.error_sources).toEqual({
      server: 6,
      database: 1,
      redis: 2,
      http: 3,
      cache: 4,
      models: 5,
    });
    expect(stats.errors).toBe(21);
    expect(stats).toMatchObject({
      database_connections: 3,
      http_requests: 4,
      redis_operations: 7,
      model_loads: 1,
      cache_stats: { size: 1, max_size: 10, usage_percent: 10 },
      system_metrics: { memory_usage_percent: 40, disk_usage_percent: 50 },
      models: { loaded: ['caption-local'] },
      cached_response_p95_ms: 1.5,
    });
  });

  it('logs a hit-rate alert once when it starts and once when it clears, across scheduled ticks', async () => {
    const { service } = build({ ENABLE_MONITORING: true, METRICS_INTERVAL: 1 });
    service.start();
    await settle();
    counters.misses = 100;
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(1000);
      await settle();
    }
    expect((await service.stats()).alerts).toEqual([
      expect.objectContaining({ metric: 'cache_hit_rate', value: 0, threshold: 0.8 }),
    ]);
    const started = warn.mock.calls.filter(([m]) => String(m).startsWith('alert started'));
    expect(started).toHaveLength(1);

    counters.hits = 900;
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(1000);
      await settle();
    }
    expect((await service.stats()).alerts).toEqual([]);
    const cleared = log.mock.calls.filter(([m]) => String(m).startsWith('alert cleared'));
    expect(cleared).toHaveLength(1);
    expect(cleared[0][0]).toContain('cache_hit_rate is 0.9');
    service.stop();
  });

  it('keys health checks by resource name and reports a hung check as unhealthy', async () => {
    const { service } = build({ ENABLE_MONITORING: false }, [
      resource('database', ResourceType.DATABASE, async () => ({ status: 'healthy' })),
      resource('redis', ResourceType.REDIS, async () => ({ status: 'disabled' })),
      resource('http', ResourceType.HTTP_CLIENT, async () => ({ status: 'degraded' })),
      resource('cache', ResourceType.CACHE, () => new Promise(() => undefined)),
      resource('models', ResourceType.AI_MODEL, async () => ({ status: 'healthy' })),
    ]);
    const pending = service.health();
    await jest.advanceTimersByTimeAsync(3000);
    const report = await pending;
    expect(report).toMatchObject({
      status: 'degraded',
      health_checks: {
        database: 'healthy',
        redis: 'disabled',
        http: 'degraded',
        cache: 'unhealthy',
        models: 'healthy',
      },
      checked_at: '2025-01-01T00:00:03.000Z',
    });
  });
});

describe('overallStatus', () => {
  const all = (s: 'healthy') => ({ database: s, redis: s, http: s, cache: s, models: s });
  const required = ['database', 'models'];
  it('is unhealthy only when serving is impossible (a required resource is unhealthy)', () => {
    const status = (checks: Record<string, CheckStatus>) => overallStatus(checks, required);
    expect(status(all('healthy'))).toBe('healthy');
    expect(status({ ...all('healthy'), redis: 'disabled' })).toBe('healthy');
    expect(status({ ...all('healthy'), redis: 'unhealthy' })).toBe('degraded');
    expect(status({ ...all('healthy'), cache: 'degraded' })).toBe('degraded');
    expect(status({ ...all('healthy'), database: 'unhealthy' })).toBe('unhealthy');
    expect(status({ ...all('healthy'), models: 'unhealthy' })).toBe('unhealthy');
    expect(overallStatus({ ...all('healthy'), redis: 'unhealthy' }, ['redis'])).toBe('unhealthy');
  });
});
