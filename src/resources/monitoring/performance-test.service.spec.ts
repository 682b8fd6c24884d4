import { InvalidInputError } from '../../common/errors/app-errors';
import { CacheService } from '../cache/cache.service';
import { DatabaseService } from '../database/database.service';
import { ModelPoolService } from '../model-pool/model-pool.service';
import { RedisService } from '../redis/redis.service';
import { MetricsService } from './metrics.service';
import { SelfTestRunningError } from './monitoring.errors';
import { PerformanceTestService } from './performance-test.service';

function build(options: { redisEnabled: boolean; databaseFails?: boolean; hold?: Promise<void> }) {
  const store = new Map<string, unknown>();
  const cache = {
    set: async (key: string, value: unknown) => void store.set(key, value),
    get: async (key: string) => store.get(key),
    del: async (key: string) => store.delete(key),
  } as unknown as CacheService;
  const query = jest.fn(async () => {
    await options.hold;
    if (options.databaseFails) throw new Error('connection refused');
    return [{ '?column?': 1 }];
  });
  const database = { query } as unknown as DatabaseService;
  const ping = jest.fn(async () => 'PONG');
  const redis = {
    enabled: options.redisEnabled,
    run: (fn: (client: { ping: typeof ping }) => Promise<unknown>) => fn({ ping }),
  } as unknown as RedisService;
  const generate = jest.fn(async () => ({ caption: 'hi', hashtags: [] }));
  const models = { selfTest: () => generate() } as unknown as ModelPoolService;
  const metrics = { observeSelfTest: jest.fn() } as unknown as MetricsService;
  const service = new PerformanceTestService(cache, database, redis, models, metrics);
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
    expect(query).toHaveBeenCalledWith('SELECT 1');
    expect(ping).toHaveBeenCalledTimes(30);
    expect(generate).toHaveBeenCalledTimes(30);
    expect(store.size).toBe(0);
    expect(metrics.observeSelfTest).toHaveBeenCalledTimes(150);
  });

  it('skips Redis when it is not configured', async () => {
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
