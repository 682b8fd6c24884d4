import { Client } from 'pg';
import { PoolExhaustedError } from '../src/common/errors/app-errors';
import { DatabaseService } from '../src/resources/database/database.service';
import { TEST_DATABASE_URL, TestApp, bootTestApp, createTestDatabase } from './support/test-app';

describe('database pool (e2e, real PostgreSQL)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let database: DatabaseService;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await bootTestApp({
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '1',
      DATABASE_MAX_OVERFLOW: '1',
      DATABASE_ACQUIRE_TIMEOUT_MS: '300',
    });
    database = t.app.get(DatabaseService);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('ran the migrations once, recorded in the migrations table', async () => {
    const rows = await database.query<{ name: string }>('SELECT name FROM migrations');
    expect(rows.map((r) => r.name)).toEqual(['InitialSchema1764300000000']);
  });

  it('releases the connection on success and on error', async () => {
    await expect(database.withSession(async (m) => m.query('SELECT 1 AS one'))).resolves.toEqual([
      { one: 1 },
    ]);
    await expect(
      database.withSession(async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    // An ordinary SQL error stays pg's own (undefined_column), not a pool or availability error.
    await expect(database.query('SELECT definitely_not_a_column')).rejects.toMatchObject({
      name: 'QueryFailedError',
      driverError: expect.objectContaining({ code: '42703' }),
    });
    expect((database.stats().pool as { in_use: number }).in_use).toBe(0);
  });

  it('destroys a connection released inside an open transaction instead of reusing it', async () => {
    const pid = async () =>
      (await database.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid;
    const before = await pid();
    const leaked = await database.withSession(async (m) => {
      await m.queryRunner!.startTransaction();
      return (await m.query('SELECT pg_backend_pid() AS pid'))[0].pid as number;
    });
    expect(leaked).toBe(before);
    const after = await pid();
    expect(after).not.toBe(leaked);
    const [open] = await database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1',
      [leaked],
    );
    expect(open.n).toBe(0);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await database.query('CREATE TABLE tx_probe (v int)');
    await database.transaction((m) => m.query('INSERT INTO tx_probe VALUES (1)'));
    await expect(
      database.transaction(async (m) => {
        await m.query('INSERT INTO tx_probe VALUES (2)');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await database.query('SELECT v FROM tx_probe')).toEqual([{ v: 1 }]);
  });

  it('answers a caller with PoolExhaustedError within the acquire timeout when every connection is held', async () => {
    let releaseAll!: () => void;
    const held = new Promise<void>((resolve) => (releaseAll = resolve));
    const holders = [1, 2].map(() => database.withSession(() => held));
    try {
      await expect(database.query('SELECT 1')).rejects.toBeInstanceOf(PoolExhaustedError);
      const status = database.stats().pool as { in_use: number; usage_percent: number };
      expect(status.in_use).toBe(2);
      expect(status.usage_percent).toBe(100);
    } finally {
      releaseAll();
      await Promise.all(holders);
    }
    await expect(database.query('SELECT 1 AS ok')).resolves.toEqual([{ ok: 1 }]);
  });

  it('answers an HTTP request with 503 and Retry-After while the pool is exhausted, then serves again', async () => {
    let releaseAll!: () => void;
    const held = new Promise<void>((resolve) => (releaseAll = resolve));
    const holders = [1, 2].map(() => database.withSession(() => held));
    try {
      const res = await t.request({ method: 'GET', url: '/api/v14/captions?limit=1' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        request_id: expect.any(String),
      });
    } finally {
      releaseAll();
      await Promise.all(holders);
    }
    expect((await t.request({ method: 'GET', url: '/api/v14/captions?limit=1' })).statusCode).toBe(
      200,
    );
  });

  it('recovers by itself after pg_terminate_backend kills every app connection', async () => {
    await database.query('SELECT 1');
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [db.name],
      );
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // The first query may meet a dead connection; the pool must drop it and serve the next ones.
    await database.query('SELECT 1').catch(() => undefined);
    await expect(database.query('SELECT 2 AS two')).resolves.toEqual([{ two: 2 }]);
    const health = await database.health();
    expect(health.status).toBe('healthy');
  });
});

describe('migrations with two instances starting together (e2e)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('take turns under the advisory lock: both start, the schema is applied once', async () => {
    const [a, b] = await Promise.all([
      bootTestApp({ DATABASE_URL: db.url }),
      bootTestApp({ DATABASE_URL: db.url }),
    ]);
    try {
      const rows = await a.app
        .get(DatabaseService)
        .query<{ name: string }>('SELECT name FROM migrations');
      expect(rows).toEqual([{ name: 'InitialSchema1764300000000' }]);
      // The second app sees the schema the first one applied: the table exists, empty.
      await expect(
        b.app.get(DatabaseService).query('SELECT count(*)::int AS n FROM captions'),
      ).resolves.toEqual([{ n: 0 }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
