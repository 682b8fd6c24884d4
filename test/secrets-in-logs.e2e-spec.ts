import { Writable } from 'node:stream';
import { Client } from 'pg';
import { FakeOpenAiServer, json } from '../src/captions/models/testing/fake-openai-server';
import { startRedisServer } from './support/processes';
import {
  TEST_DATABASE_URL,
  TestApp,
  bootTestApp,
  createTestDatabase,
  uniqueSuffix,
} from './support/test-app';

/**
 * Every secret the service knows, each put through every way a client or a dependency can bring
 * it in, and not one of them in the captured log. The secrets are long and distinctive, so a
 * substring search cannot miss them or find them by chance.
 */
const ADMIN_KEY = 'admin-SECRET-k3y-4f9a1c7e2b';
const WRONG_KEY = 'admin-SECRET-wr0ng-8d2e5b1a';
const OPENAI_KEY = 'sk-SECRET-openai-6c3f9e1d7a';
const DB_PASSWORD = 'db-SECRET-pw-2a8e4c6f1b';
const REDIS_PASSWORD = 'redis-SECRET-pw-9b1d3f5e7c';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const SECRETS = [ADMIN_KEY, WRONG_KEY, OPENAI_KEY, DB_PASSWORD, REDIS_PASSWORD];

/** The raw log output, every line as written. */
class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  get lines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
  accessLine(requestId: string): Record<string, unknown> | undefined {
    return this.lines.find((l) => l.request_id === requestId && l.msg === 'request completed');
  }
}

/** A redis-server that requires a password (the shared test Redis has none). */
async function startRedisWithPassword(
  password: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await startRedisServer(undefined, ['--requirepass', password]);
  return { url: `redis://:${password}@127.0.0.1:${server.port}`, stop: server.stop };
}

/**
 * A login role with a password on the test server. The server trusts loopback, so the password
 * is never checked, but it is in DATABASE_URL as it would be in production.
 */
