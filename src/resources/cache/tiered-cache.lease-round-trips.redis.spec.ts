import { Redis } from 'ioredis';
import { Socket } from 'node:net';
import { RedisService } from '../redis/redis.service';
import { CacheRedis } from './cache.types';
import {
  LOCAL_REDIS_URL,
  RecordingLogger,
  deleteByPrefix,
  eventually,
  startRedisService,
  uniquePrefix,
} from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

jest.setTimeout(30_000);

/**
 * The pool as the cache sees it, remembering the sockets of the connections the cache ran
 * commands on, so writes on other sockets (the subscriber, this file's own client) are not
 * counted.
 */
function watchedPool(redis: RedisService): { redis: CacheRedis; sockets: Set<unknown> } {
  const sockets = new Set<unknown>();
  const watched: CacheRedis = {
    get enabled() {
      return redis.enabled;
    },
    get available() {
      return redis.available;
    },
    key: (...parts) => redis.key(...parts),
    run: (fn) =>
      redis.run((client) => {
        sockets.add((client as Redis).stream);
        return fn(client);
      }),
    publish: (channel, message) => redis.publish(channel, message),
    subscribe: (channel, handler) => redis.subscribe(channel, handler),
  };
  return { redis: watched, sockets };
}

/**
 * How many round trips `getOrSet({ lease })` costs on the real Redis at 127.0.0.1:6379. A round
 * trip is one socket write of this process (plus a read, command objects, promises), so the
 * count is of writes on the pool's sockets, not of commands: the commands are the same ones.
 */
describe('getOrSet with a lease: Redis round trips (real Redis)', () => {
  const prefix = uniquePrefix('lease-round-trips');
  const valueKey = `${prefix}cache:k`;
  const leaseKey = `${prefix}cache:!lease:k`;
  let redis: RedisService;
  let raw: Redis;
  let cache: TieredCache;
  let pool: ReturnType<typeof watchedPool>;
  let writes: jest.SpiedFunction<Socket['write']>;

  /** Writes on the cache's connections since the test began. */
  const sends = () => writes.mock.contexts.filter((socket) => pool.sockets.has(socket)).length;

  beforeAll(async () => {
    redis = await startRedisService(prefix);
    raw = new Redis(LOCAL_REDIS_URL);
  });

  beforeEach(async () => {
    pool = watchedPool(redis);
    cache = new TieredCache({
      redis: pool.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await cache.start();
    writes = jest.spyOn(Socket.prototype, 'write');
  });

  afterEach(async () => {
    writes.mockRestore();
    await cache.close();
    await deleteByPrefix(prefix);
  });

  afterAll(async () => {
    await raw.quit();
    await redis.shutdown();
  });

  it('a miss sends the read with the lease, then the value with the release: two writes', async () => {
    let sendsBeforeLoad = -1;
    let leaseDuringLoad: string | null = null;
    const loader = async () => {
      sendsBeforeLoad = sends();
      leaseDuringLoad = await raw.get(leaseKey);
      return { n: 1 };
    };

    await expect(cache.getOrSet('k', loader, { lease: true, ttl: 60 })).resolves.toEqual({ n: 1 });
    await eventually(async () => (await raw.exists(leaseKey)) === 0, 5000, 'the lease release');

    expect(leaseDuringLoad).toBe(`${cache.instanceId}:1`);
    expect(sendsBeforeLoad).toBe(1); // GET + PTTL + SET NX PX (was 2: the read, then the lease)
    expect(sends()).toBe(2); // + SET PX + EVALSHA (was 4)
    expect(await raw.get(valueKey)).toBe('{"g":0,"v":{"n":1}}');
    expect(await raw.pttl(valueKey)).toBeGreaterThan(0);
    expect(cache.stats()).toMatchObject({ loads: 1, misses: 1, l2: { misses: 1, errors: 0 } });
  });

  it('a fresh value another instance stored is answered, and the lease sent along given back', async () => {
    await raw.set(valueKey, '{"g":0,"v":"theirs"}', 'PX', 60_000);
    const loader = jest.fn(async () => 'mine');

    await expect(cache.getOrSet('k', loader, { lease: true })).resolves.toBe('theirs');
    await eventually(async () => (await raw.exists(leaseKey)) === 0, 5000, 'the lease release');

    expect(loader).not.toHaveBeenCalled();
    expect(sends()).toBe(2); // the read with the lease, then the release
    expect(cache.stats()).toMatchObject({ hits: 1, loads: 0, l2: { hits: 1, errors: 0 } });
  });

  it('a lease another instance holds is left alone while this one waits for its value', async () => {
    await raw.set(leaseKey, 'another-instance:1', 'PX', 10_000);
    const loader = jest.fn(async () => 'mine');

    const call = cache.getOrSet('k', loader, { lease: { waitMs: 20_000, pollMs: 20 } });
    await eventually(() => sends() >= 2, 5000, 'a poll after the first read');
    await raw.set(valueKey, '{"g":0,"v":"theirs"}', 'PX', 60_000);

    await expect(call).resolves.toBe('theirs');
    expect(loader).not.toHaveBeenCalled();
    expect(await raw.get(leaseKey)).toBe('another-instance:1');
  });

  it('a read that fails gives back the lease sent along and asks for it again, as before', async () => {
    await raw.hset(valueKey, 'f', 'v'); // GET on a hash: WRONGTYPE, while SET NX on the lease works
    let leaseDuringLoad: string | null = null;
    const loader = async () => {
      leaseDuringLoad = await raw.get(leaseKey);
      return 'mine';
    };

    await expect(cache.getOrSet('k', loader, { lease: true })).resolves.toBe('mine');
    await eventually(async () => (await raw.exists(leaseKey)) === 0, 5000, 'the lease release');

    expect(leaseDuringLoad).toBe(`${cache.instanceId}:1`);
    expect(await raw.get(valueKey)).toBe('{"g":0,"v":"mine"}');
    expect(cache.stats()).toMatchObject({ loads: 1, l2: { hits: 0, misses: 0, errors: 1 } });
  });

  it('a load that joins a read already running asks for the lease after it', async () => {
    const reading = cache.get('k');
    const loading = cache.getOrSet('k', async () => 'mine', { lease: true });

    await expect(reading).resolves.toBeUndefined();
    await expect(loading).resolves.toBe('mine');
    await eventually(async () => (await raw.exists(leaseKey)) === 0, 5000, 'the lease release');

    expect(await raw.get(valueKey)).toBe('{"g":0,"v":"mine"}');
    expect(cache.stats()).toMatchObject({ coalesced: 1, l2: { misses: 1, errors: 0 } });
  });
});
