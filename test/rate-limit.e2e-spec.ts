import { randomUUID } from 'node:crypto';
import { RedisService } from '../src/resources/redis/redis.service';
import { useOwnRedisServer } from './support/processes';
import { useTcpProxy } from './support/tcp-proxy';
import {
  ADMIN_KEY,
  TEST_REDIS_URL,
  TestApp,
  TestDatabase,
  bootTestApp,
  createTestDatabase,
  eventually,
  uniqueSuffix,
  useTestApp,
} from './support/test-app';

/** Small limits with long windows: nothing resets while a test runs. */
const LIMITS = {
  RATE_LIMIT_CAPTIONS_MAX: '5',
  RATE_LIMIT_CAPTIONS_WINDOW_MS: '600000',
  RATE_LIMIT_BATCH_MAX: '2',
  RATE_LIMIT_BATCH_WINDOW_MS: '600000',
  RATE_LIMIT_ADMIN_FAILURES_MAX: '3',
  RATE_LIMIT_ADMIN_FAILURES_WINDOW_MS: '600000',
};

/** Each test uses client addresses of its own, so their windows do not mix. */
const listCaptions = (app: Pick<TestApp, 'request'>, client: string, headers = {}) =>
  app.request({
    method: 'GET',
    url: '/api/v14/captions?limit=1',
    remoteAddress: client,
    headers,
  });

const adminCall = (app: Pick<TestApp, 'request'>, client: string, key: string) =>
  app.request({
    method: 'GET',
    url: '/api/v14/resources/cache/absent-key',
    remoteAddress: client,
    headers: { 'x-api-key': key },
  });

