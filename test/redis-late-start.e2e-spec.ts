import { Redis } from 'ioredis';
import { freePort, startRedisServer } from './support/processes';
import {
  TestApp,
  TestDatabase,
  adminHeaders,
  bootTestApp,
  createTestDatabase,
  eventually,
} from './support/test-app';

/**
 * An instance that starts while Redis is down: the probes must not wait for Redis, and once
 * Redis comes up the instance must really subscribe to cache invalidations (PUBSUB NUMSUB) and
 * obey a clear made on another instance.
 */
describe('Redis down at start-up, started later (e2e, own redis-server)', () => {
  const prefix = `late${process.pid}:`;
  const channel = `${prefix}cache:invalidate`;
  let port: number;
  let redis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
  let db: TestDatabase;
  let early: TestApp;
  let other: TestApp | undefined;

  beforeAll(async () => {
    port = await freePort(); // nothing listens there yet
    db = await createTestDatabase();
    early = await bootTestApp({
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: prefix,
      REDIS_CONNECT_TIMEOUT_MS: '500',
    });
  });
  afterAll(async () => {
    await other?.close();
    await early?.close();
    await redis?.stop();
    await db?.drop();
  });

  const get = (app: TestApp, url: string) =>
    app.request({ method: 'GET', url: `/api/v14${url}`, headers: adminHeaders });

  it('answers the startup and readiness probes while Redis is down, reporting it', async () => {
    const startup = await get(early, '/health/startup');
    expect(startup.statusCode).toBe(200);
    expect(startup.json()).toMatchObject({
      status: 'ok',
      resources: { redis: 'error', database: 'ready' },
      waiting_for: {},
    });
    const ready = await get(early, '/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().details.redis).toEqual({
      status: 'up',
      health: 'unhealthy',
      state: 'error',
    });
  });

  it('subscribes to invalidations once Redis starts, and obeys a clear made elsewhere', async () => {
    redis = await startRedisServer(port);
    const raw = new Redis(port, '127.0.0.1', { lazyConnect: true });
    try {
      await raw.connect();
      const subscribers = async () =>
        ((await raw.pubsub('NUMSUB', channel)) as [string, number])[1];
      expect(await eventually(async () => (await subscribers()) === 1, 20_000, 100)).toBe(true);

      other = await bootTestApp({
        DATABASE_URL: db.url,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        REDIS_KEY_PREFIX: prefix,
      });
      expect(await eventually(async () => (await subscribers()) === 2, 10_000, 100)).toBe(true);

      // The value reaches the early instance's L1; a clear on the other must evict it there.
      const put = await early.request({
        method: 'POST',
        url: '/api/v14/resources/cache/late-key',
        headers: adminHeaders,
        payload: { value: 'v1' },
      });
      expect(put.statusCode).toBe(201);
      expect((await get(early, '/resources/cache/late-key')).statusCode).toBe(200);
      const cleared = await other.request({
        method: 'POST',
        url: '/api/v14/resources/cache/clear',
        headers: adminHeaders,
      });
      expect(cleared.statusCode).toBe(200);
      expect(
        await eventually(
          async () => (await get(early, '/resources/cache/late-key')).statusCode === 404,
        ),
      ).toBe(true);
    } finally {
      raw.disconnect();
    }
  }, 60_000);
});
