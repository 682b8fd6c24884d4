import { Client } from 'pg';
import { DatabaseUnavailableError } from '../src/resources/database/database.errors';
import { DatabaseService } from '../src/resources/database/database.service';
import { TcpProxy } from './support/tcp-proxy';
import {
  TEST_DATABASE_URL,
  TestApp,
  TestDatabase,
  bootTestApp,
  createTestDatabase,
  eventually,
  withDatabase,
} from './support/test-app';

type Answer = Awaited<ReturnType<TestApp['request']>>;

/** Every answer a hung or locked database may produce: a 503 with Retry-After, or a success. */
function expectNoServerBug(answers: Answer[]): void {
  for (const answer of answers) {
    const summary = { status: answer.statusCode, body: answer.body };
    if (answer.statusCode >= 500) {
      expect(summary).toMatchObject({ status: 503 });
      expect(answer.headers['retry-after']).toMatch(/^\d+$/);
      expect(answer.json()).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'E_DATABASE_UNAVAILABLE',
      });
    }
  }
}

/**
 * PostgreSQL hung (every byte held by a proxy), locked, and cut, under the real app: the
 * database-bound routes answer 503 with Retry-After, never 500; liveness stays 200; readiness
 * turns 503 and comes back by itself.
 */
describe('database faults through a TCP proxy (e2e, real PostgreSQL)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let captionId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await TcpProxy.start(Number(new URL(TEST_DATABASE_URL).port || 5432));
    const viaProxy = new URL(withDatabase(TEST_DATABASE_URL, db.name));
    viaProxy.port = String(proxy.port);
    t = await bootTestApp({
      DATABASE_URL: viaProxy.toString(),
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      DATABASE_ACQUIRE_TIMEOUT_MS: '1000',
    });
    const created = await generate('A harbour at dawn, database faults');
    expect(created.statusCode).toBe(201);
    captionId = created.json().id;
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });

  const generate = (description: string) =>
    t.request({
      method: 'POST',
      url: '/api/v14/captions/generate',
      payload: { content_description: description, style: 'casual' },
    });
  const get = (url: string) => t.request({ method: 'GET', url: `/api/v14${url}` });
  const databaseRoutes = (n: number) =>
    Promise.all([
      generate(`An uncached request while the database is in trouble ${n}`),
      get(`/captions/${captionId}`),
      get('/captions?limit=5'),
    ]);

  it('a hung database: 503 with Retry-After, liveness 200, readiness 503 and back', async () => {
    proxy.pause();
    try {
      const paused = Date.now();
      expect(await eventually(async () => (await get('/health/ready')).statusCode === 503)).toBe(
        true,
      );
      console.log(`hung database: readiness 503 after ${Date.now() - paused} ms`);
      const answers = await databaseRoutes(1);
      expect(answers.map((a) => a.statusCode)).toEqual([503, 503, 503]);
      expectNoServerBug(answers);
      expect((await get('/health/live')).statusCode).toBe(200);
      // A cached caption does not need the database.
      expect((await generate('A harbour at dawn, database faults')).statusCode).toBe(201);
    } finally {
      proxy.resume();
    }
    const resumed = Date.now();
    expect(await eventually(async () => (await get('/health/ready')).statusCode === 200)).toBe(
      true,
    );
    console.log(`hung database: readiness 200 again ${Date.now() - resumed} ms after it answers`);
    expect((await databaseRoutes(2)).map((a) => a.statusCode)).toEqual([201, 200, 200]);
  }, 60_000);

  it('a locked table: statement timeouts answer 503 with Retry-After, then all is well', async () => {
    const locker = new Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE captions IN ACCESS EXCLUSIVE MODE');
      const answers = await databaseRoutes(3);
      expect(answers.map((a) => a.statusCode)).toEqual([503, 503, 503]);
      expectNoServerBug(answers);
      expect(answers[0].json().message).toBe(
        'database unavailable (statement timeout); try again shortly',
      );
      expect((await get('/health/live')).statusCode).toBe(200);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect((await databaseRoutes(4)).map((a) => a.statusCode)).toEqual([201, 200, 200]);
  }, 60_000);

  it('connections cut under it: no 500, and the pool reconnects by itself', async () => {
    proxy.cut();
    const answers = await databaseRoutes(5);
    expectNoServerBug(answers);
    expect(
      await eventually(async () => (await databaseRoutes(6)).every((a) => a.statusCode < 300)),
    ).toBe(true);
  }, 60_000);

  it("passes a query's own error through unmapped (the filter answers it 500)", async () => {
    const database = t.app.get(DatabaseService);
    const error: unknown = await database.query('SELEC 1').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ code: '42601' });
  });
});
