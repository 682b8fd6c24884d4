import { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service';
import { CLEAR_SCAN_COUNT } from './cache.constants';
import {
  OwnRedisServer,
  RecordingLogger,
  freePort,
  startRedisService,
  uniquePrefix,
} from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

jest.setTimeout(30_000);

/**
 * What the cache stores in Redis and how it reads it back: the envelope, its PTTL (fresh +
 * grace), keys written by hand, damaged values, and clearing the namespace page by page. On a
 * private redis-server, so the keyspace (and so every SCAN page) holds only this file's keys.
 */
describe('TieredCache L2 data in a real Redis (own redis-server)', () => {
  let server: OwnRedisServer;
  let redis: RedisService;
  let raw: Redis;
  let cache: TieredCache;
  const prefix = uniquePrefix('cache-l2-data');
  const redisKey = (key: string) => `${prefix}cache:${key}`;
  const newCache = () =>
    new TieredCache({ redis, ttlSeconds: 60, sweepIntervalMs: 0, logger: new RecordingLogger() });

  beforeAll(async () => {
    server = new OwnRedisServer(await freePort());
    await server.start();
    redis = await startRedisService(prefix, server.url);
    raw = new Redis(server.port, '127.0.0.1');
  });

  afterAll(async () => {
    raw.disconnect();
    await redis.shutdown();
    await server.stop();
  });

  beforeEach(async () => {
    await raw.flushdb();
    cache = newCache();
    await cache.start();
  });

  afterEach(() => cache.close());

  it('writes the envelope with PX = fresh time + grace', async () => {
    await cache.set('graced', 'v', { ttl: 60, grace: 30 });
    expect(await raw.get(redisKey('graced'))).toBe('{"g":30000,"v":"v"}');
    const pttl = await raw.pttl(redisKey('graced'));
    expect(pttl).toBeGreaterThan(60_000);
    expect(pttl).toBeLessThanOrEqual(90_000);
  });

  it('a value loaded by getOrSet gets the same PX = fresh time + grace', async () => {
    await cache.getOrSet('loaded', async () => 'v', { ttl: 10, grace: 20 });
    await cache.close(); // lets the background L2 write land
    const pttl = await raw.pttl(redisKey('loaded'));
    expect(pttl).toBeGreaterThan(10_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
  });

  it('a key without expiry (written by hand) is read as fresh for the default TTL', async () => {
    await raw.set(redisKey('manual'), '{"g":5000,"v":"by hand"}');
    await expect(cache.inspect('manual')).resolves.toEqual({
      value: 'by hand',
      ttlRemainingMs: 60_000,
    });
  });

  it('an L2 hit counts its bytes (UTF-8) in L1 and as an L2 hit', async () => {
    const envelope = '{"g":0,"v":"é"}';
    await raw.set(redisKey('utf8'), envelope, 'PX', 60_000);
    await expect(cache.get('utf8')).resolves.toBe('é');
    expect(cache.stats()).toMatchObject({ size: 1, bytes: Buffer.byteLength(envelope, 'utf8') });
    expect(cache.stats().l2).toMatchObject({ hits: 1, misses: 0, errors: 0 });
  });

  it('values that are not a cache envelope are misses', async () => {
    const damaged = ['not json', 'null', '5', '{"v":1}', '{"g":"0","v":1}', '{"g":0}'];
    for (const [n, value] of damaged.entries()) {
      await raw.set(redisKey(`damaged${n}`), value, 'PX', 60_000);
      await expect(cache.get(`damaged${n}`)).resolves.toBeUndefined();
    }
    expect(cache.stats().l2).toMatchObject({ hits: 0, misses: damaged.length, errors: 0 });
    expect(cache.stats().size).toBe(0);
  });

  it(`clear removes every key of the namespace across SCAN pages (more than ${CLEAR_SCAN_COUNT})`, async () => {
    const count = CLEAR_SCAN_COUNT * 3;
    const pipeline = raw.pipeline();
    for (let n = 0; n < count; n++) pipeline.set(redisKey(`bulk${n}`), '{"g":0,"v":1}');
    await pipeline.exec();

    await expect(cache.clear()).resolves.toEqual({ l1: 0, l2: count });
    expect(await raw.dbsize()).toBe(0);
  });

  it('a namespace with glob characters clears only itself, not the namespaces it would match', async () => {
    const globbed = new TieredCache({
      redis,
      namespace: 'ca*[?]',
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    await cache.set('plain', 1); // namespace `cache`, which `ca*` would match
    await raw.set(`${prefix}cab:x`, 'keep');
    await globbed.set('own', 2);

    await expect(globbed.clear()).resolves.toEqual({ l1: 1, l2: 1 });
    expect(await raw.get(`${prefix}ca*[?]:own`)).toBeNull();
    expect(await raw.get(redisKey('plain'))).toBe('{"g":0,"v":1}');
    expect(await raw.get(`${prefix}cab:x`)).toBe('keep');
    await globbed.close();
  });

  it('clear skips SCAN pages with no key of the namespace and removes only its own', async () => {
    const pipeline = raw.pipeline();
    for (let n = 0; n < CLEAR_SCAN_COUNT * 4; n++) pipeline.set(`${prefix}other:${n}`, 'keep');
    await pipeline.exec();
    await cache.set('one', 1);
    await cache.set('two', 2);

    await expect(cache.clear()).resolves.toEqual({ l1: 2, l2: 2 });
    expect(await raw.dbsize()).toBe(CLEAR_SCAN_COUNT * 4);
  });
});
