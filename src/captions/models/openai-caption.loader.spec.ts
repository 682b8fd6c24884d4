import { UpstreamError, UpstreamTimeoutError } from '../../common/errors/app-errors';
import { CaptionModel, CaptionRequest } from './caption-model.types';
import { ModelLoaderRegistry } from '../../resources/model-pool/model-loader.registry';
import { ModelPool } from '../../resources/model-pool/model-pool';
import { ModelLoadError } from '../../resources/model-pool/model-pool.errors';
import { ModelSpec } from '../../resources/model-pool/model-pool.types';
import { ModelRegistry } from '../../resources/model-pool/model-registry';
import { captionModelSpecs } from './caption-models.registrar';
import { FakeOpenAiServer, json } from './testing/fake-openai-server';
import { FetchRequester } from './testing/fetch-requester';
import { codePointLength } from './caption-text';
import {
  OpenAiCaptionLoader,
  assertChatCompletion,
  parseCaptionContent,
} from './openai-caption.loader';

const API_KEY = 'sk-test-SECRET-0123456789';
const SPEC: ModelSpec = captionModelSpecs()[1];
const HASHTAG = /^#[A-Za-z0-9_]+$/;

const REQUEST: CaptionRequest = {
  content_description: 'My dog at the beach at sunset 🐶',
  style: 'casual',
  hashtag_count: 2,
  tone: 'playful',
  language: 'en',
  max_length: 2200,
};

