import { AddressInfo, connect } from 'node:net';
import { Agent, request } from 'node:http';
import { useTestApp } from './support/test-app';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;

/** Opens a raw socket, writes `bytes` and never finishes; resolves with what the server said and when it closed. */
function slowClient(port: number, bytes: string): Promise<{ answer: string; heldMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, heldMs: Date.now() - started }));
  });
}

function get(port: number, agent: Agent): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/api/v14/health/live', agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** Slowloris and friends against the real server on a loopback port. */
describe('slow clients (e2e, listening server)', () => {
  const t = useTestApp({
    SERVER_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    SERVER_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    SERVER_MAX_REQUESTS_PER_SOCKET: '3',
  });
  let port: number;

  beforeAll(async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });

  it('cuts off half-sent headers and short bodies with a 408, while others are served', async () => {
    const slow = [
      ...Array.from({ length: 10 }, () =>
        slowClient(port, 'GET /api/v14/health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: '),
      ),
      ...Array.from({ length: 10 }, () =>
        slowClient(
          port,
          'POST /api/v14/captions/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"content_description":',
        ),
      ),
    ];
    // Served promptly meanwhile: the slow sockets hold no worker and no pool connection.
    const agent = new Agent({ keepAlive: false });
    for (let i = 0; i < 5; i++) expect((await get(port, agent)).status).toBe(200);

    const outcomes = await Promise.all(slow);
    for (const { answer } of outcomes) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const longest = Math.max(...outcomes.map((o) => o.heldMs));
    console.log(`slow clients: 20 cut off, the longest held ${longest} ms`);
    // Never before its timeout: a 408 that came early would cut honest slow networks.
    expect(Math.min(...outcomes.slice(0, 10).map((o) => o.heldMs))).toBeGreaterThanOrEqual(
      HEADERS_TIMEOUT_MS - 50,
    );
  }, 30_000);

  it('closes a kept-alive socket after SERVER_MAX_REQUESTS_PER_SOCKET requests, saying so', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await get(port, agent));
    agent.destroy();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.connection)).toEqual(['keep-alive', 'keep-alive', 'close']);
  });
});
