import { inspect } from 'node:util';
import {
  InvalidInputError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../../common/errors/app-errors';
import { HttpPoolService } from './http-pool.service';
import { createHttpPool } from './testing/http-pool.fixture';
import { TestUpstream, reply } from './testing/test-upstream';

describe('HttpPoolService errors and limits', () => {
  let upstream: TestUpstream;
  let pool: HttpPoolService;

  beforeEach(async () => {
    upstream = await TestUpstream.start((req, res) => {
      const path = req.url?.split('?')[0];
      if (path === '/big') return reply(res, 200, { blob: 'x'.repeat(4096) });
      if (path === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      if (path === '/moved') {
        res.writeHead(301, { location: '/' });
        return res.end();
      }
      if (path === '/down') return reply(res, 503);
      if (path === '/hang') return; // never answers; close() ends the connection
      reply(res, 200, { path });
    });
    pool = createHttpPool({ HTTP_MAX_RESPONSE_BYTES: '1024', HTTP_RETRIES: '0' }).pool;
    await pool.init();
  });

  afterEach(async () => {
    await pool.shutdown();
    await upstream.close();
  });

  it('keeps headers and query strings out of error messages and causes', async () => {
    const secret = 'sk-very-secret-key';
    const failures = await Promise.all([
      pool
        .request({
          method: 'GET',
          url: `${upstream.url}/down?api_key=${secret}`,
          headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret },
        })
        .catch((e: unknown) => e),
      pool
        .request({
          method: 'GET',
          url: `http://user:${secret}@127.0.0.1:1/?key=${secret}`,
          headers: { authorization: `Bearer ${secret}` },
        })
        .catch((e: unknown) => e),
      pool
        .request({
          method: 'GET',
          url: `${upstream.url}/hang?token=${secret}`,
          headers: { authorization: `Bearer ${secret}` },
          timeoutMs: 50,
        })
        .catch((e: unknown) => e),
    ]);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(Error);
      const error = failure as Error;
      // inspect() walks the cause chain and every own property, as a logger would.
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it('fails a response over HTTP_MAX_RESPONSE_BYTES with UpstreamError', async () => {
    const call = pool.request({ method: 'GET', url: `${upstream.url}/big` });
    await expect(call).rejects.toBeInstanceOf(UpstreamError);
    await expect(call).rejects.toThrow(/maxContentLength/);
  });

  it('follows a redirect', async () => {
    await expect(
      pool.request({ method: 'GET', url: `${upstream.url}/moved` }),
    ).resolves.toMatchObject({ status: 200, data: { path: '/' } });
  });

  it('stops after 3 redirects with UpstreamError', async () => {
    await expect(
      pool.request({ method: 'GET', url: `${upstream.url}/loop` }),
    ).rejects.toBeInstanceOf(UpstreamError);
    expect(upstream.requests).toBe(4);
  });

  it('rejects a URL that is not absolute http(s) with InvalidInputError', async () => {
    await expect(pool.request({ method: 'GET', url: '/relative' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(pool.request({ method: 'GET', url: 'file:///etc/passwd' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('maps a refused connection to UpstreamError and a deadline to UpstreamTimeoutError', async () => {
    await expect(
      pool.request({ method: 'GET', url: 'http://127.0.0.1:1/' }),
    ).rejects.toBeInstanceOf(UpstreamError);
    await expect(
      pool.request({ method: 'GET', url: `${upstream.url}/hang`, timeoutMs: 50 }),
    ).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });
});