describe('openai-compatible model against a loopback OpenAI-compatible server', () => {
  let server: FakeOpenAiServer;
  let baseUrl: string;
  let requester: FetchRequester;
  const errors: Error[] = [];

  const loader = (overrides: { model?: string; apiKey?: string } = {}) =>
    new OpenAiCaptionLoader({
      baseUrl,
      apiKey: 'apiKey' in overrides ? overrides.apiKey : API_KEY,
      model: overrides.model ?? 'tiny-model',
      requester,
    });
  const load = (spec: ModelSpec = SPEC, l = loader()) => l.load(spec, new AbortController().signal);
  const failure = async (promise: Promise<unknown>): Promise<Error> => {
    const error = await promise.then(
      () => new Error('expected a failure'),
      (e: Error) => e,
    );
    errors.push(error);
    return error;
  };

  beforeEach(async () => {
    server = new FakeOpenAiServer();
    baseUrl = await server.start();
    requester = new FetchRequester();
  });
  afterEach(() => server.stop());
  afterAll(() => {
    // Whatever failed, the key never shows in an error message.
    for (const error of errors) expect(error.message).not.toContain(API_KEY);
  });

  it('load verifies the endpoint and the model id with GET /models, sending the key', async () => {
    await load();
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('sends no Authorization header without OPENAI_API_KEY', async () => {
    await load(SPEC, loader({ apiKey: undefined }));
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it('fails the load clearly when the model id is not served', async () => {
    const error = await failure(load(SPEC, loader({ model: 'gpt-9' })));
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toContain('model id "gpt-9" is not served by');
    expect(error.message).toContain('tiny-model, other-model');
    expect(error.message).toContain('check OPENAI_MODEL');
  });

  it('fails the load with a hint when the key is refused (401)', async () => {
    server.onModels = (_req, res) =>
      json(res, 401, { error: { message: `Incorrect API key ${API_KEY}` } });
    const error = await failure(load());
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toContain('answered 401: check OPENAI_API_KEY');
  });

  it('fails the load when /models is not a model list (wrong base URL)', async () => {
    server.onModels = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    };
    const error = await failure(load());
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toContain('not an OpenAI-compatible model list');
  });

  it('fails the load with UpstreamError when nothing listens', async () => {
    await server.stop();
    const error = await failure(load());
    expect(error).toBeInstanceOf(UpstreamError);
  });

  it('generates through POST /chat/completions and returns the JSON caption', async () => {
    const model = await load();
    const result = await model.generate(REQUEST);
    expect(result).toEqual({
      caption: 'Sunset walks with my best friend',
      hashtags: ['#sunset', '#dog'],
    });

    const chat = server.requests[1];
    expect(chat).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(chat.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const body = chat.body as { model: string; messages: Array<{ role: string; content: string }> };
    expect(body.model).toBe('tiny-model');
    expect(body.messages[0].role).toBe('system');
    expect(body.messages[1].content).toContain('My dog at the beach at sunset 🐶');
    expect(body.messages[1].content).toContain('casual');
    expect(body.messages[1].content).toContain('playful');
    expect(body.messages[1].content).toContain('exactly 2 relevant hashtags');
    expect(requester.requests[1].idempotent).toBe(true);
    // The shape is checked inside the pool's attempt, so bad answers count against the host.
    expect(requester.requests[1]).toMatchObject({
      responseType: 'json',
      validate: assertChatCompletion,
    });
  });

  it('uses a model id from the registry options over OPENAI_MODEL', async () => {
    const model = await load({ ...SPEC, options: { model: 'other-model', temperature: 0.2 } });
    await model.generate(REQUEST);
    expect(server.requests[1].body).toMatchObject({ model: 'other-model', temperature: 0.2 });
  });

  it('enforces max_length, hashtag_count and valid, unique tags locally', async () => {
    server.content = JSON.stringify({
      caption: 'A '.repeat(300) + 'very long caption 🐶🐶🐶',
      hashtags: [
        '#Sunset',
        'sunset',
        'bad tag!',
        '#ünïcode',
        '###',
        '#2024',
        'dog_life',
        ...Array(40).fill('#x1'),
      ],
    });
    const model = await load();
    const result = await model.generate({ ...REQUEST, max_length: 50, hashtag_count: 4 });
    expect(codePointLength(result.caption)).toBeLessThanOrEqual(50);
    expect(result.hashtags).toEqual(['#sunset', '#badtag', '#unicode', '#dog_life']);
  });

  it('tops up missing hashtags with style tags, and answers 0 when asked for 0', async () => {
    const model = await load();
    const five = await model.generate({ ...REQUEST, style: 'funny', hashtag_count: 5 });
    expect(five.hashtags).toEqual(['#sunset', '#dog', '#funny', '#lol', '#humor']);
    for (const tag of five.hashtags) expect(tag).toMatch(HASHTAG);
    expect((await model.generate({ ...REQUEST, hashtag_count: 0 })).hashtags).toEqual([]);
  });

  it('parses JSON in code fences, and plain text with trailing hashtags', async () => {
    const model = await load();
    server.content = 'Sure! ```json\n{"caption": "Beach day", "hashtags": ["beach"]}\n```';
    expect(await model.generate({ ...REQUEST, hashtag_count: 1 })).toEqual({
      caption: 'Beach day',
      hashtags: ['#beach'],
    });
    server.content = 'Golden hour with my #dog at the beach.\n\n#sunset #GoldenHour';
    expect(await model.generate({ ...REQUEST, hashtag_count: 3 })).toEqual({
      caption: 'Golden hour with my dog at the beach.',
      hashtags: ['#dog', '#sunset', '#goldenhour'],
    });
  });

  it('salvages a caption from JSON cut short', () => {
    expect(
      parseCaptionContent('{"caption": "Beach \\"day\\" ☀️", "hashtags": ["sun", "sea"'),
    ).toEqual({
      caption: 'Beach "day" ☀️',
      hashtags: ['sun', 'sea'],
    });
  });

  it('a 500 from the endpoint surfaces as UpstreamError (502)', async () => {
    const model = await load();
    server.onChat = (_req, res) => json(res, 500, { error: { message: 'boom' } });
    const error = await failure(model.generate(REQUEST));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(502);
  });

  it('a response that is not JSON, or has no message, is UpstreamError', async () => {
    const model = await load();
    server.onChat = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [ garbage');
    };
    const garbage = await failure(model.generate(REQUEST));
    expect(garbage).toBeInstanceOf(UpstreamError);
    expect(garbage.message).toContain('no message content');

    server.onChat = (_req, res) => json(res, 200, { choices: [] });
    expect(await failure(model.generate(REQUEST))).toBeInstanceOf(UpstreamError);

    server.onChat = undefined;
    server.content = '   ';
    const empty = await failure(model.generate(REQUEST));
    expect(empty.message).toContain('empty caption');
  });

  it('401 and 429 on a completion are UpstreamErrors with a hint', async () => {
    const model = await load();
    server.onChat = (_req, res) => json(res, 401, { error: { message: `bad key ${API_KEY}` } });
    expect((await failure(model.generate(REQUEST))).message).toContain('check OPENAI_API_KEY');
    server.onChat = (_req, res) => json(res, 429, { error: { message: 'slow down' } });
    expect((await failure(model.generate(REQUEST))).message).toContain('rate limited');
  });

  it('a completion slower than its deadline is UpstreamTimeoutError (504)', async () => {
    const model = await load({ ...SPEC, options: { timeout_ms: 100 } });
    server.onChat = () => undefined; // never answers
    const error = await failure(model.generate(REQUEST));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as UpstreamTimeoutError).status).toBe(504);
  });

  it('through the pool: a bad model id marks the model error, a fixed endpoint loads on retry', async () => {
    const pool = new ModelPool(
      new ModelRegistry(captionModelSpecs()),
      new ModelLoaderRegistry().register('openai', loader({ model: 'late-model' })),
      {
        cacheSize: 2,
        memoryLimitMb: 100,
        maxConcurrentLoads: 1,
        loadTimeoutMs: 5000,
        idleTtlMs: 60_000,
      },
    );
    const error = await failure(
      pool.withModel('openai-compatible', (m: CaptionModel) => m.generate(REQUEST)),
    );
    expect(error).toBeInstanceOf(ModelLoadError);
    const status = pool.status().models.find((m) => m.name === 'openai-compatible');
    expect(status).toMatchObject({ state: 'error', memory_mb: 0 });
    expect(status?.last_error).toContain('"late-model" is not served');

    server.modelIds.push('late-model');
    await expect(pool.load('openai-compatible')).resolves.toBe('loaded');
    const result = await pool.withModel('openai-compatible', (m: CaptionModel) =>
      m.generate(REQUEST),
    );
    expect(result.caption).toBe('Sunset walks with my best friend');
    expect(pool.status().models.find((m) => m.name === 'openai-compatible')?.memory_mb).toBe(1);
    await pool.close(1000);
  });

  it('is unavailable without OPENAI_BASE_URL or without a requester', () => {
    expect(new OpenAiCaptionLoader({ model: 'm', requester }).unavailableReason()).toBe(
      'set OPENAI_BASE_URL to enable it',
    );
    expect(new OpenAiCaptionLoader({ model: 'm', baseUrl }).unavailableReason()).toContain(
      'no HTTP requester',
    );
    expect(loader().unavailableReason()).toBeUndefined();
  });
});
