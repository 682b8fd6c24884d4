import { Redis } from 'ioredis';
import { useOwnRedisServer } from './support/processes';
import {
  ADMIN_KEY,
  TEST_REDIS_URL,
  TestApp,
  adminHeaders,
  bootTestApp,
  createTestDatabase,
  eventually,
  uniqueSuffix,
  useTestApp,
} from './support/test-app';

const base = '/api/v14/resources/cache';

describe('shared cache across two app instances (e2e, real Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestApp;
  let b: TestApp;
  let raw: Redis;
  const prefix = `tcache${uniqueSuffix()}:`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_KEY_PREFIX: prefix, CACHE_MAX_VALUE_BYTES: '1024' };
    // One after the other: both run the migrations on the same database.
    a = await bootTestApp(env);
    b = await bootTestApp(env);
    raw = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (raw) {
      const keys = await raw.keys(`${prefix}*`); // test clean-up only; the app never uses KEYS
      if (keys.length > 0) await raw.del(...keys);
      await raw.quit();
    }
    await db?.drop();
  });

  const write = (t: TestApp, key: string, body: unknown) =>
    t.request({
      method: 'POST',
      url: `${base}/${key}`,
      payload: body as object,
      headers: adminHeaders,
    });
  const read = (t: TestApp, key: string) =>
    t.request({ method: 'GET', url: `${base}/${key}`, headers: adminHeaders });
  const status = async (t: TestApp) =>
    (await t.request({ method: 'GET', url: `${base}/status` })).json();

  it('a value written through one instance is read through the other (L2)', async () => {
    const written = await write(a, 'shared', { value: { caption: 'hi' }, ttl: 60 });
    expect(written.statusCode).toBe(201);
    expect(written.json()).toEqual({ key: 'shared', ttl: 60 });
    const got = await read(b, 'shared');
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ key: 'shared', value: { caption: 'hi' } });
    expect(got.json().ttl_remaining).toBeGreaterThan(0);
    expect(got.json().ttl_remaining).toBeLessThanOrEqual(60);
    expect((await status(b)).l2).toMatchObject({ enabled: true, backend: 'redis' });
  });

  it('a clear on one instance evicts the other’s L1 through Redis pub/sub', async () => {
    const received = (await status(b)).invalidations_received as number;
    await write(a, 'evicted', { value: 1 });
    // a's write also tells b to drop any copy; let that message land before b reads
    expect(
      await eventually(async () => (await status(b)).invalidations_received > received, 5000, 5),
    ).toBe(true);
    expect((await read(b, 'evicted')).statusCode).toBe(200); // now in b's L1
    expect((await status(b)).size).toBeGreaterThan(0);
    await raw.set(`${prefix}unrelated`, 'keep');

    const cleared = await a.request({
      method: 'POST',
      url: `${base}/clear`,
      headers: adminHeaders,
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().cleared).toBeGreaterThan(0);
    // The contract's 100 ms is a speed goal (measured ~ms here); a test only bounds it loosely,
    // since a shared CI machine can stall any process for longer than that.
    expect(await eventually(async () => (await status(b)).size === 0, 2000, 5)).toBe(true);
    expect((await read(b, 'evicted')).statusCode).toBe(404);
    expect(await raw.get(`${prefix}unrelated`)).toBe('keep');
  });

  it('takes keys of the full 256 characters in the path, and answers 400 (not 414) for 257', async () => {
    // Fastify's default maxParamLength (100) would answer 414; the app's adapter raises it.
    const key = 'k'.repeat(256);
    const written = await write(a, key, { value: 1 });
    expect(written.statusCode).toBe(201);
    expect(written.json()).toEqual({ key, ttl: 3600 });
    const got = await read(a, key);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ key, value: 1 });

    const tooLong = 'k'.repeat(257);
    for (const res of [await read(a, tooLong), await write(a, tooLong, { value: 1 })]) {
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it('answers 413 for a value over CACHE_MAX_VALUE_BYTES and 400 for one nested too deep, leaving the entry as it was', async () => {
    await write(a, 'guarded', { value: 'original' });
    const large = await write(a, 'guarded', { value: 'x'.repeat(2048) });
    expect(large.statusCode).toBe(413);
    expect(large.json()).toMatchObject({ statusCode: 413, request_id: expect.any(String) });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect((await write(a, 'guarded', { value: deep })).statusCode).toBe(400);
    expect((await read(b, 'guarded')).json().value).toBe('original');
  });

  it('admin routes answer 401 without a valid key; status is public', async () => {
    expect((await a.request({ method: 'GET', url: `${base}/shared` })).statusCode).toBe(401);
    expect(
      (
        await a.request({
          method: 'POST',
          url: `${base}/clear`,
          headers: { 'x-api-key': 'nope-nope-nope-nope' },
        })
      ).statusCode,
    ).toBe(401);
    expect((await a.request({ method: 'GET', url: `${base}/status` })).statusCode).toBe(200);
    expect(
      (
        await a.request({
          method: 'POST',
          url: `${base}/clear`,
          headers: { 'x-api-key': ADMIN_KEY },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('admin routes answer 403 when ADMIN_API_KEY is not configured', async () => {
    const closed = await bootTestApp({
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: prefix,
      ADMIN_API_KEY: undefined,
    });
    try {
      const res = await closed.request({
        method: 'POST',
        url: `${base}/clear`,
        headers: adminHeaders,
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toMatch(/ADMIN_API_KEY/);
    } finally {
      await closed.close();
    }
  });
});

describe('cache with Redis stopped and restarted under the app (e2e, own redis-server)', () => {
  const redis = useOwnRedisServer();
  const t = useTestApp(() => ({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500' }));

  const write = (key: string, value: unknown) =>
    t.request({ method: 'POST', url: `${base}/${key}`, payload: { value }, headers: adminHeaders });
  const read = (key: string) =>
    t.request({ method: 'GET', url: `${base}/${key}`, headers: adminHeaders });
  const l2 = async () =>
    (await t.request({ method: 'GET', url: `${base}/status` })).json().l2 as Record<
      string,
      unknown
    >;

  it('keeps answering cached reads while Redis is down, and uses L2 again when it is back', async () => {
    expect((await write('before', 'v1')).statusCode).toBe(201);

    await redis.stop();
    // reads and writes keep answering throughout the outage
    for (let i = 0; i < 20; i++) expect((await read('before')).statusCode).toBe(200);
    expect((await write('during', 'v2')).statusCode).toBe(201);
    expect((await read('during')).json().value).toBe('v2');
    expect(await eventually(async () => (await l2()).state === 'down', 10_000)).toBe(true);

    await redis.restart();
    const fresh = new Redis(redis.url);
    try {
      // L2 resumes by itself: a write lands in the new Redis once the pool has reconnected
      expect(
        await eventually(async () => {
          expect((await read('before')).statusCode).toBe(200);
          await write('after', 'v3');
          return (await fresh.exists(`${t.config.REDIS_KEY_PREFIX}cache:after`)) === 1;
        }, 30_000),
      ).toBe(true);
      expect(await l2()).toMatchObject({ state: 'up', outages: 1 });
    } finally {
      fresh.disconnect();
    }
  }, 60_000);
});
