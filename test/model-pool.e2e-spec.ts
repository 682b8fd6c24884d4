import { AppError } from '../src/common/errors/app-errors';
import { CaptionWriter } from '../src/captions/caption-writer';
import { CAPTION_STYLES } from '../src/captions/models/caption-model.types';
import { codePointLength } from '../src/captions/models/caption-text';
import { FakeOpenAiServer, json } from '../src/captions/models/testing/fake-openai-server';
import { TestApp, adminHeaders, bootTestApp, createTestDatabase } from './support/test-app';

/**
 * The model pool in the real app: caption-local (wink-nlp) preloaded at start-up and managed
 * through the admin endpoints, and openai-compatible against a small OpenAI-compatible server
 * on loopback, through the real HTTP pool.
 */
const API_KEY = 'sk-e2e-SECRET-key-0123456789';
const STATUS = '/api/v14/resources/models/status';
const models = (name: string) => `/api/v14/resources/models/${name}`;

describe('model pool (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let upstream: FakeOpenAiServer;
  let writer: CaptionWriter;

  const status = async () => (await t.request({ method: 'GET', url: STATUS })).json();
  const modelStatus = async (name: string) =>
    (await status()).models.find((m: { name: string }) => m.name === name);

  beforeAll(async () => {
    upstream = new FakeOpenAiServer();
    const baseUrl = await upstream.start();
    db = await createTestDatabase();
    t = await bootTestApp({
      DATABASE_URL: db.url,
      OPENAI_BASE_URL: baseUrl,
      OPENAI_API_KEY: API_KEY,
      OPENAI_MODEL: 'tiny-model',
      HTTP_RETRIES: '0',
    });
    writer = t.app.get(CaptionWriter);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await upstream?.stop();
  });

  it('preloads caption-local at start-up and shows its measured memory', async () => {
    const body = await status();
    expect(body).toMatchObject({
      available: ['caption-local', 'openai-compatible'],
      cache_size: 5,
      memory_limit_mb: 2048,
      loads: 1,
      evictions: 0,
    });
    const local = body.models.find((m: { name: string }) => m.name === 'caption-local');
    expect(local).toMatchObject({ state: 'loaded', measured: true, preload: true, in_use: false });
    expect(local.memory_mb).toBeGreaterThanOrEqual(1);
    expect(body.memory_used_mb).toBe(local.memory_mb);
    expect(new Date(local.loaded_at).toISOString()).toBe(local.loaded_at);
    const ready = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
    expect(ready.json().details.models).toMatchObject({ status: 'up', health: 'healthy' });
  });

  it('generates a caption in each style with the real model', async () => {
    for (const style of CAPTION_STYLES) {
      const result = await writer.generateCaption({
        content_description: 'Handmade ceramic mugs from our studio in Lisbon ☕',
        style,
        hashtag_count: 5,
        language: 'en',
        max_length: 120,
      });
      expect(result).toMatchObject({ model: 'caption-local', fallback: false });
      expect(codePointLength(result.caption)).toBeLessThanOrEqual(120);
      expect(result.caption.toLowerCase()).toMatch(/mug|ceramic|lisbon/);
      expect(result.hashtags).toHaveLength(5);
    }
    expect((await modelStatus('caption-local')).access_count).toBe(CAPTION_STYLES.length);
  });

  it('admin load: 200 when loaded; DELETE unloads (200) and frees its memory; load again 201', async () => {
    const again = await t.request({
      method: 'POST',
      url: models('caption-local/load'),
      headers: adminHeaders,
    });
    expect(again.statusCode).toBe(200);

    const deleted = await t.request({
      method: 'DELETE',
      url: models('caption-local'),
      headers: adminHeaders,
    });
    expect(deleted.statusCode).toBe(200);
    expect(await modelStatus('caption-local')).toMatchObject({ state: 'unloaded', memory_mb: 0 });
    expect((await status()).evictions).toBe(1);
    const gone = await t.request({
      method: 'DELETE',
      url: models('caption-local'),
      headers: adminHeaders,
    });
    expect(gone.statusCode).toBe(404);

    const loaded = await t.request({
      method: 'POST',
      url: models('caption-local/load'),
      headers: adminHeaders,
    });
    expect(loaded.statusCode).toBe(201);
    expect(loaded.json().model).toMatchObject({ state: 'loaded', measured: true });
  });

  it('admin routes refuse bad names (400), unknown ones (404), and calls without the key (401)', async () => {
    const post = (name: string, headers = adminHeaders) =>
      t.request({ method: 'POST', url: models(`${name}/load`), headers });
    expect((await post('..%2F..%2Fetc%2Fpasswd')).statusCode).toBe(400);
    expect((await post('A%20B')).statusCode).toBe(400);
    expect((await post('no-such-model')).statusCode).toBe(404);
    expect((await post('caption-local', {} as typeof adminHeaders)).statusCode).toBe(401);
  });

  it('openai-compatible: load verifies the endpoint with the key; captions come from it', async () => {
    const load = await t.request({
      method: 'POST',
      url: models('openai-compatible/load'),
      headers: adminHeaders,
    });
    expect(load.statusCode).toBe(201);
    const check = upstream.requests.find((r) => r.path === '/v1/models');
    expect(check?.headers.authorization).toBe(`Bearer ${API_KEY}`);

    const result = await writer.generateCaption(
      {
        content_description: 'My dog at the beach',
        style: 'casual',
        hashtag_count: 3,
        language: 'en',
        max_length: 2200,
      },
      { model: 'openai-compatible' },
    );
    expect(result).toEqual({
      caption: 'Sunset walks with my best friend',
      hashtags: ['#sunset', '#dog', '#goodvibes'],
      model: 'openai-compatible',
      fallback: false,
    });
  });

  it('openai-compatible failing upstream: falls back to caption-local, or 502 without fallback', async () => {
    upstream.onChat = (_req, res) => json(res, 500, { error: { message: 'overloaded' } });
    const request = {
      content_description: 'My dog at the beach',
      style: 'funny' as const,
      hashtag_count: 2,
      language: 'en',
      max_length: 200,
    };
    const fallback = await writer.generateCaption(request, { model: 'openai-compatible' });
    expect(fallback).toMatchObject({ model: 'caption-local', fallback: true });
    const error = await writer
      .generateCaption(request, { model: 'openai-compatible', fallback: false })
      .then(
        () => undefined,
        (e: AppError) => e,
      );
    // 502 from the upstream, or 503 once the HTTP pool's breaker has opened for the host.
    expect([502, 503]).toContain(error?.status);
    expect(error?.message).not.toContain(API_KEY);
    expect((await modelStatus('openai-compatible')).errors).toBeGreaterThan(0);
    upstream.onChat = undefined;
  });

  it('openai-compatible with a model id the endpoint does not list: load fails with a clear 503', async () => {
    await t.request({ method: 'DELETE', url: models('openai-compatible'), headers: adminHeaders });
    upstream.modelIds = ['something-else'];
    const res = await t.request({
      method: 'POST',
      url: models('openai-compatible/load'),
      headers: adminHeaders,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toContain('model id "tiny-model" is not served');
    expect(res.body).not.toContain(API_KEY);
    expect(await modelStatus('openai-compatible')).toMatchObject({ state: 'error', memory_mb: 0 });
    expect((await modelStatus('caption-local')).state).toBe('loaded'); // others unaffected
  });
});
