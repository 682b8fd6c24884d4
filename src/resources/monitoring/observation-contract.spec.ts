import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { MetricDefinitions, single } from '../../common/metrics/metric-definitions';
import { AppConfig } from '../../config/app-config';
import { ManagedResourceBase, ResourceHealth } from '../registry/managed-resource';
import { ResourceObservation, SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceType } from '../registry/resource-state';
import { MetricsService } from './metrics.service';
import { MonitoringService } from './monitoring.service';
import { PerformanceTestService } from './performance-test.service';
import { fixedSystemSampler } from './testing/fixed-system';

/**
 * A sixth resource, declared the way the five are (in its own folder, through the registry):
 * file storage with a pool of file handles, its own series and a self-test. Nothing in
 * monitoring knows it.
 */
class StorageResource extends ManagedResourceBase {
  status: ResourceHealth['status'] = 'healthy';
  handlesInUse = 19;
  writes = 0;

  constructor() {
    super('storage', 'file_storage' as ResourceType, { required: true });
  }
  stats() {
    return { files: 3 };
  }
  observe(): ResourceObservation {
    return {
      operations: 40 + this.writes,
      errors: 2,
      pool: {
        connections: { in_use: this.handlesInUse, idle: 20 - this.handlesInUse },
        max: 20,
        pending: 1,
        usage_percent: (this.handlesInUse / 20) * 100,
        alertable: true,
      },
      figures: { files: 3, used_bytes: 1024, path: '/data/files' },
    };
  }
  defineMetrics(m: MetricDefinitions): void {
    m.gauge('storage_files', 'Files kept in file storage.', [], () => single(3));
  }
  selfTestPlan(): SelfTestPlan {
    return { operations: [async () => void this.writes++] };
  }
  protected async doInit() {}
  protected async doShutdown() {}
  protected async probe(): Promise<ResourceHealth> {
    return { status: this.status };
  }
}

function build() {
  const registry = new ResourceRegistry();
  const storage = new StorageResource();
  registry.register(storage);
  const config = Object.assign(new AppConfig(), { ENABLE_MONITORING: false });
  const lifecycle = {
    totalRequests: 10,
    totalServerErrors: 1,
    requestsInFlight: 0,
  } as unknown as LifecycleService;
  const monitoring = new MonitoringService(
    config,
    new SchedulerRegistry(),
    registry,
    lifecycle,
    fixedSystemSampler(),
  );
  const metrics = new MetricsService(monitoring, lifecycle, registry);
  const selfTest = new PerformanceTestService(registry, metrics);
  return { storage, monitoring, metrics, selfTest };
}

/** The value of one exposition line. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('a sixth resource, observed through the registry only', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('has its health check, and being required, makes the service unhealthy when it is', async () => {
    const { storage, monitoring } = build();
    await storage.init();
    const health = await monitoring.refreshHealth();
    expect(health.status).toBe('healthy');
    // Its key, and the five v14 keys, not registered here, reported disabled as before.
    expect(health.health_checks).toEqual({
      database: 'disabled',
      redis: 'disabled',
      http: 'disabled',
      cache: 'disabled',
      models: 'disabled',
      storage: 'healthy',
    });
    storage.status = 'unhealthy';
    expect((await monitoring.refreshHealth()).status).toBe('unhealthy');
  });

  it('has its errors, its pool alert and its figures in /resources/monitoring/stats', async () => {
    const { storage, monitoring } = build();
    await storage.init();
    const stats = await monitoring.stats();
    expect(stats.error_sources).toEqual({
      server: 1,
      database: 0,
      redis: 0,
      http: 0,
      cache: 0,
      models: 0,
      storage: 2,
    });
    expect(stats.errors).toBe(3);
    expect(stats.alerts).toEqual([
      expect.objectContaining({ metric: 'storage_pool_usage_percent', value: 95, threshold: 90 }),
    ]);
    expect(stats.resources.storage).toMatchObject({
      state: 'ready',
      required: true,
      operations: 40,
      errors: 2,
      pool: { max: 20, usage_percent: 95 },
      figures: { files: 3, used_bytes: 1024, path: '/data/files' },
    });
    // The v14 fields of resources that are not registered read as zeros.
    expect(stats).toMatchObject({ database_connections: 0, cache_hits: 0, model_loads: 0 });
  });

  it('has the pool series, labelled by its name, and its own series in /metrics', async () => {
    const { storage, metrics } = build();
    await storage.init();
    const text = await metrics.scrape();
    const pool = (name: string, extra = '') =>
      sample(text, `captions_api_${name}{pool="storage"${extra}}`);
    expect(pool('pool_connections', ',state="in_use"')).toBe(19);
    expect(pool('pool_connections', ',state="idle"')).toBe(1);
    expect(pool('pool_max_connections')).toBe(20);
    expect(pool('pool_pending_requests')).toBe(1);
    expect(pool('pool_operations_total')).toBe(40);
    expect(pool('pool_errors_total')).toBe(2);
    expect(sample(text, 'captions_api_storage_files')).toBe(3);
    expect(sample(text, 'captions_api_errors_total{source="storage"}')).toBe(2);
    expect(sample(text, 'captions_api_alert_active{metric="storage_pool_usage_percent"}')).toBe(1);
    // A second scrape defines nothing twice.
    storage.handlesInUse = 5;
    const next = await metrics.scrape();
    expect(sample(next, 'captions_api_pool_connections{pool="storage",state="in_use"}')).toBe(5);
  });

  it('is exercised by the self-test under its name', async () => {
    const { storage, selfTest } = build();
    await storage.init();
    const report = await selfTest.run(7);
    expect(Object.keys(report.results)).toEqual(['storage']);
    expect(report.results.storage).toMatchObject({ operations: 7, errors: 0 });
    expect(storage.writes).toBe(7);
  });
});
