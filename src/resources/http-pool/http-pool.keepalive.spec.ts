import { UpstreamError } from '../../common/errors/app-errors';
import { ResourceState } from '../registry/resource-state';
import { HttpPoolService } from './http-pool.service';
import { createHttpPool } from './testing/http-pool.fixture';
import { Gate, TestUpstream, TestUpstreamOptions, reply } from './testing/test-upstream';

describe('HttpPoolService keep-alive sockets', () => {
  let upstream: TestUpstream;
  let pool: HttpPoolService;
  let gate: Gate;

  async function start(env: Record<string, string> = {}, options: TestUpstreamOptions = {}) {
    gate = new Gate();
    upstream = await TestUpstream.start(async (req, res, n) => {
      if (req.url === '/held') await gate.wait();
      reply(res, 200, { n });
    }, options);
    pool = createHttpPool(env).pool;
    await pool.init();
  }

  afterEach(async () => {
    gate.open();
    await pool.shutdown();
    await upstream.close();
  });

  const get = (path = '/') => pool.request({ method: 'GET', url: `${upstream.url}${path}` });
  const hostStats = () => pool.stats().hosts[`127.0.0.1:${upstream.port}`];

  it('reuses one socket for many sequential requests', async () => {
    await start();
    for (let i = 0; i < 25; i++) await get();
    expect(upstream.connections).toBe(1);
    expect(hostStats()).toMatchObject({ active: 0, free: 1, pending: 0, requests: 25 });
  });

  it('caps sockets at HTTP_MAX_CONNECTIONS, queues the rest, and reports busy meanwhile', async () => {
    await start({ HTTP_MAX_CONNECTIONS: '2' });
    const calls = Array.from({ length: 5 }, () => get('/held'));
    await waitFor(() => upstream.requests === 2);
    expect(pool.stats().sockets).toEqual({ active: 2, free: 0, pending: 3 });
    expect(hostStats()).toMatchObject({ active: 2, pending: 3 });
    expect(pool.usagePercent).toBe(100);
    expect(pool.state).toBe(ResourceState.BUSY);

    gate.open();
    await Promise.all(calls);
    expect(upstream.requests).toBe(5);
    expect(upstream.connections).toBe(2);
    expect(pool.state).toBe(ResourceState.READY);
  });

  it('closes idle sockets itself after HTTP_FREE_SOCKET_TIMEOUT_MS, before the server does', async () => {
    // The server announces nothing (as behind many proxies) and would close an idle socket only
    // after a minute, so only the pool's own free-socket timeout can close this one.
    await start({ HTTP_FREE_SOCKET_TIMEOUT_MS: '200' }, { idleTimeoutMs: 60_000 });
    await get();
    await get(); // back to back: the same socket
    expect(upstream.connections).toBe(1);

    await waitFor(() => upstream.closedByClient === 1);
    expect(hostStats()).toMatchObject({ free: 0 });
    await expect(get()).resolves.toMatchObject({ status: 200 });
    expect(upstream.connections).toBe(2);
    expect(upstream.closedByServer).toBe(0);
  });

  it('hands no ECONNRESET to callers when the server closes idle sockets first', async () => {
    // Our default 4 s free-socket timeout outlives the server's 200 ms: the next request finds
    // the socket closed by the server and must go out on a fresh one.
    await start({}, { idleTimeoutMs: 200 });
    await get();
    await waitFor(() => upstream.closedByServer === 1);
    await expect(get()).resolves.toMatchObject({ status: 200 });
    expect(upstream.connections).toBe(2);
    expect(upstream.closedByClient).toBe(0);
    expect(pool.stats().errors).toBe(0);
  });
});

describe('HttpPoolService stale pooled socket', () => {
  let upstream: TestUpstream;
  let pool: HttpPoolService;

  beforeEach(async () => {
    // Kills the first request that arrives on a reused connection, as a server closing an idle
    // keep-alive socket at the moment our request lands on it would.
    let killed = false;
    const served = new WeakSet<object>();
    upstream = await TestUpstream.start((req, res) => {
      if (served.has(req.socket) && !killed) {
        killed = true;
        return void req.socket.destroy();
      }
      served.add(req.socket);
      reply(res, 200);
    });
    pool = createHttpPool({ HTTP_BREAKER_THRESHOLD: '1' }).pool;
    await pool.init();
    await pool.request({ method: 'GET', url: upstream.url }); // leaves one pooled socket
  });

  afterEach(async () => {
    await pool.shutdown();
    await upstream.close();
  });

  it('retries an idempotent request on a fresh socket, even with retries: 0', async () => {
    const response = await pool.request({ method: 'GET', url: upstream.url, retries: 0 });
    expect(response.status).toBe(200);
    expect(upstream.connections).toBe(2);
    expect(pool.stats()).toMatchObject({ retries: 1, errors: 0 });
  });

  it('does not count the reset against the host: the circuit stays closed', async () => {
    await pool.request({ method: 'GET', url: upstream.url, retries: 0 });
    expect(pool.stats().hosts[`127.0.0.1:${upstream.port}`].circuit).toBe('closed');
  });

  it('fails a non-idempotent request with a typed UpstreamError, not a raw socket error', async () => {
    const call = pool.request({ method: 'POST', url: upstream.url, data: { a: 1 } });
    await expect(call).rejects.toBeInstanceOf(UpstreamError);
    await expect(call).rejects.toThrow(/reused socket reset/);
    expect(upstream.requests).toBe(2);
  });
});

/** Waits, without a deadline of its own (Jest's test timeout bounds it), until condition holds. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
