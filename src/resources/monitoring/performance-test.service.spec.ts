import { InvalidInputError } from '../../common/errors/app-errors';
import { cacheSelfTest } from '../cache/cache.observation';
import { ManagedResource } from '../registry/managed-resource';
import { SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { MetricsService } from './metrics.service';
import { SelfTestRunningError } from './monitoring.errors';
import { PerformanceTestService } from './performance-test.service';

/** A registered resource that declares only its self-test (what the service reads). */
function resource(name: string, plan?: () => SelfTestPlan): ManagedResource {
  return { name, dependsOn: [], selfTestPlan: plan } as unknown as ManagedResource;
}

function build(options: { redisEnabled: boolean; databaseFails?: boolean; hold?: Promise<void> }) {
  const store = new Map<string, unknown>();
  const cache = {
    set: async (key: string, value: unknown) => void store.set(key, value),
    get: async (key: string) => store.get(key),
    del: async (key: string) => store.delete(key),
  };
  const query = jest.fn(async () => {
    await options.hold;
    if (options.databaseFails) throw new Error('connection refused');
    return [{ '?column?': 1 }];
  });
  const ping = jest.fn(async () => 'PONG');
  const generate = jest.fn(async () => ({ caption: 'hi', hashtags: [] }));
  const registry = new ResourceRegistry();
  [
    resource('database', () => ({ operations: [() => query()] })),
    resource('redis', () => ({
      operations: [() => ping()],
      skip: options.redisEnabled ? undefined : 'Redis is not configured (REDIS_URL unset)',
    })),
    resource('cache', () => cacheSelfTest(cache)),
    resource('http'), // no self-test: not exercised, not in the answer
    resource('models', () => ({ operations: [() => generate()] })),
  ].forEach((r) => registry.register(r));
  const metrics = { observeSelfTest: jest.fn() } as unknown as MetricsService;
  const service = new PerformanceTestService(registry, metrics);
  return { service, query, ping, generate, store, metrics };
}

describe('PerformanceTestService', () => {
  it('runs every resource once per round (the cache twice) and cleans its keys up', async () => {
    const { service, query, ping, generate, store, metrics } = build({ redisEnabled: true });
    const report = await service.run(30);
    expect(report.iterations).toBe(30);
    expect(report.results.cache).toMatchObject({ operations: 60, errors: 0 });
    expect(report.results.database).toMatchObject({ operations: 30, errors: 0 });
    expect(report.results.redis).toMatchObject({ operations: 30, errors: 0 });
    expect(report.results.models).toMatchObject({ operations: 30, errors: 0 });
    expect(Object.keys(report.results).sort()).toEqual(['cache', 'database', 'models', 'redis']);
    expect(query).toHaveBeenCalledTimes(30);
    expect(ping).toHaveBeenCalledTimes(30);
    expect(generate).toHaveBeenCalledTimes(30);
    expect(store.size).toBe(0);
    expect(metrics.observeSelfTest).toHaveBeenCalledTimes(150);
  });

  it('skips a resource whose plan says why (Redis not configured)', async () => {
    const { service, ping } = build({ redisEnabled: false });
    const report = await service.run(5);
    expect(report.results.redis).toEqual({
      operations: 0,
      p50_ms: 0,
      p95_ms: 0,
      p99_ms: 0,
      errors: 0,
      skipped: true,
      reason: 'Redis is not configured (REDIS_URL unset)',
    });
    expect(ping).not.toHaveBeenCalled();
  });

  it('stops exercising a resource after five failures in a row and reports them', async () => {
    const { service, query } = build({ redisEnabled: true, databaseFails: true });
    const report = await service.run(100);
    expect(query).toHaveBeenCalledTimes(5);
    expect(report.results.database).toMatchObject({
      operations: 5,
      errors: 5,
      stopped_early: true,
    });
    expect(report.results.models).toMatchObject({ operations: 100, errors: 0 });
  });

  it('runs one at a time, and is free again after a run', async () => {
    let release = () => undefined as void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { service } = build({ redisEnabled: true, hold });
    const first = service.run(1);
    expect(service.running).toBe(true);
    await expect(service.run(1)).rejects.toBeInstanceOf(SelfTestRunningError);
    await expect(service.run(1)).rejects.toMatchObject({ status: 409 });
    release();
    await first;
    expect(service.running).toBe(false);
    await expect(service.run(1)).resolves.toMatchObject({ iterations: 1 });
  });

  it('refuses iterations outside 1..1000', async () => {
    const { service } = build({ redisEnabled: true });
    await expect(service.run(1001)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.run(0)).rejects.toBeInstanceOf(InvalidInputError);
    expect(service.running).toBe(false);
  });
});
