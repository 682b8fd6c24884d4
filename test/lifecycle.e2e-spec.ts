import { Agent, IncomingHttpHeaders, request } from 'node:http';
import { Child, freePort, startChild } from './support/processes';
import { TEST_REDIS_URL, createTestDatabase, eventually } from './support/test-app';

/** SHUTDOWN_DELAY_MS: long enough for the few requests the test sends during it, even on a loaded machine. */
const DELAY_MS = 3000;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP GET (node:http shows hop-by-hop headers such as Connection; fetch may not). */
function get(url: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves once the child has printed `text` (event-based); rejects if it exits first. */
function printed(child: Child, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      child.process.stdout?.off('data', check);
      child.process.off('exit', onExit);
    };
    const check = () => {
      if (!child.output().includes(text)) return;
      cleanup();
      resolve();
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`exited before printing "${text}":\n${child.output()}`));
    };
    child.process.stdout?.on('data', check);
    child.process.once('exit', onExit);
    check();
  });
}

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
        SHUTDOWN_DELAY_MS: String(DELAY_MS),
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
    if (server) {
      if (server.process.exitCode === null && server.process.signalCode === null) {
        server.process.kill('SIGKILL');
      }
      await server.exited;
    }
    await db?.drop();
  });

  it('serves through the delay with readiness 503, then stops accepting, finishes in-flight work and exits 0', async () => {
    const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // A kept-alive socket opened before the signal.
      expect((await get(`${base}/api/v14/health/live`, keptAlive)).headers.connection).toBe(
        'keep-alive',
      );
      // A request in flight across the whole shutdown: the server holds it until SIGUSR2.
      const slow = get(`${base}/slow`);
      let slowDone = false;
      void slow.then(() => (slowDone = true));
      await printed(server, 'slow request held');

      const signalled = Date.now();
      server.process.kill('SIGTERM');
      // During the delay: readiness turns 503 (asked on a new connection each time)...
      expect(
        await eventually(
          async () => (await get(`${base}/api/v14/health/ready`)).status === 503,
          DELAY_MS,
          20,
        ),
      ).toBe(true);
      server.process.kill('SIGTERM'); // a second signal changes nothing
      // ...other routes are still served, and every answer says Connection: close (the
      // kept-alive socket included).
      const live = await get(`${base}/api/v14/health/live`, keptAlive);
      expect(live.status).toBe(200);
      expect(live.headers.connection).toBe('close');

      // Then new connections are refused (not before the delay), while the held request runs on.
      const refused = await eventually(
        () =>
          get(`${base}/api/v14/health/live`).then(
            () => false,
            (error: { code?: string }) => error.code === 'ECONNREFUSED',
          ),
        DELAY_MS + 10_000,
        50,
      );
      expect(refused).toBe(true);
      // One-sided: the server cannot refuse before its delay, however slow the machine is.
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(DELAY_MS);
      expect(slowDone).toBe(false);
      expect(server.process.exitCode).toBeNull();

      // The in-flight request finishes when let go, and only then does the process exit.
      server.process.kill('SIGUSR2');
      const finished = await slow;
      expect(finished.status).toBe(200);
      expect(JSON.parse(finished.body)).toEqual({ released: true });
      expect(finished.headers.connection).toBe('close');
      await expect(server.exited).resolves.toBe(0);
    } finally {
      keptAlive.destroy();
    }

    const output = server.output();
    expect(output).toContain('SIGTERM received again');
    expect(output).toMatch(/SIGTERM: readiness answers 503; serving on for 3000 ms/);
    expect(output).toMatch(/stopped accepting after \d+ ms; 1 requests in flight/);
    expect(output).toMatch(/in-flight requests finished in \d+ ms/);
    expect(output).toMatch(/resources closed in \d+ ms/);
    expect(output.match(/shutdown complete in \d+ ms/g)).toHaveLength(1);
    expect(output).toMatch(
      /Resource:database.*shutting_down -> closed|state shutting_down -> closed.*Resource:database/,
    );
  }, 60_000);
});
