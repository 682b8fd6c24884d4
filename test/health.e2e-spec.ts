import { freePort } from './support/processes';
import { TestApp, bootTestApp, createTestDatabase } from './support/test-app';

describe('probes while a preloaded model cannot load (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const closedPort = await freePort(); // nothing listens there: every load fails
    t = await bootTestApp({
      DATABASE_URL: db.url,
      MODEL_PRELOAD: 'caption-local,openai-compatible',
      OPENAI_BASE_URL: `http://127.0.0.1:${closedPort}/v1`,
      MODEL_LOAD_TIMEOUT_MS: '2000',
      HTTP_RETRIES: '0',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('keeps startup and readiness at 503 naming the model, liveness at 200', async () => {
    const startup = await t.request({ method: 'GET', url: '/api/v14/health/startup' });
    expect(startup.statusCode).toBe(503);
    expect(startup.json()).toMatchObject({
      status: 'starting',
      waiting_for: { models: ['model openai-compatible'] },
    });

    const ready = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error.models).toMatchObject({ status: 'down' });
    expect(ready.json().info.database).toMatchObject({ status: 'up' });
    expect((await t.request({ method: 'GET', url: '/api/v14/health/live' })).statusCode).toBe(200);
  });

  it('still writes captions with the model that did load', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v14/captions/generate',
      payload: { content_description: 'Snow on a quiet street', style: 'casual' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('falls back to caption-local when the requested remote model fails, and says so', async () => {
    const payload = {
      content_description: 'Snow on a quiet street at night',
      style: 'casual',
      model: 'openai-compatible',
    };
    const res = await t.request({ method: 'POST', url: '/api/v14/captions/generate', payload });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ model: 'caption-local', fallback: true, cached: false });
    // A fallback answer is not what was asked for, so it is not kept in the cache.
    const again = await t.request({ method: 'POST', url: '/api/v14/captions/generate', payload });
    expect(again.json()).toMatchObject({ fallback: true, cached: false });
  });
});
