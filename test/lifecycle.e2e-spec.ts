import { Child, freePort, startChild } from './support/processes';
import { TEST_REDIS_URL, createTestDatabase, eventually } from './support/test-app';

/** Runs the real server as a child process and stops it with SIGTERM. */
describe('process lifecycle (e2e: SIGTERM during a slow request)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: Child;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = startChild(
      process.execPath,
      ['-r', '@swc-node/register', 'test/support/slow-server.ts'],
      {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: `lifecycle${port}:`,
        REDIS_POOL_SIZE: '2',
        DATABASE_POOL_SIZE: '2',
        ENABLE_MONITORING: 'false',
        SHUTDOWN_GRACE_MS: '10000',
        TS_NODE_PROJECT: 'tsconfig.json',
      },
    );
    const up = await eventually(
      async () => (await fetch(`${base}/api/v14/health/live`).catch(() => null))?.ok ?? false,
      60_000,
      200,
    );
    if (!up) throw new Error(`server did not start:\n${server.output()}`);
  }, 90_000);

  afterAll(async () => {
    if (server.process.exitCode === null) server.process.kill('SIGKILL');
    await db?.drop();
  });

  it('finishes the in-flight request, closes resources once, and exits 0', async () => {
    const slow = fetch(`${base}/slow?ms=1500`).then(async (res) => ({
      status: res.status,
      body: await res.json(),
    }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.process.kill('SIGTERM');

    await expect(slow).resolves.toEqual({ status: 200, body: { slept_ms: 1500 } });
    await expect(server.exited).resolves.toBe(0);
    const output = server.output();
    expect(output).toContain('SIGTERM received again');
    expect(output.match(/shutdown complete/g)).toHaveLength(1);
    expect(output).toMatch(
      /Resource:database.*shutting_down -> closed|state shutting_down -> closed.*Resource:database/,
    );
  }, 60_000);
});