/** A counter of /metrics (0 when the series is absent). */
async function metric(app: Pick<TestApp, 'request'>, series: string): Promise<number> {
  const text = (await app.request({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('rate limits shared through Redis by two instances (e2e, real Redis)', () => {
  let db: TestDatabase;
  let one: TestApp;
  let two: TestApp;
  const prefix = `t${uniqueSuffix()}:`;

  beforeAll(async () => {
    ({ db, one, two } = await bootTwoSharingRedis(prefix, LIMITS));
  });
  afterAll(() => closeTwoSharingRedis(prefix, db, one, two));

  it('answers 429 over the limit, with Retry-After, RateLimit-* and the error body', async () => {
    const client = '198.51.100.1';
    for (let i = 1; i <= 5; i++) {
      const ok = await listCaptions(one, client);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe('5');
      expect(ok.headers['ratelimit-remaining']).toBe(String(5 - i));
      expect(Number(ok.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(ok.headers['retry-after']).toBeUndefined();
    }
    const refused = await listCaptions(one, client, { 'x-request-id': 'rate-limit-check-1' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['ratelimit-limit']).toBe('5');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(refused.headers['ratelimit-policy']).toBe('5;w=600');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(refused.headers['x-request-id']).toBe('rate-limit-check-1');
    expect(refused.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringContaining('rate limit exceeded'),
      request_id: 'rate-limit-check-1',
    });
    // Another client is not affected.
    expect((await listCaptions(one, '198.51.100.2')).statusCode).toBe(200);
    expect(await metric(one, 'captions_api_rate_limit_refused_total{limit="captions"}')).toBe(1);
  });

  it('counts one window per client across both instances', async () => {
    const client = '198.51.100.3';
    for (const app of [one, two, one, two, one]) {
      expect((await listCaptions(app, client)).statusCode).toBe(200);
    }
    const last = await listCaptions(two, client);
    expect(last.statusCode).toBe(429);
    expect((await listCaptions(one, client)).statusCode).toBe(429);
    const keys = await one.app
      .get(RedisService)
      .run((c) => c.keys(`${prefix}rate-limit:captions:*`));
    expect(keys).toContain(`${prefix}rate-limit:captions:${client}`);
  });

  it('never limits probes, /metrics or the status endpoints', async () => {
    const client = '198.51.100.4';
    for (let i = 0; i < 6; i++) await listCaptions(one, client);
    expect((await listCaptions(one, client)).statusCode).toBe(429);
    for (let i = 0; i < 20; i++) {
      for (const url of [
        '/api/v14/health/live',
        '/api/v14/health/ready',
        '/api/v14/health/startup',
        '/metrics',
        '/api/v14/resources/cache/status',
      ]) {
        const answer = await one.request({ method: 'GET', url, remoteAddress: client });
        expect({ url, status: answer.statusCode }).toEqual({ url, status: 200 });
        expect(answer.headers['ratelimit-limit']).toBeUndefined();
      }
    }
  });

  it('limits the batch routes with a window of their own', async () => {
    const client = '198.51.100.5';
    const batch = () =>
      one.request({
        method: 'POST',
        url: '/api/v14/batch/generate',
        remoteAddress: client,
        payload: { requests: [{ content_description: 'A quiet harbour', style: 'casual' }] },
      });
    expect((await batch()).statusCode).toBe(200);
    expect((await batch()).statusCode).toBe(200);
    const refused = await batch();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['ratelimit-limit']).toBe('2');
    // The caption window of the same client is untouched by its batches.
    const captions = await listCaptions(one, client);
    expect(captions.statusCode).toBe(200);
    expect(captions.headers['ratelimit-remaining']).toBe('4');
  });

  it('locks a client out of admin calls after repeated bad keys, on every instance', async () => {
    const attacker = '198.51.100.6';
    for (let i = 0; i < 3; i++) {
      expect((await adminCall(one, attacker, `wrong-key-${i}-0123456789`)).statusCode).toBe(401);
    }
    const locked = await adminCall(two, attacker, 'wrong-key-3-0123456789');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.headers['ratelimit-limit']).toBe('3');
    expect(locked.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(locked.body).not.toContain('wrong-key');
    // Locked out with the right key too: a 401-or-404 answer would still tell keys apart.
    expect((await adminCall(one, attacker, ADMIN_KEY)).statusCode).toBe(429);
    // Ordinary routes of that client are not affected by the admin lockout.
    expect((await listCaptions(one, attacker)).statusCode).toBe(200);
  });

  it('does not count successful admin calls', async () => {
    const operator = '198.51.100.7';
    for (let i = 0; i < 10; i++) {
      // 404: authenticated, and the cache key is absent.
      expect((await adminCall(i % 2 ? one : two, operator, ADMIN_KEY)).statusCode).toBe(404);
    }
    expect((await adminCall(one, operator, 'wrong-key-0123456789')).statusCode).toBe(401);
  });
});

describe('rate limits without Redis, and TRUST_PROXY (e2e)', () => {
  let db: TestDatabase;
  let direct: TestApp;
  let behindProxy: TestApp;
  let oneHop: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    direct = await bootTestApp({ DATABASE_URL: db.url, REDIS_URL: '', ...LIMITS });
    behindProxy = await bootTestApp({
      DATABASE_URL: db.url,
      REDIS_URL: '',
      TRUST_PROXY: '127.0.0.1',
      ...LIMITS,
    });
    oneHop = await bootTestApp({
      DATABASE_URL: db.url,
      REDIS_URL: '',
      TRUST_PROXY: '1',
      ...LIMITS,
    });
  });
  afterAll(async () => {
    await direct?.close();
    await behindProxy?.close();
    await oneHop?.close();
    await db?.drop();
  });

  it('counts in-process: each instance has its own window', async () => {
    const client = '203.0.113.1';
    for (let i = 0; i < 5; i++) expect((await listCaptions(direct, client)).statusCode).toBe(200);
    const refused = await listCaptions(direct, client);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await listCaptions(behindProxy, '203.0.113.1')).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For by default, so a client cannot pick a fresh address', async () => {
    const client = '203.0.113.2';
    for (let i = 0; i < 5; i++) await listCaptions(direct, client);
    for (const forwarded of ['192.0.2.10', '192.0.2.11']) {
      const answer = await listCaptions(direct, client, { 'x-forwarded-for': forwarded });
      expect(answer.statusCode).toBe(429);
    }
  });

  it('limits the forwarded client when the proxy in front is trusted', async () => {
    const proxy = '127.0.0.1';
    for (let i = 0; i < 5; i++) {
      const ok = await listCaptions(behindProxy, proxy, { 'x-forwarded-for': '192.0.2.20' });
      expect(ok.statusCode).toBe(200);
    }
    const refused = await listCaptions(behindProxy, proxy, { 'x-forwarded-for': '192.0.2.20' });
    expect(refused.statusCode).toBe(429);
    // Another client behind the same proxy keeps its own window.
    const other = await listCaptions(behindProxy, proxy, { 'x-forwarded-for': '192.0.2.21' });
    expect(other.statusCode).toBe(200);
  });

  it('with a hop count, trusts that many proxies: the client one hop away is the one limited', async () => {
    const proxy = '127.0.0.1';
    // The spoofed first entry is two hops away, beyond the one trusted: it is not the client.
    const via = (client: string) => ({ 'x-forwarded-for': `198.51.100.9, ${client}` });
    for (let i = 0; i < 5; i++)
      expect((await listCaptions(oneHop, proxy, via('192.0.2.30'))).statusCode).toBe(200);
    expect((await listCaptions(oneHop, proxy, via('192.0.2.30'))).statusCode).toBe(429);
    expect((await listCaptions(oneHop, proxy, via('192.0.2.31'))).statusCode).toBe(200);
  });
});

describe('rate limits when Redis stops (e2e, own redis-server): fail open, counted', () => {
  const redis = useOwnRedisServer();
  const t = useTestApp(() => ({
    REDIS_URL: redis.url,
    REDIS_COMMAND_TIMEOUT_MS: '500',
    ...LIMITS,
  }));
  const storeErrors = () => metric(t, 'captions_api_rate_limit_store_errors_total');
  const redisState = async () =>
    (await t.request({ method: 'GET', url: '/api/v14/resources/pools/redis/status' })).json()
      .state as string;

  it('lets every request through while Redis is down, and limits again once it is back', async () => {
    const client = '192.0.2.50';
    for (let i = 0; i < 5; i++) expect((await listCaptions(t, client)).statusCode).toBe(200);
    expect((await listCaptions(t, client)).statusCode).toBe(429);
    const errorsBefore = await storeErrors();

    await redis.stop();
    expect(await eventually(async () => (await redisState()) === 'error')).toBe(true);
    for (let i = 0; i < 10; i++) {
      // The client that was refused a moment ago goes through: no window can be read.
      const answer = await listCaptions(t, client);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['ratelimit-limit']).toBeUndefined();
    }
    // Bad admin keys still get 401, not 429 or a 5xx.
    expect((await adminCall(t, client, 'wrong-key-0123456789')).statusCode).toBe(401);
    expect(await storeErrors()).toBeGreaterThanOrEqual(errorsBefore + 11);

    await redis.restart();
    expect(await eventually(async () => (await redisState()) === 'ready', 20_000)).toBe(true);
    // A fresh redis-server has no windows: counting starts again from 1.
    const counted = await listCaptions(t, '192.0.2.51');
    expect(counted.statusCode).toBe(200);
    expect(counted.headers['ratelimit-remaining']).toBe('4');
  }, 60_000);
});

describe('rate limits when Redis hangs (e2e, every byte held by a proxy): fail open', () => {
  const redis = useTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379));
  const t = useTestApp(() => ({
    REDIS_URL: `redis://127.0.0.1:${redis.proxy.port}`,
    REDIS_COMMAND_TIMEOUT_MS: '2000',
    ...LIMITS,
  }));

  it('answers without waiting for Redis, counting each check that went through unlimited', async () => {
    const client = '192.0.2.60';
    expect((await listCaptions(t, client)).headers['ratelimit-remaining']).toBe('4');
    const before = await metric(t, 'captions_api_rate_limit_store_errors_total');
    redis.proxy.pause();
    try {
      for (let i = 0; i < 3; i++) expect((await listCaptions(t, client)).statusCode).toBe(200);
      expect(await metric(t, 'captions_api_rate_limit_store_errors_total')).toBe(before + 3);
    } finally {
      redis.proxy.resume();
    }
  }, 30_000);
});

