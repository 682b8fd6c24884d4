import { Writable } from 'node:stream';
import { TestApp, bootTestApp, createTestDatabase } from './support/test-app';

/** Every JSON line the app logs, parsed. */
class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      this.lines.push(JSON.parse(line));
    done();
  }
  withRequestId(id: string) {
    return this.lines.filter((l) => l.request_id === id);
  }
}

describe('logs carry the request id (e2e)', () => {
  const logs = new LogCapture();
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await bootTestApp(
      { DATABASE_URL: db.url, LOG_LEVEL: 'info', NODE_ENV: 'production' },
      { logDestination: logs },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('tags the access line and the lines written while serving a POST with the request id, never the key', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v14/resources/initialize',
      headers: { 'x-request-id': 'trace-post-1', 'x-api-key': 'wrong-but-secret-key-123' },
      payload: {},
    });
    expect(res.statusCode).toBe(401);
    const lines = logs.withRequestId('trace-post-1');
    expect(lines.find((l) => l.msg === 'admin call')).toMatchObject({
      context: 'AdminAudit',
      outcome: 'refused: bad or missing key',
    });
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({
      res: { statusCode: 401 },
    });
    expect(JSON.stringify(logs.lines)).not.toContain('wrong-but-secret-key-123');
  });

  it('keeps concurrent requests apart', async () => {
    await Promise.all(
      ['trace-a', 'trace-b', 'trace-c'].map((id) =>
        t.request({
          method: 'POST',
          url: '/api/v14/resources/shutdown',
          headers: { 'x-request-id': id },
          payload: {},
        }),
      ),
    );
    for (const id of ['trace-a', 'trace-b', 'trace-c']) {
      const audit = logs.withRequestId(id).filter((l) => l.msg === 'admin call');
      expect(audit).toHaveLength(1);
    }
  });

  it('does not access-log probes', async () => {
    await t.request({
      method: 'GET',
      url: '/api/v14/health/live',
      headers: { 'x-request-id': 'trace-probe' },
    });
    expect(logs.withRequestId('trace-probe')).toEqual([]);
  });
});