async function createRoleWithPassword(password: string): Promise<{
  name: string;
  drop: () => Promise<void>;
}> {
  const name = `captions_secret_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${name} LOGIN SUPERUSER PASSWORD '${password}'`);
  } finally {
    await admin.end();
  }
  return {
    name,
    drop: async () => {
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP ROLE IF EXISTS ${name}`);
      } finally {
        await client.end();
      }
    },
  };
}

describe('no secret in any log line (e2e)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let role: Awaited<ReturnType<typeof createRoleWithPassword>>;
  let redis: Awaited<ReturnType<typeof startRedisWithPassword>>;
  let upstream: FakeOpenAiServer;

  beforeAll(async () => {
    upstream = new FakeOpenAiServer();
    const openAiUrl = await upstream.start();
    redis = await startRedisWithPassword(REDIS_PASSWORD);
    role = await createRoleWithPassword(DB_PASSWORD);
    db = await createTestDatabase();
    const databaseUrl = new URL(db.url);
    databaseUrl.username = role.name;
    databaseUrl.password = DB_PASSWORD;
    t = await bootTestApp(
      {
        // debug: the most log lines, so the most chances to leak.
        LOG_LEVEL: 'debug',
        NODE_ENV: 'production',
        ADMIN_API_KEY: ADMIN_KEY,
        DATABASE_URL: databaseUrl.toString(),
        REDIS_URL: redis.url,
        OPENAI_BASE_URL: openAiUrl,
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_MODEL: 'tiny-model',
        HTTP_RETRIES: '0',
      },
      { logDestination: logs },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await role?.drop();
    await redis?.stop();
    await upstream?.stop();
  });

  it('connected with every secret: Redis AUTH and the database role with its password', async () => {
    const redisStatus = await t.request({
      method: 'GET',
      url: '/api/v14/resources/pools/redis/status',
    });
    expect(redisStatus.json()).toMatchObject({
      state: 'ready',
      url: expect.stringContaining(':***@'),
    });
    const dbStatus = await t.request({
      method: 'GET',
      url: '/api/v14/resources/pools/database/status',
    });
    expect(dbStatus.json().url).toContain(role.name);
  });

  it('keeps every secret out of the log, whichever way it came in', async () => {
    const caption = { content_description: 'A cat on a windowsill', style: 'casual' };
    const attempts: Array<Exclude<Parameters<TestApp['request']>[0], string> & { expect: number }> =
      [];
    for (const key of [ADMIN_KEY, WRONG_KEY]) {
      attempts.push(
        // In the query string, of an admin route, a public route, and a route that does not exist.
        { method: 'POST', url: `/api/v14/resources/cache/clear?api_key=${key}`, expect: 401 },
        { method: 'GET', url: `/api/v14/captions?key=${key}&limit=5`, expect: 400 },
        { method: 'GET', url: `/api/v14/nowhere?token=${key}`, expect: 404 },
        // In a JSON body field, known and unknown.
        {
          method: 'POST',
          url: '/api/v14/captions/generate',
          payload: { ...caption, api_key: key },
          expect: 400,
        },
        {
          method: 'POST',
          url: '/api/v14/captions/generate',
          payload: { ...caption, tone: key },
          expect: 201,
        },
        // In the body of an admin call, without the header: refused.
        {
          method: 'POST',
          url: '/api/v14/resources/testing/performance',
          payload: { key },
          expect: 401,
        },
      );
    }
    attempts.push(
      // In a path segment: a cache key (admin), a caption id (not a UUID: 400). Only the real
      // key: paths are logged, and a wrong key in a path is just a path, as unknowable as any.
      { method: 'GET', url: `/api/v14/resources/cache/${ADMIN_KEY}`, expect: 401 },
      { method: 'GET', url: `/api/v14/captions/${ADMIN_KEY}`, expect: 400 },
      { method: 'GET', url: `/api/v14/${encodeURIComponent(ADMIN_KEY)}/x`, expect: 404 },
      // In the headers: right and wrong, both forms.
      {
        method: 'POST',
        url: '/api/v14/resources/cache/clear',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        expect: 200,
      },
      {
        method: 'GET',
        url: `/api/v14/resources/cache/${ADMIN_KEY}`,
        headers: { 'x-api-key': ADMIN_KEY },
        expect: 404,
      },
      {
        method: 'POST',
        url: '/api/v14/resources/cache/clear',
        headers: { authorization: `Bearer ${WRONG_KEY}` },
        expect: 401,
      },
      {
        method: 'POST',
        url: '/api/v14/resources/cache/clear',
        headers: { 'x-api-key': WRONG_KEY },
        expect: 401,
      },
      // The other secrets, brought by a client.
      { method: 'GET', url: `/api/v14/captions?password=${DB_PASSWORD}`, expect: 400 },
      { method: 'GET', url: `/api/v14/captions/${REDIS_PASSWORD}`, expect: 400 },
      {
        method: 'POST',
        url: '/api/v14/captions/generate',
        payload: { ...caption, openai: OPENAI_KEY },
        expect: 400,
      },
      // A malformed body quoting a secret.
      {
        method: 'POST',
        url: '/api/v14/captions/generate',
        payload: `{"key":"${ADMIN_KEY}"`,
        headers: { 'content-type': 'application/json' },
        expect: 400,
      },
    );
    for (const [i, { expect: status, ...request }] of attempts.entries()) {
      const res = await t.request({
        ...request,
        headers: { ...request.headers, 'x-request-id': `secret-${i}` },
      });
      expect(`${i} ${res.statusCode}`).toBe(`${i} ${status}`);
    }
    // The OpenAI key goes upstream in a header: once answered, once failing (the error path logs).
    const load = await t.request({
      method: 'POST',
      url: '/api/v14/resources/models/openai-compatible/load',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'secret-openai-load' },
    });
    expect(load.statusCode).toBe(201);
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    upstream.onChat = (_req, res) => json(res, 500, { error: { message: `bad ${OPENAI_KEY}` } });
    const generated = await t.request({
      method: 'POST',
      url: '/api/v14/captions/generate',
      payload: { ...caption, model: 'openai-compatible' },
      headers: { 'x-request-id': 'secret-openai-fail' },
    });
    expect(generated.json()).toMatchObject({ fallback: true });

    expect(logs.lines.length).toBeGreaterThan(attempts.length);
    for (const secret of SECRETS) {
      expect(logs.text.includes(secret) ? secret : 'absent').toBe('absent');
      expect(logs.text.includes(encodeURIComponent(secret)) ? secret : 'absent').toBe('absent');
    }
  });

  it('access lines carry the route template, the path, and query names without values', async () => {
    await t.request({
      method: 'GET',
      url: `/api/v14/captions/${UNKNOWN_ID}?api_key=${WRONG_KEY}&x=1`,
      headers: { 'x-request-id': 'secret-route' },
    });
    expect(logs.accessLine('secret-route')).toMatchObject({
      req: {
        method: 'GET',
        route: '/api/v14/captions/:id',
        path: `/api/v14/captions/${UNKNOWN_ID}`,
        query: ['api_key', 'x'],
      },
      res: { statusCode: 404 },
    });
    expect(JSON.stringify(logs.accessLine('secret-route'))).not.toContain(WRONG_KEY);
    // A path no route matches has no template, and still only the path.
    await t.request({
      method: 'GET',
      url: '/api/v14/nowhere/at/all?q=v',
      headers: { 'x-request-id': 'secret-unrouted' },
    });
    expect(logs.accessLine('secret-unrouted')).toMatchObject({
      req: { route: null, path: '/api/v14/nowhere/at/all', query: ['q'] },
      res: { statusCode: 404 },
    });
  });
});
