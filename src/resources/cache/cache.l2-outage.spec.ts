import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { cacheOptions } from '../../config/resource-options';
import { RedisService } from '../redis/redis.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { CacheService } from './cache.service';
import { CacheRedis } from './cache.types';
import {
  OwnRedisServer,
  RecordingLogger,
  eventually,
  freePort,
  startRedisService,
  testConfig,
  uniquePrefix,
} from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

jest.setTimeout(30_000);

/**
 * Redis going away under a running cache, on a private redis-server this file starts, stops,
 * freezes and restarts. No assertion depends on how long anything took.
 */
describe('cache with Redis going down and coming back (own redis-server)', () => {
  let server: OwnRedisServer;
  let redis: RedisService;
  let raw: Redis;
  const prefix = uniquePrefix('cache-outage');

  beforeAll(async () => {
    server = new OwnRedisServer(await freePort());
    await server.start();
    redis = await startRedisService(prefix, server.url, { REDIS_COMMAND_TIMEOUT_MS: '200' });
    raw = new Redis(server.port, '127.0.0.1', { retryStrategy: () => 50 });
  });

  afterAll(async () => {
    server.thaw();
    raw.disconnect();
    await redis.shutdown();
    await server.stop();
  });

  it('refused connections: reads and writes carry on from L1, L2 resumes by itself, one log line each way', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const log = jest.spyOn(Logger.prototype, 'log');
    const config = testConfig({
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: prefix,
      REDIS_COMMAND_TIMEOUT_MS: '200',
    });
    const cache = new CacheService(cacheOptions(config), new ResourceRegistry(), redis);
    await cache.init();
    await cache.set('before', 1);
    expect(await raw.exists(`${prefix}cache:before`)).toBe(1);

    await server.stop();
    await eventually(() => !redis.available, 5000, 'the pool to notice');

    await expect(cache.get('before')).resolves.toBe(1);
    await cache.set('during', 2);
    await expect(cache.get('during')).resolves.toBe(2);
    await expect(cache.get('missing')).resolves.toBeUndefined();
    await expect(cache.getOrSet('loaded', async () => 3)).resolves.toBe(3);
    await expect(cache.getOrSet('loaded', async () => 4)).resolves.toBe(3);
    await expect(cache.del('during')).resolves.toBe(true);
    await expect(cache.clear()).resolves.toMatchObject({ l2: 0 });
    const down = cache.stats().l2;
    expect(down.state).toBe('down');
    expect(down.skipped + down.errors).toBeGreaterThan(0);
    expect(down.outages).toBe(1);
    expect((await cache.health()).status).toBe('degraded');

    await server.start();
    await eventually(() => redis.available, 15_000, 'the pool to reconnect');
    await eventually(
      async () => {
        await cache.set('after', 5);
        return (await raw.exists(`${prefix}cache:after`).catch(() => 0)) === 1;
      },
      5000,
      'L2 writes to resume',
    );
    expect(cache.stats().l2).toMatchObject({ state: 'up', outages: 1 });
    expect((await cache.health()).status).toBe('healthy');

    const lines = (spy: jest.SpyInstance, text: string) =>
      spy.mock.calls.filter((args) => String(args[0]).includes(text)).length;
    expect(lines(warn, 'L2 (Redis) unavailable')).toBe(1);
    expect(lines(log, 'L2 (Redis) is back')).toBe(1);
    warn.mockRestore();
    log.mockRestore();
    await cache.shutdown();
  });

  it('a frozen server: calls time out, errors are counted, the breaker skips L2, and missed deletes are replayed', async () => {
    const logger = new RecordingLogger();
    // The pool itself may flag the outage (a timed-out command can make it reconnect, and
    // `available` turns false): claim availability here so the cache's own breaker is what
    // stops the calls.
    const alwaysAvailable: CacheRedis = {
      enabled: true,
      available: true,
      key: (...parts) => redis.key(...parts),
      run: (fn) => redis.run(fn),
      publish: (channel, message) => redis.publish(channel, message),
      subscribe: (channel, handler) => redis.subscribe(channel, handler),
    };
    const run = jest.spyOn(alwaysAvailable, 'run');
    const cache = new TieredCache({
      redis: alwaysAvailable,
      l2TimeoutMs: 200,
      breakerThreshold: 3,
      breakerHalfOpenMs: 300,
      sweepIntervalMs: 0,
      logger,
    });
    await cache.start();
    await cache.set('kept', 'v');
    await cache.set('deleted', 'v');
    expect(await raw.exists(`${prefix}cache:deleted`)).toBe(1);

    await server.freeze();
    // three reads that reach L2 and time out open the breaker
    for (const key of ['m1', 'm2', 'm3']) await expect(cache.get(key)).resolves.toBeUndefined();
    expect(cache.stats().l2).toMatchObject({ errors: 3, breaker: 'open', state: 'down' });

    run.mockClear();
    await expect(cache.get('kept')).resolves.toBe('v');
    await expect(cache.get('m4')).resolves.toBeUndefined();
    await expect(cache.del('deleted')).resolves.toBe(true);
    expect(run).not.toHaveBeenCalled(); // skipped, not waited for
    expect(cache.stats().l2.skipped).toBeGreaterThanOrEqual(2);

    server.thaw();
    await eventually(
      async () => {
        await cache.get('probe');
        return cache.l2State === 'up';
      },
      10_000,
      'the breaker to close',
    );
    // the delete made while Redis was frozen reaches Redis now
    await eventually(
      async () => (await raw.exists(`${prefix}cache:deleted`)) === 0,
      5000,
      'the missed delete to be replayed',
    );
    expect(await raw.exists(`${prefix}cache:kept`)).toBe(1);
    expect(logger.count('warn', 'L2 (Redis) unavailable')).toBe(1);
    expect(logger.count('log', 'L2 (Redis) is back')).toBe(1);
    await cache.close();
  });
});
