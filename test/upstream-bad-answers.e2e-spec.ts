import { FakeOpenAiServer } from '../src/captions/models/testing/fake-openai-server';
import { TestApp, bootTestApp, createTestDatabase } from './support/test-app';

/**
 * Issue 11, point 8: an OpenAI-compatible upstream that keeps answering 200 with broken JSON.
 * Captions must fall back (201, `fallback: true`), each bad answer must count against the
 * host's circuit, and once it opens the upstream must not be called at all until the
 * half-open trial, which closes it again when the upstream is healthy. Real app, real
 * PostgreSQL and Redis, real HTTP pool; the upstream is a loopback server.
 */
const THRESHOLD = 3;
const HALF_OPEN_MS = 60_000;
const GENERATE = '/api/v14/captions/generate';
const HTTP_STATUS = '/api/v14/resources/pools/http/status';

describe('a bad OpenAI-compatible upstream opens its circuit (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let upstream: FakeOpenAiServer;
  let hostKey: string;
  /** Makes every caption request distinct, so none is answered from the cache. */
  let sequence = 0;

  const chats = () => upstream.requests.filter((r) => r.path === '/v1/chat/completions').length;
  const generate = () =>
    t.request({
      method: 'POST',
      url: GENERATE,
      payload: {
        content_description: `Handmade ceramic mugs, batch ${++sequence}`,
        style: 'casual',
        hashtag_count: 2,
        model: 'openai-compatible',
      },
    });
  const circuit = async (): Promise<string | undefined> =>
    (await t.request({ method: 'GET', url: HTTP_STATUS })).json().hosts[hostKey]?.circuit;

  beforeAll(async () => {
    upstream = new FakeOpenAiServer();
    const baseUrl = await upstream.start();
    hostKey = new URL(baseUrl).host;
    db = await createTestDatabase();
    t = await bootTestApp({
      DATABASE_URL: db.url,
      OPENAI_BASE_URL: baseUrl,
      OPENAI_MODEL: 'tiny-model',
      HTTP_BREAKER_THRESHOLD: String(THRESHOLD),
      HTTP_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      // Retries stay on: a bad answer must still be asked for once only.
      HTTP_RETRIES: '2',
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await db?.drop();
    await upstream?.stop();
  });

  it('answers from the upstream while it is healthy', async () => {
    const res = await generate();
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ model: 'openai-compatible', fallback: false });
    expect(chats()).toBe(1);
    expect(await circuit()).toBe('closed');
  });

  it('falls back on each broken-JSON answer, asking the upstream once per caption', async () => {
    upstream.onChat = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [ {"message": ');
    };
    const before = chats();
    for (let i = 1; i <= THRESHOLD; i++) {
      const res = await generate();
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ model: 'caption-local', fallback: true });
      expect(chats()).toBe(before + i); // not retried, although the completion is idempotent
    }
    expect(await circuit()).toBe('open');
  });

  it('once the circuit is open, captions still fall back and the upstream is not called', async () => {
    const before = chats();
    for (let i = 0; i < 3; i++) {
      const res = await generate();
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ model: 'caption-local', fallback: true });
    }
    expect(chats()).toBe(before);
    const health = await t.request({ method: 'GET', url: '/api/v14/resources/monitoring/health' });
    expect(health.json().health_checks.http).toBe('degraded');
    const status = (await t.request({ method: 'GET', url: HTTP_STATUS })).json();
    expect(status.hosts[hostKey]).toMatchObject({ circuit: 'open', retries: 0 });
  });

  it('after the half-open delay, a good answer closes the circuit again', async () => {
    upstream.onChat = undefined;
    // cockatiel reads Date.now() when a call arrives; shifting it stands in for the wait.
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + HALF_OPEN_MS + 1);
    const before = chats();
    const res = await generate();
    jest.restoreAllMocks();
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ model: 'openai-compatible', fallback: false });
    expect(chats()).toBe(before + 1);
    expect(await circuit()).toBe('closed');
  });
});
