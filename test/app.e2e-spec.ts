import { useTestApp } from './support/test-app';

describe('app (e2e, real PostgreSQL and Redis)', () => {
  const t = useTestApp();

  it('answers liveness without touching a dependency', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('is ready with the database up and reports Redis', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
    expect(res.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { health: 'healthy' } },
    });
    expect(res.statusCode).toBe(200);
  });

  it('reports startup complete', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/health/startup' });
    expect(res.statusCode).toBe(200);
    expect(res.json().resources).toMatchObject({ database: 'ready', redis: 'ready' });
  });

  it('echoes a given x-request-id and makes one up otherwise', async () => {
    const echoed = await t.request({
      method: 'GET',
      url: '/api/v14/health/live',
      headers: { 'x-request-id': 'req-42' },
    });
    expect(echoed.headers['x-request-id']).toBe('req-42');
    const fresh = await t.request({ method: 'GET', url: '/api/v14/health/live' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with the contract error body', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/v14/nope',
      headers: { 'x-request-id': 'r-404' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
      request_id: 'r-404',
    });
  });

  it('names the path of an unknown route without echoing its query string', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/v14/nope?token=s3cr3t&q=%3Cscript%3E',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('Cannot GET /api/v14/nope');
    expect(res.body).not.toMatch(/s3cr3t|script/);
  });

  it.each([
    ['invalid JSON', 'application/json', '{bad', 400],
    ['wrong content type', 'text/xml', '<a/>', 415],
    [
      'a body over the limit',
      'application/json',
      JSON.stringify({ v: 'x'.repeat(2 * 1024 * 1024) }),
      413,
    ],
  ])('answers %s with a 4xx contract body', async (_what, type, payload, status) => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v14/resources/initialize',
      headers: { 'content-type': type },
      payload,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({
      statusCode: status,
      error: expect.any(String),
      request_id: expect.any(String),
    });
  });

  it('serves Swagger UI, ReDoc and a valid OpenAPI 3 document', async () => {
    expect((await t.request({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
    const redoc = await t.request({ method: 'GET', url: '/redoc' });
    expect(redoc.statusCode).toBe(200);
    expect(redoc.body).toContain('/openapi.json');
    const doc = (await t.request({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v14/health/ready', '/api/v14/resources/pools/database/status']),
    );
  });

  it('shows the database pool with the contract fields and no password', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/resources/pools/database/status' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      name: 'database',
      type: 'database',
      state: expect.stringMatching(/ready|busy/),
    });
    expect(Object.keys(body.pool).sort()).toEqual([
      'idle',
      'in_use',
      'max',
      'max_overflow',
      'size',
      'total',
      'usage_percent',
      'waiting',
    ]);
    expect(body.pool).toMatchObject({ size: 2, max_overflow: 4, max: 6 });
    expect(body.pool.total).toBeGreaterThanOrEqual(2); // the pool size is opened at start-up
    expect(body.stats.queries).toBeGreaterThan(0);
  });

  it('shows the Redis pool with live numbers', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/resources/pools/redis/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'redis',
      state: 'ready',
      mode: 'standalone',
      pool_size: 2,
      connections: { ready: 2 },
    });
  });

  it('shows the HTTP pool with the contract fields', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/resources/pools/http/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'http',
      state: 'ready',
      max_connections: 100,
      timeout_ms: 30_000,
      sockets: {
        active: expect.any(Number),
        free: expect.any(Number),
        pending: expect.any(Number),
      },
      requests: expect.any(Number),
      errors: expect.any(Number),
      hosts: expect.any(Object),
    });
  });
});
