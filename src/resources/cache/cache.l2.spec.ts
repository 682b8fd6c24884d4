import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { cacheOptions } from '../../config/resource-options';
import { RedisService } from '../redis/redis.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { CacheService } from './cache.service';
import {
  LOCAL_REDIS_URL,
  deleteByPrefix,
  eventually,
  startRedisService,
  testConfig,
  uniquePrefix,
} from './testing/redis-test-support';

/**
 * Two cache instances (each with its own Redis pool, as two replicas would have) sharing L2
 * on the real Redis at 127.0.0.1:6379, under a key prefix unique to this file and run.
 */
describe('CacheService with a shared L2 (real Redis)', () => {
  const prefix = uniquePrefix('cache-l2');
  const foreignKey = `foreign-${randomUUID()}`;
  let raw: Redis;
  let redisA: RedisService;
  let redisB: RedisService;
  let a: CacheService;
  let b: CacheService;

  function cacheOn(redis: RedisService): CacheService {
    const config = testConfig({
      REDIS_URL: LOCAL_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      REDIS_COMMAND_TIMEOUT_MS: '1000',
    });
    return new CacheService(cacheOptions(config), new ResourceRegistry(), redis);
  }

  beforeAll(async () => {
    raw = new Redis(LOCAL_REDIS_URL);
    [redisA, redisB] = await Promise.all([startRedisService(prefix), startRedisService(prefix)]);
  });

  afterAll(async () => {
    await Promise.all([redisA.shutdown(), redisB.shutdown()]);
    await deleteByPrefix(prefix);
    await raw.del(foreignKey);
    await raw.quit();
  });

  // Fresh caches for each test (the Redis pools stay): every test starts with both L1s empty
  // and sees the caches' own start-up.
  beforeEach(async () => {
    a = cacheOn(redisA);
    b = cacheOn(redisB);
    await Promise.all([a.init(), b.init()]);
    // a's clear, delivered to b, also proves b listens before the test starts.
    await a.clear();
    await eventually(() => b.stats().invalidations_received > 0, 2000, 'the clear at b');
    expect(b.stats().size).toBe(0);
  });

  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('a value written by one instance is read by the other from L2, and stored as a JSON envelope', async () => {
    await a.set('shared', { x: 1 }, { ttl: 60 });
    expect(await raw.get(`${prefix}cache:shared`)).toBe('{"g":0,"v":{"x":1}}');
    const pttl = await raw.pttl(`${prefix}cache:shared`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);

    const before = b.stats();
    await expect(b.get('shared')).resolves.toEqual({ x: 1 });
    await expect(b.get('shared')).resolves.toEqual({ x: 1 });
    const after = b.stats();
    expect(after.l2.hits - before.l2.hits).toBe(1); // the second read came from L1
    expect(after.hits - before.hits).toBe(2);
  });

  it('an L2 hit refills L1 with the remaining TTL, not the default', async () => {
    await a.set('refill', 'v', { ttl: 600 });
    await raw.pexpire(`${prefix}cache:refill`, 3_000);
    await expect(b.get('refill')).resolves.toBe('v');
    await raw.del(`${prefix}cache:refill`);
    // Still served: from b's L1, with at most the 3 s Redis had left.
    const found = await b.inspect('refill');
    expect(found?.value).toBe('v');
    expect(found?.ttlRemainingMs).toBeGreaterThan(0);
    expect(found?.ttlRemainingMs).toBeLessThanOrEqual(3_000);
  });

  it('getOrSet on the second instance uses the value the first one loaded', async () => {
    const loaderA = jest.fn().mockResolvedValue({ from: 'a' });
    const loaderB = jest.fn().mockResolvedValue({ from: 'b' });
    await expect(a.getOrSet('loaded', loaderA, { ttl: 60 })).resolves.toEqual({ from: 'a' });
    await eventually(async () => (await raw.exists(`${prefix}cache:loaded`)) === 1);
    await expect(b.getOrSet('loaded', loaderB, { ttl: 60 })).resolves.toEqual({ from: 'a' });
    expect(loaderB).not.toHaveBeenCalled();
  });

  it('a clear on one instance evicts the other instance’s L1 through pub/sub', async () => {
    await b.set('x', 1);
    await b.set('y', 2);
    await expect(b.get('x')).resolves.toBe(1);
    const receivedBefore = b.stats().invalidations_received;
    expect(b.stats().size).toBe(2);

    await a.clear();
    await eventually(() => b.stats().size === 0, 2000, 'b to drop its L1');
    expect(b.stats().invalidations_received).toBeGreaterThan(receivedBefore);
    await expect(b.get('x')).resolves.toBeUndefined();
  });

  it('an instance ignores its own invalidation messages', async () => {
    const received = a.stats().invalidations_received;
    await a.set('own', 1);
    await a.del('own');
    await a.clear();
    await b.set('peer', 1); // b's message arrives after a's own, on the same channel
    await eventually(() => a.stats().invalidations_received > received);
    expect(a.stats().invalidations_received).toBe(received + 1);
  });

  it('a delete on one instance evicts the key from the other’s L1', async () => {
    await a.set('gone', 'v');
    await expect(b.get('gone')).resolves.toBe('v'); // now in b's L1
    await a.del('gone');
    await eventually(async () => (await b.get('gone')) === undefined, 2000, 'b to drop "gone"');
  });

  it('a write on one instance replaces the other’s L1 copy', async () => {
    await a.set('changing', 1);
    await expect(b.get('changing')).resolves.toBe(1);
    await a.set('changing', 2);
    await eventually(async () => (await b.get('changing')) === 2, 2000, 'b to see the write');
  });

  it('clear deletes only this namespace’s keys, with SCAN and never KEYS', async () => {
    const neighbours = [
      `${prefix}ratelimit:1`,
      `${prefix}cache2:x`, // another namespace that starts with the same letters
      `${prefix}cachex`,
      `${prefix}cache`,
      foreignKey, // outside the prefix altogether
    ];
    for (const key of neighbours) await raw.set(key, 'keep');
    await a.set('one', 1);
    await a.set('two', 2);
    const keys = jest.spyOn(Redis.prototype, 'keys');
    const scan = jest.spyOn(Redis.prototype, 'scan');

    const result = await a.clear();

    expect(result.l2).toBe(2);
    expect(keys).not.toHaveBeenCalled();
    expect(scan).toHaveBeenCalled();
    keys.mockRestore();
    scan.mockRestore();
    for (const key of neighbours) expect(await raw.get(key)).toBe('keep');
    expect(await raw.exists(`${prefix}cache:one`, `${prefix}cache:two`)).toBe(0);
    await raw.del(...neighbours);
  });

  it('with a lease, only one instance runs the loader for a hot key; the other waits for L2', async () => {
    const waiting: ((value: string) => void)[] = [];
    const finish = (value: string) => waiting.forEach((resolve) => resolve(value));
    const loader = jest.fn(() => new Promise<string>((resolve) => waiting.push(resolve)));
    const lease = { waitMs: 5_000, pollMs: 20 };
    const both = Promise.all([
      a.getOrSet('hot', loader, { ttl: 60, lease }),
      b.getOrSet('hot', loader, { ttl: 60, lease }),
    ]);
    const leaseKey = `${prefix}cache:!lease:hot`;
    await eventually(
      async () => (await raw.exists(leaseKey)) === 1 && loader.mock.calls.length > 0,
    );
    finish('computed once');
    await expect(both).resolves.toEqual(['computed once', 'computed once']);
    expect(loader).toHaveBeenCalledTimes(1);
    await eventually(async () => (await raw.exists(leaseKey)) === 0, 2000, 'the lease release');
  });

  it('a stale value left in L2 is served by getOrSet on a cold instance when the loader fails', async () => {
    // 30 s left in Redis but 60 s of that is grace: stale
    await raw.set(`${prefix}cache:stale`, '{"g":60000,"v":"old"}', 'PX', 30_000);
    const failing = jest.fn().mockRejectedValue(new Error('database down'));
    await expect(b.getOrSet('stale', failing, { ttl: 10, grace: 60 })).resolves.toBe('old');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(b.stats().grace_hits).toBeGreaterThan(0);
  });

  it('a stale L2 value is not a get() hit, but primes L1 for stale-while-revalidate', async () => {
    await raw.set(`${prefix}cache:swr`, '{"g":60000,"v":"old"}', 'PX', 30_000);
    await expect(b.get('swr')).resolves.toBeUndefined();
    const loader = jest.fn().mockResolvedValue('new');
    // stale in L1 now: answered at once, refreshed in the background
    await expect(b.getOrSet('swr', loader, { ttl: 10, grace: 60 })).resolves.toBe('old');
    await eventually(async () => (await b.get('swr')) === 'new', 2000, 'the refresh');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('reports L2 in its stats', () => {
    expect(a.stats().l2).toMatchObject({ enabled: true, backend: 'redis', state: 'up', errors: 0 });
  });
});
