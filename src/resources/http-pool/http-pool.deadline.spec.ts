import { UpstreamTimeoutError } from '../../common/errors/app-errors';
import { HttpPoolService } from './http-pool.service';
import { createHttpPool } from './testing/http-pool.fixture';
import { Gate, TestUpstream, UpstreamHandler, reply } from './testing/test-upstream';

describe('HttpPoolService deadline', () => {
  let upstream: TestUpstream;
  let pool: HttpPoolService;
  /** The slow upstream answers only once the test ends. */
  let gate: Gate;
  let answered: number;

  beforeEach(() => {
    gate = new Gate();
    answered = 0;
  });

  afterEach(async () => {
    gate.open();
    await pool.shutdown();
    await upstream.close();
  });

  async function start(env: Record<string, string>, handler: UpstreamHandler) {
    upstream = await TestUpstream.start(handler);
    pool = createHttpPool(env).pool;
    await pool.init();
  }

  const hang = () => gate.wait();

  it('fails a slow upstream with UpstreamTimeoutError before it answers', async () => {
    await start({}, async (_req, res) => {
      await hang();
      answered++;
      reply(res, 200);
    });
    const call = pool.request({ method: 'GET', url: `${upstream.url}/slow`, timeoutMs: 150 });
    await expect(call).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(answered).toBe(0);
    expect(pool.stats()).toMatchObject({ requests: 1, errors: 1, in_flight: 0 });
  });

  it('uses HTTP_TIMEOUT (seconds) when the call gives no deadline', async () => {
    await start({ HTTP_TIMEOUT: '1' }, async () => hang());
    await expect(pool.request({ method: 'GET', url: upstream.url })).rejects.toBeInstanceOf(
      UpstreamTimeoutError,
    );
    expect(pool.stats().timeout_ms).toBe(1000);
  });

  it('is one deadline across retries, not one per attempt', async () => {
    // First attempt: a retryable 503. Second: hangs. A per-attempt timeout would time the
    // second attempt out and try a third; the total deadline ends the call during the second.
    await start({}, async (_req, res, n) => {
      if (n === 1) return reply(res, 503);
      await hang();
    });
    const call = pool.request({ method: 'GET', url: upstream.url, timeoutMs: 400, retries: 5 });
    await expect(call).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(upstream.requests).toBe(2);
    expect(pool.stats().retries).toBe(1);
  });

  it('does not cut an answer slower than the free-socket timeout on a reused socket', async () => {
    // The agent's `timeout` is the idle timeout of pooled sockets; it must not abort a busy one.
    await start({ HTTP_FREE_SOCKET_TIMEOUT_MS: '100' }, async (_req, res, n) => {
      if (n === 2) await new Promise((resolve) => setTimeout(resolve, 300));
      reply(res, 200, { n });
    });
    await pool.request({ method: 'GET', url: upstream.url });
    const slow = await pool.request({ method: 'GET', url: upstream.url });
    expect(slow).toMatchObject({ status: 200, data: { n: 2 } });
    expect(upstream.connections).toBe(1);
  });
});
