import { DatabaseService } from '../src/resources/database/database.service';
import { ResourceUnavailableError } from '../src/common/errors/app-errors';
import { ADMIN_KEY, adminHeaders, useTestApp } from './support/test-app';

describe('admin surface and resource lifecycle (e2e)', () => {
  const t = useTestApp();

  it('refuses admin calls without a key (401) or with a wrong one', async () => {
    const none = await t.request({ method: 'POST', url: '/api/v14/resources/initialize' });
    expect(none.statusCode).toBe(401);
    const wrong = await t.request({
      method: 'POST',
      url: '/api/v14/resources/initialize',
      headers: { 'x-api-key': 'wrong-key-0123456789' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain(ADMIN_KEY);
  });

  it('accepts the key as x-api-key or as a Bearer token', async () => {
    const viaHeader = await t.request({
      method: 'POST',
      url: '/api/v14/resources/initialize',
      headers: { 'x-api-key': ADMIN_KEY },
    });
    expect(viaHeader.statusCode).toBe(200);
    const viaBearer = await t.request({
      method: 'POST',
      url: '/api/v14/resources/initialize',
      headers: adminHeaders,
    });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json()).toMatchObject({
      status: 'initialized',
      resources: { database: 'ready' },
    });
  });

  it('shutdown closes every resource, readiness turns 503, initialize brings it back', async () => {
    const down = await t.request({
      method: 'POST',
      url: '/api/v14/resources/shutdown',
      headers: adminHeaders,
    });
    expect(down.statusCode).toBe(200);
    expect(down.json()).toMatchObject({
      status: 'shutdown',
      resources: { database: 'closed', redis: 'closed' },
    });
    const again = await t.request({
      method: 'POST',
      url: '/api/v14/resources/shutdown',
      headers: adminHeaders,
    });
    expect(again.statusCode).toBe(200);

    const ready = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect((await t.request({ method: 'GET', url: '/api/v14/health/live' })).statusCode).toBe(200);
    await expect(t.app.get(DatabaseService).query('SELECT 1')).rejects.toBeInstanceOf(
      ResourceUnavailableError,
    );

    const up = await t.request({
      method: 'POST',
      url: '/api/v14/resources/initialize',
      headers: adminHeaders,
    });
    expect(up.json()).toMatchObject({
      status: 'initialized',
      resources: { database: 'ready', redis: 'ready' },
    });
    const readyAgain = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
    expect(readyAgain.statusCode).toBe(200);
    await expect(t.app.get(DatabaseService).query('SELECT 1 AS one')).resolves.toEqual([
      { one: 1 },
    ]);
  });
});

describe('admin surface without ADMIN_API_KEY (e2e)', () => {
  const t = useTestApp({ ADMIN_API_KEY: '' });

  it('answers 403 saying how to enable admin calls', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v14/resources/shutdown',
      headers: adminHeaders,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('ADMIN_API_KEY');
  });
});