describe('leased slices of larger limits, two instances sharing Redis (e2e, real Redis)', () => {
  /** Captions: 100 per window, leased 10 hits at a time; batch: 40 per 5 s, 4 at a time. */
  const LEASED = {
    ...LIMITS,
    RATE_LIMIT_CAPTIONS_MAX: '100',
    RATE_LIMIT_BATCH_MAX: '40',
    RATE_LIMIT_BATCH_WINDOW_MS: '5000',
  };
  const CAPTIONS_SLICE = 10;
  let db: TestDatabase;
  let one: TestApp;
  let two: TestApp;
  const prefix = `t${uniqueSuffix()}:`;
  const redisOf = (app: TestApp) => app.app.get(RedisService);
  /** An unknown batch job: any answer but 429 means the batch limit let it through. */
  const batchJob = (app: TestApp, client: string) =>
    app.request({
      method: 'GET',
      url: `/api/v14/batch/jobs/${randomUUID()}`,
      remoteAddress: client,
    });

  beforeAll(async () => {
    ({ db, one, two } = await bootTwoSharingRedis(prefix, LEASED));
  });
  afterAll(() => closeTwoSharingRedis(prefix, db, one, two));

  it('admits no more than the limit across instances, with one Redis call per slice', async () => {
    const client = '198.51.100.20';
    const remaining: unknown[] = [];
    for (const app of [one, one, two]) {
      remaining.push((await listCaptions(app, client)).headers['ratelimit-remaining']);
    }
    // `one` leased hits 1-10 and counts them in memory; `two` then leased 11-20.
    expect(remaining).toEqual(['99', '98', '89']);

    const operationsBefore = redisOf(one).stats().operations;
    let admitted = 3;
    let onOne = 0;
    // An uneven spread: `one` gets two hits of every three.
    for (let i = 0; i < 60; i++) {
      const app = i % 3 === 2 ? two : one;
      if (app === one) onOne += 1;
      expect((await listCaptions(app, client)).statusCode).toBe(200);
      admitted += 1;
    }
    // Without leases: one Redis call per hit (40 here).
    expect(redisOf(one).stats().operations - operationsBefore).toBeLessThanOrEqual(
      Math.ceil(onOne / CAPTIONS_SLICE) + 1,
    );

    for (let i = 0; i < 90; i++) {
      const answer = await listCaptions(i % 3 === 2 ? two : one, client);
      if (answer.statusCode === 200) admitted += 1;
      else expect(answer.statusCode).toBe(429);
    }
    // The fleet's bound is limit + instances × slice; leases capped by Redis keep it to the limit,
    // losing at most the slice left unused on the other instance.
    expect(admitted).toBeLessThanOrEqual(100 + 2 * CAPTIONS_SLICE);
    expect(admitted).toBeLessThanOrEqual(100);
    expect(admitted).toBeGreaterThanOrEqual(100 - (CAPTIONS_SLICE - 1));
    expect((await listCaptions(one, client)).statusCode).toBe(429);
    expect((await listCaptions(two, client)).statusCode).toBe(429);
  });

  it('ends a lease with its window: the next window is leased afresh, on every instance', async () => {
    const light = '198.51.100.21';
    const heavy = '198.51.100.22';
    const keyOf = (client: string) => `${prefix}rate-limit:batch:${client}`;
    const redis = redisOf(one);
    for (let i = 1; i <= 3; i++) {
      expect((await batchJob(one, light)).headers['ratelimit-remaining']).toBe(String(40 - i));
    }
    // One slice of 4 leased, a hit of it still unused on `one`.
    expect(await redis.run((c) => c.get(keyOf(light)))).toBe('4');
    let admitted = 0;
    for (let i = 0; i < 50; i++) {
      if ((await batchJob(i % 2 ? one : two, heavy)).statusCode !== 429) admitted += 1;
    }
    expect(admitted).toBeLessThanOrEqual(40);
    expect((await batchJob(one, heavy)).statusCode).toBe(429);

    const gone = async () => (await redis.run((c) => c.exists(keyOf(light), keyOf(heavy)))) === 0;
    expect(await eventually(gone, 20_000)).toBe(true);
    // The unused hit of the old slice is not served: a new lease, counted from 1.
    const next = await batchJob(one, light);
    expect(next.statusCode).not.toBe(429);
    expect(next.headers['ratelimit-remaining']).toBe('39');
    expect(await redis.run((c) => c.get(keyOf(light)))).toBe('4');
    // The client refused in the old window is let through again by both instances.
    expect((await batchJob(one, heavy)).statusCode).not.toBe(429);
    expect((await batchJob(two, heavy)).statusCode).not.toBe(429);
  }, 30_000);
});

/** Two instances on one database and one Redis key prefix: they share every window. */
async function bootTwoSharingRedis(
  prefix: string,
  limits: Record<string, string>,
): Promise<{ db: TestDatabase; one: TestApp; two: TestApp }> {
  const db = await createTestDatabase();
  const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
  return {
    db,
    one: await bootTestApp({ ...env, ...limits }),
    two: await bootTestApp({ ...env, ...limits }),
  };
}

/** Removes the prefix's keys, closes both instances and drops the database. */
async function closeTwoSharingRedis(
  prefix: string,
  db?: TestDatabase,
  one?: TestApp,
  two?: TestApp,
): Promise<void> {
  const redis = one?.app.get(RedisService);
  const keys = await redis?.run((c) => c.keys(`${prefix}*`));
  if (keys?.length) await redis?.run((c) => c.del(...keys));
  await one?.close();
  await two?.close();
  await db?.drop();
}
