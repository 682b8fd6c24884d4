import { SchedulerRegistry } from '@nestjs/schedule';
import { PayloadTooLargeError, ResourceUnavailableError } from '../../common/errors/app-errors';
import { cacheOptions, redisOptions } from '../../config/resource-options';
import { RedisService } from '../redis/redis.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState, ResourceType } from '../registry/resource-state';
import { SWEEP_INTERVAL_NAME } from './cache.constants';
import { CacheService } from './cache.service';
import { testConfig } from './testing/redis-test-support';

describe('CacheService as a managed resource', () => {
  let registry: ResourceRegistry;
  let scheduler: SchedulerRegistry;
  let cache: CacheService;

  beforeEach(() => {
    registry = new ResourceRegistry();
    scheduler = new SchedulerRegistry();
    cache = new CacheService(
      cacheOptions(testConfig({ CACHE_SIZE: '2', CACHE_TTL: '30', CACHE_MAX_VALUE_BYTES: '100' })),
      registry,
      undefined,
      scheduler,
    );
  });

  afterEach(async () => {
    await cache.shutdown();
    jest.useRealTimers();
  });

  it('registers itself as the `cache` resource', () => {
    expect(registry.get('cache')).toBe(cache);
    expect(cache.type).toBe(ResourceType.CACHE);
    expect(cache.state).toBe(ResourceState.CLOSED);
  });

  it('init makes it ready; a second init is a no-op', async () => {
    await cache.init();
    await cache.init();
    expect(cache.state).toBe(ResourceState.READY);
    expect(cache.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->ready': 1,
    });
    expect(await cache.health()).toMatchObject({ status: 'healthy' });
  });

  it('applies CACHE_SIZE, CACHE_TTL and CACHE_MAX_VALUE_BYTES', async () => {
    await cache.init();
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    expect(cache.stats()).toMatchObject({ size: 2, max_size: 2, ttl: 30, evictions: 1 });
    expect(cache.defaultTtl).toBe(30);
    await expect(cache.set('big', 'x'.repeat(200))).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('reports the status fields of the contract, without L2 when Redis is not configured', async () => {
    const redis = new RedisService(redisOptions(testConfig()), new ResourceRegistry()); // no REDIS_URL
    const l1Only = new CacheService(cacheOptions(testConfig()), new ResourceRegistry(), redis);
    await l1Only.init();
    await l1Only.set('a', 1);
    await l1Only.get('a');
    await l1Only.get('b');
    expect(l1Only.stats()).toMatchObject({
      size: 1,
      max_size: 10_000,
      usage_percent: 0,
      hits: 1,
      misses: 1,
      hit_rate: 0.5,
      evictions: 0,
      expired: 0,
      ttl: 3600,
      coalesced: 0,
      grace_hits: 0,
      state: 'ready',
      l2: { enabled: false, backend: 'none', state: 'disabled', hits: 0, misses: 0, errors: 0 },
    });
    await l1Only.shutdown();
  });

  it('registers the sweep with SchedulerRegistry, which then purges expired entries', async () => {
    jest.useFakeTimers();
    await cache.init();
    expect(scheduler.doesExist('interval', SWEEP_INTERVAL_NAME)).toBe(true);
    await cache.set('short', 1, { ttl: 1 });
    jest.advanceTimersByTime(60_000);
    expect(cache.stats()).toMatchObject({ size: 0, expired: 1 });
  });

  it('shutdown stops the sweep, empties L1 and refuses calls; a second shutdown is a no-op', async () => {
    await cache.init();
    await cache.set('a', 1);
    await cache.shutdown();
    await cache.shutdown();
    expect(cache.state).toBe(ResourceState.CLOSED);
    expect(cache.closed).toBe(true);
    expect(scheduler.doesExist('interval', SWEEP_INTERVAL_NAME)).toBe(false);
    expect(cache.stats().size).toBe(0);
    await expect(cache.get('a')).rejects.toBeInstanceOf(ResourceUnavailableError);
    await expect(cache.set('a', 1)).rejects.toBeInstanceOf(ResourceUnavailableError);
    expect((await cache.health()).status).toBe('unhealthy');
  });

  it('initializes again after a shutdown', async () => {
    await cache.init();
    await cache.shutdown();
    await cache.init();
    expect(cache.state).toBe(ResourceState.READY);
    expect(scheduler.doesExist('interval', SWEEP_INTERVAL_NAME)).toBe(true);
    await cache.set('a', 1);
    await expect(cache.get('a')).resolves.toBe(1);
  });

  it('works without SchedulerRegistry (its own unref’d timer sweeps)', async () => {
    const alone = new CacheService(cacheOptions(testConfig()), new ResourceRegistry());
    await alone.init();
    expect(alone.state).toBe(ResourceState.READY);
    await alone.shutdown();
  });

  it('is degraded, still serving, while L2 is down', async () => {
    const redis = {
      enabled: true,
      available: false,
      key: (...parts: string[]) => `t:${parts.join(':')}`,
      run: jest.fn(),
      publish: jest.fn(),
      subscribe: jest.fn().mockRejectedValue(new Error('down')),
    } as unknown as RedisService;
    const withL2 = new CacheService(cacheOptions(testConfig()), new ResourceRegistry(), redis);
    await withL2.init();
    await withL2.set('a', 1);
    await expect(withL2.get('a')).resolves.toBe(1);
    expect(await withL2.health()).toMatchObject({ status: 'degraded', details: { l2: 'down' } });
    expect(redis.run).not.toHaveBeenCalled();
    await withL2.shutdown();
  });
});
