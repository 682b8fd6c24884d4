import { TestApp, bootTestApp } from './support/test-app';

describe('embedded defaults (e2e: no DATABASE_URL, no REDIS_URL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ DATABASE_URL: '', REDIS_URL: '' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('serves from the embedded PostgreSQL with a pool of one', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/resources/pools/database/status' });
    expect(res.json()).toMatchObject({
      state: 'ready',
      embedded: true,
      pool: { size: 1, max_overflow: 0, max: 1 },
    });
  });

  it('reports Redis disabled without failing readiness', async () => {
    const redis = await t.request({ method: 'GET', url: '/api/v14/resources/pools/redis/status' });
    expect(redis.json()).toMatchObject({ state: 'disabled', url: null });
    const ready = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().info.redis).toMatchObject({ health: 'disabled', status: 'up' });
  });
});
