import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { ResourceState } from '../registry/resource-state';
import { HttpPoolService } from './http-pool.service';
import { createHttpPool } from './testing/http-pool.fixture';
import { Gate, TestUpstream, reply } from './testing/test-upstream';

describe('HttpPoolService lifecycle', () => {
  let upstream: TestUpstream;
  let pool: HttpPoolService;
  let gate: Gate;

  beforeEach(async () => {
    gate = new Gate();
    upstream = await TestUpstream.start(async (req, res) => {
      if (req.url === '/held') await gate.wait();
      reply(res, 200, { ok: true });
    });
    pool = createHttpPool({ SHUTDOWN_GRACE_MS: '300' }).pool;
  });

  afterEach(async () => {
    gate.open();
    await pool.shutdown();
    await upstream.close();
  });

  const get = (path = '/') => pool.request({ method: 'GET', url: `${upstream.url}${path}` });

  it('registers itself as http and starts closed', () => {
    const { pool: fresh, registry } = createHttpPool();
    expect(registry.get('http')).toBe(fresh);
    expect(fresh.state).toBe(ResourceState.CLOSED);
  });

  it('refuses requests before init with the typed 503 error', async () => {
    await expect(get()).rejects.toBeInstanceOf(ResourceUnavailableError);
    expect(upstream.requests).toBe(0);
  });

  it('init makes it ready; a second init is a no-op', async () => {
    await pool.init();
    await pool.init();
    expect(pool.state).toBe(ResourceState.READY);
    expect(pool.transitionCounts()['closed->initializing']).toBe(1);
    await expect(get()).resolves.toMatchObject({ status: 200, data: { ok: true } });
  });

  it('shutdown closes it; a second shutdown is a no-op; requests then fail typed', async () => {
    await pool.init();
    await pool.shutdown();
    await pool.shutdown();
    expect(pool.state).toBe(ResourceState.CLOSED);
    expect(pool.transitionCounts()['shutting_down->closed']).toBe(1);
    await expect(get()).rejects.toBeInstanceOf(ResourceUnavailableError);
    expect(upstream.requests).toBe(0);
  });

  it('works again after shutdown and a new init, with fresh sockets', async () => {
    await pool.init();
    await get();
    await pool.shutdown();
    expect(pool.stats().sockets).toEqual({ active: 0, free: 0, pending: 0 });
    await pool.init();
    await expect(get()).resolves.toMatchObject({ status: 200 });
    expect(upstream.connections).toBe(2);
  });

  it('shutdown lets an in-flight request finish first', async () => {
    await pool.init();
    const inFlight = get('/held');
    await waitFor(() => upstream.requests === 1);
    const closing = pool.shutdown();
    expect(pool.state).toBe(ResourceState.SHUTTING_DOWN);
    gate.open();
    await expect(inFlight).resolves.toMatchObject({ status: 200 });
    await closing;
    expect(pool.state).toBe(ResourceState.CLOSED);
  });

  it('shutdown aborts a request still running after the bounded drain', async () => {
    await pool.init();
    const inFlight = get('/held');
    await waitFor(() => upstream.requests === 1);
    await pool.shutdown(); // SHUTDOWN_GRACE_MS=300 bounds the drain
    await expect(inFlight).rejects.toBeInstanceOf(ResourceUnavailableError);
    expect(pool.state).toBe(ResourceState.CLOSED);
  });

  it('reports health: unhealthy while closed, healthy when ready', async () => {
    await expect(pool.health()).resolves.toMatchObject({ status: 'unhealthy' });
    await pool.init();
    await expect(pool.health()).resolves.toMatchObject({ status: 'healthy' });
  });

  it('reports stats in the contract shape, per host included', async () => {
    await pool.init();
    await get();
    const stats = pool.stats();
    expect(stats).toEqual({
      name: 'http',
      type: 'http_client',
      state: 'ready',
      max_connections: 100,
      timeout_ms: 30_000,
      free_socket_timeout_ms: 4000,
      max_response_bytes: 10 * 1024 * 1024,
      usage_percent: 0,
      sockets: { active: 0, free: 1, pending: 0 },
      requests: 1,
      errors: 0,
      retries: 0,
      in_flight: 0,
      hosts: {
        [`127.0.0.1:${upstream.port}`]: {
          active: 0,
          free: 1,
          pending: 0,
          requests: 1,
          errors: 0,
          retries: 0,
          circuit: 'closed',
        },
      },
    });
  });
});

/** Polls a condition on the event loop (no timing assumptions beyond the test timeout). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
