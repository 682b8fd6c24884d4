import { UpstreamError } from '../../common/errors/app-errors';
import { UpstreamRateLimitedError } from './http-pool.errors';
import { backoffMs, retryAfterMs } from './http-pool.retry';
import { HttpPoolService } from './http-pool.service';
import { createHttpPool } from './testing/http-pool.fixture';
import { TestUpstream, UpstreamHandler, reply } from './testing/test-upstream';

describe('HttpPoolService retries', () => {
  let upstream: TestUpstream;
  let pool: HttpPoolService;
  /** When each request reached the upstream (performance.now()). */
  let arrivals: number[];

  async function start(handler: UpstreamHandler, env: Record<string, string> = {}) {
    arrivals = [];
    upstream = await TestUpstream.start((req, res, n) => {
      arrivals.push(performance.now());
      return handler(req, res, n);
    });
    pool = createHttpPool({ HTTP_RETRIES: '2', ...env }).pool;
    await pool.init();
  }

  afterEach(async () => {
    await pool.shutdown();
    await upstream.close();
  });

  /** Fails the first `failures` requests with `status`, then answers 200. */
  const failFirst =
    (failures: number, status: number, headers = {}): UpstreamHandler =>
    (_req, res, n) =>
      n <= failures ? reply(res, status, {}, headers) : reply(res, 200, { n });

  it('retries a GET on 503 until it succeeds', async () => {
    await start(failFirst(2, 503));
    const response = await pool.request({ method: 'GET', url: upstream.url });
    expect(response).toMatchObject({ status: 200, data: { n: 3 } });
    expect(upstream.requests).toBe(3);
    expect(pool.stats()).toMatchObject({ retries: 2, errors: 0, requests: 1 });
  });

  it.each([502, 504])('retries a GET on %i', async (status) => {
    await start(failFirst(1, status));
    await expect(pool.request({ method: 'GET', url: upstream.url })).resolves.toMatchObject({
      status: 200,
    });
    expect(upstream.requests).toBe(2);
  });

  it('gives up after HTTP_RETRIES with UpstreamError', async () => {
    await start(failFirst(99, 503));
    await expect(pool.request({ method: 'GET', url: upstream.url })).rejects.toBeInstanceOf(
      UpstreamError,
    );
    expect(upstream.requests).toBe(3);
    expect(pool.stats()).toMatchObject({ retries: 2, errors: 1 });
  });

  it('does not retry a 500 (not a transient status) nor resolve it', async () => {
    await start(failFirst(99, 500));
    await expect(pool.request({ method: 'GET', url: upstream.url })).rejects.toBeInstanceOf(
      UpstreamError,
    );
    expect(upstream.requests).toBe(1);
  });

  it('resolves 4xx answers without retrying them', async () => {
    await start(failFirst(99, 404));
    await expect(pool.request({ method: 'GET', url: upstream.url })).resolves.toMatchObject({
      status: 404,
    });
    expect(upstream.requests).toBe(1);
  });

  it('retries a GET on 429 after waiting the Retry-After it was given', async () => {
    await start(failFirst(1, 429, { 'retry-after': '1' }));
    await expect(pool.request({ method: 'GET', url: upstream.url })).resolves.toMatchObject({
      status: 200,
    });
    expect(upstream.requests).toBe(2);
    // A lower bound only: a slow machine can make the gap longer, never shorter.
    expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(990);
  });

  it('gives up at once on a 429 whose Retry-After the deadline cannot cover', async () => {
    await start(failFirst(99, 429, { 'retry-after': '30' }));
    const call = pool.request({ method: 'GET', url: upstream.url, timeoutMs: 1000 });
    await expect(call).rejects.toBeInstanceOf(UpstreamRateLimitedError);
    await expect(call).rejects.toMatchObject({ retryAfterS: 30 });
    expect(upstream.requests).toBe(1);
  });

  it('does not retry a POST on 503', async () => {
    await start(failFirst(1, 503));
    await expect(
      pool.request({ method: 'POST', url: upstream.url, data: { a: 1 } }),
    ).rejects.toBeInstanceOf(UpstreamError);
    expect(upstream.requests).toBe(1);
  });

  it('does not retry a POST on a 429 either', async () => {
    await start(failFirst(1, 429, { 'retry-after': '0' }));
    await expect(pool.request({ method: 'POST', url: upstream.url })).rejects.toBeInstanceOf(
      UpstreamRateLimitedError,
    );
    expect(upstream.requests).toBe(1);
  });

  it('retries a POST the caller marks idempotent', async () => {
    await start(failFirst(1, 503));
    const response = await pool.request({
      method: 'POST',
      url: upstream.url,
      data: { a: 1 },
      idempotent: true,
    });
    expect(response.status).toBe(200);
    expect(upstream.requests).toBe(2);
  });

  /** Drops the connection of the first request it sees, without answering. */
  const dropFirst: UpstreamHandler = (req, res, n) =>
    n === 1 ? req.socket.destroy() : reply(res, 200);

  it('retries a GET on a network error', async () => {
    await start(dropFirst);
    await expect(pool.request({ method: 'GET', url: upstream.url })).resolves.toMatchObject({
      status: 200,
    });
    expect(upstream.requests).toBe(2);
  });

  it('does not retry a POST on a network error', async () => {
    await start(dropFirst);
    await expect(pool.request({ method: 'POST', url: upstream.url })).rejects.toBeInstanceOf(
      UpstreamError,
    );
    expect(upstream.requests).toBe(1);
  });

  it('honours a per-call retries override', async () => {
    await start(failFirst(99, 503));
    await expect(
      pool.request({ method: 'GET', url: upstream.url, retries: 0 }),
    ).rejects.toBeInstanceOf(UpstreamError);
    expect(upstream.requests).toBe(1);
  });
});

describe('retry timing helpers', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, () => 0)).toBe(50);
    expect(backoffMs(0, () => 1)).toBe(100);
    expect(backoffMs(3, () => 0)).toBe(400);
    expect(backoffMs(20, () => 1)).toBe(2000);
  });

  it('reads Retry-After as seconds or as an HTTP-date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
