import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AllExceptionsFilter } from '../../common/filters/all-exceptions.filter';
import { installSchemaValidation } from '../../common/validation/schema-validation';
import { cacheOptions } from '../../config/resource-options';
import { AppCacheModule } from './cache.module';
import { CacheTestDepsModule } from './testing/cache-test-module';
import { testConfig } from './testing/redis-test-support';

const ADMIN_KEY = 'test-admin-key-0123456789';
const base = '/resources/cache';

/**
 * The cache module in a Fastify app with the real one's schema validation and error filter. The
 * app's own adapter settings (e.g. the 512-character maxParamLength that lets 256-character keys
 * through) are tested on the real app in test/cache.e2e-spec.ts.
 */
async function boot(env: Record<string, string>): Promise<NestFastifyApplication> {
  const config = testConfig(env);
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: class CacheControllerTestModule {},
      imports: [CacheTestDepsModule.forRoot(config), AppCacheModule.forRoot(cacheOptions(config))],
    },
    new FastifyAdapter(),
    { logger: false },
  );
  installSchemaValidation(app.getHttpAdapter().getInstance());
  app.useGlobalFilters(new AllExceptionsFilter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('CacheController', () => {
  let app: NestFastifyApplication;
  const admin = { 'x-api-key': ADMIN_KEY };

  beforeAll(async () => {
    app = await boot({ ADMIN_API_KEY: ADMIN_KEY, CACHE_TTL: '120', CACHE_MAX_VALUE_BYTES: '1024' });
  });

  afterAll(() => app.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = admin) =>
    app.inject({ method: 'POST', url, payload: payload as object, headers });
  const get = (url: string, headers: Record<string, string> = admin) =>
    app.inject({ method: 'GET', url, headers });

  it('GET status is public and has the contract fields', async () => {
    const res = await get(`${base}/status`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      size: expect.any(Number),
      max_size: 10_000,
      usage_percent: expect.any(Number),
      hits: expect.any(Number),
      misses: expect.any(Number),
      hit_rate: expect.any(Number),
      evictions: 0,
      expired: 0,
      ttl: 120,
      coalesced: 0,
      grace_hits: 0,
      l2: { enabled: false, backend: 'none', hits: 0, misses: 0, errors: 0 },
    });
  });

  it('POST {key} writes (201 {key, ttl}) and GET {key} reads it back', async () => {
    const written = await post(`${base}/caption:1`, {
      value: { text: 'hi', tags: ['#a'] },
      ttl: 60,
    });
    expect(written.statusCode).toBe(201);
    expect(written.json()).toEqual({ key: 'caption:1', ttl: 60 });

    const read = await get(`${base}/caption:1`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({
      key: 'caption:1',
      value: { text: 'hi', tags: ['#a'] },
      ttl_remaining: 60,
    });
  });

  it('uses CACHE_TTL when no ttl is given, and keeps arrays, strings and null as sent', async () => {
    const res = await post(`${base}/list`, { value: [1, [2, { three: 3 }]] });
    expect(res.json()).toEqual({ key: 'list', ttl: 120 });
    expect((await get(`${base}/list`)).json().value).toEqual([1, [2, { three: 3 }]]);
    await post(`${base}/text`, { value: 'plain' });
    expect((await get(`${base}/text`)).json().value).toBe('plain');
    expect((await post(`${base}/nothing`, { value: null })).statusCode).toBe(201);
    expect((await get(`${base}/nothing`)).json()).toMatchObject({ value: null });
  });

  it('GET {key} answers 404 for an absent key, in the contract error body', async () => {
    const res = await get(`${base}/absent`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'E_NOT_FOUND' });
  });

  it.each([
    ['a space', 'bad%20key'],
    ['a glob', 'bad*'],
  ])('rejects a key with %s (400)', async (_what, key) => {
    expect((await get(`${base}/${key}`)).statusCode).toBe(400);
    expect((await post(`${base}/${key}`, { value: 1 })).statusCode).toBe(400);
  });

  it.each([
    ['no value', {}],
    ['an unknown field', { value: 1, extra: true }],
    ['ttl 0', { value: 1, ttl: 0 }],
    ['a fractional ttl', { value: 1, ttl: 1.5 }],
    ['a ttl that is not a number', { value: 1, ttl: 'soon' }],
  ])('rejects a body with %s (400)', async (_what, body) => {
    const res = await post(`${base}/body-check`, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('answers 400 for a value nested too deep and 413 for one too large, leaving the entry unchanged', async () => {
    await post(`${base}/guarded`, { value: 'original' });
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect((await post(`${base}/guarded`, { value: deep })).statusCode).toBe(400);
    const large = await post(`${base}/guarded`, { value: 'x'.repeat(2048) });
    expect(large.statusCode).toBe(413);
    expect(large.json()).toMatchObject({ statusCode: 413, code: 'E_PAYLOAD_TOO_LARGE' });
    expect((await get(`${base}/guarded`)).json().value).toBe('original');
  });

  it('admin routes answer 401 without the key or with a wrong one', async () => {
    expect((await get(`${base}/caption:1`, {})).statusCode).toBe(401);
    expect((await post(`${base}/k`, { value: 1 }, {})).statusCode).toBe(401);
    expect(
      (await post(`${base}/clear`, {}, { 'x-api-key': 'wrong-key-0123456789' })).statusCode,
    ).toBe(401);
    expect(
      (await post(`${base}/clear`, {}, { authorization: `Bearer ${ADMIN_KEY}` })).statusCode,
    ).toBe(200);
  });

  it('POST clear empties the cache and answers {cleared}', async () => {
    await post(`${base}/one`, { value: 1 });
    const size = (await get(`${base}/status`)).json().size as number;
    expect(size).toBeGreaterThan(0);
    const res = await post(`${base}/clear`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ cleared: size, l2_cleared: 0 });
    expect((await get(`${base}/status`)).json().size).toBe(0);
    expect((await get(`${base}/one`)).statusCode).toBe(404);
  });

  it('admin routes answer 403 when ADMIN_API_KEY is not configured', async () => {
    const closed = await boot({});
    const res = await closed.inject({ method: 'POST', url: `${base}/clear`, headers: admin });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/ADMIN_API_KEY/);
    expect((await closed.inject({ method: 'GET', url: `${base}/status` })).statusCode).toBe(200);
    await closed.close();
  });
});
