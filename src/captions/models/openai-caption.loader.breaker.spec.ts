import type { ServerResponse } from 'node:http';
import { CircuitOpenError } from '../../common/errors/app-errors';
import { UpstreamBadAnswerError } from '../../resources/http-pool/http-pool.errors';
import { HttpPoolService } from '../../resources/http-pool/http-pool.service';
import { createHttpPool } from '../../resources/http-pool/testing/http-pool.fixture';
import { CaptionModel, CaptionRequest } from './caption-model.types';
import { captionModelSpecs } from './caption-models.registrar';
import { FakeOpenAiServer, RecordedRequest, json } from './testing/fake-openai-server';
import { OpenAiCaptionLoader, assertChatCompletion } from './openai-caption.loader';

const THRESHOLD = 3;
const REQUEST: CaptionRequest = {
  content_description: 'My dog at the beach',
  style: 'casual',
  hashtag_count: 2,
  language: 'en',
  max_length: 2200,
};

/** Bad chat-completions answers, each with status 200. */
const BAD_ANSWERS: Record<string, (req: RecordedRequest, res: ServerResponse) => void> = {
  'broken JSON': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"choices": [ garbage');
  },
  'JSON of another shape': (_req, res) => json(res, 200, { object: 'list', data: [] }),
  'a completion without choices': (_req, res) => json(res, 200, { choices: [] }),
  'a body over HTTP_MAX_RESPONSE_BYTES': (_req, res) =>
    json(res, 200, { choices: [{ message: { content: 'x'.repeat(4096) } }] }),
};

describe('openai-compatible model through the real HTTP pool: bad answers open the circuit', () => {
  let server: FakeOpenAiServer;
  let pool: HttpPoolService;
  let model: CaptionModel;

  const chats = () => server.requests.filter((r) => r.path === '/v1/chat/completions').length;
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => new Error('expected a failure'),
      (e: Error) => e,
    );

  beforeEach(async () => {
    server = new FakeOpenAiServer();
    const baseUrl = await server.start();
    pool = createHttpPool({
      HTTP_BREAKER_THRESHOLD: String(THRESHOLD),
      HTTP_BREAKER_HALF_OPEN_MS: '60000',
      HTTP_MAX_RESPONSE_BYTES: '2048',
      HTTP_RETRIES: '2',
    }).pool;
    await pool.init();
    const loader = new OpenAiCaptionLoader({ baseUrl, model: 'tiny-model', requester: pool });
    model = await loader.load(captionModelSpecs()[1], new AbortController().signal);
  });

  afterEach(async () => {
    await pool.shutdown();
    await server.stop();
  });

  it.each(Object.keys(BAD_ANSWERS))(
    '%s: each fails once without retry; after the threshold the endpoint is not called',
    async (kind) => {
      server.onChat = BAD_ANSWERS[kind];
      for (let i = 0; i < THRESHOLD; i++) {
        expect(await failureOf(model.generate(REQUEST))).toBeInstanceOf(UpstreamBadAnswerError);
      }
      expect(chats()).toBe(THRESHOLD); // idempotent with HTTP_RETRIES=2, yet sent once each
      const host = Object.values(pool.stats().hosts)[0];
      expect(host.circuit).toBe('open');

      expect(await failureOf(model.generate(REQUEST))).toBeInstanceOf(CircuitOpenError);
      expect(chats()).toBe(THRESHOLD);
    },
  );

  it('a good completion between bad ones keeps the circuit closed', async () => {
    for (const bad of [true, true, false, true, true]) {
      server.onChat = bad ? BAD_ANSWERS['broken JSON'] : undefined;
      await model.generate(REQUEST).catch(() => undefined);
    }
    expect(Object.values(pool.stats().hosts)[0].circuit).toBe('closed');
  });
});

describe('assertChatCompletion', () => {
  it('accepts message content and the legacy text field', () => {
    expect(() =>
      assertChatCompletion({ choices: [{ message: { role: 'assistant', content: '' } }] }),
    ).not.toThrow();
    expect(() => assertChatCompletion({ choices: [{ text: 'hi' }] })).not.toThrow();
  });

  it.each([undefined, null, 'text', [], {}, { choices: [] }, { choices: [{ message: {} }] }])(
    'refuses %p without quoting it',
    (data) => {
      expect(() => assertChatCompletion(data)).toThrow(
        'not a chat completion: no choices[0].message.content',
      );
    },
  );
});
