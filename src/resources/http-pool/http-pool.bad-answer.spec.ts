import { inspect } from 'node:util';
import type { ServerResponse } from 'node:http';
import { CircuitOpenError, UpstreamError } from '../../common/errors/app-errors';
import { UpstreamBadAnswerError } from './http-pool.errors';
import { HttpPoolService } from './http-pool.service';
import { HttpPoolRequest } from './http-pool.types';
import { createHttpPool } from './testing/http-pool.fixture';
import { TestUpstream, reply } from './testing/test-upstream';

const THRESHOLD = 3;
const HALF_OPEN_MS = 10_000;
const MAX_RESPONSE_BYTES = 1024;
/** Appears in every bad body: it must never reach an error message. */
const BODY_SECRET = 'body-SECRET-4711';

/** What the upstream answers with, per test. */
type Answer =
  'good' | 'too_large' | 'not_json' | 'wrong_shape' | 'html_503' | 'text_404' | 'empty_204';

const ANSWERS: Record<Answer, (res: ServerResponse) => void> = {
  good: (res) => reply(res, 200, { items: ['a'] }),
  too_large: (res) => reply(res, 200, { items: [BODY_SECRET.repeat(MAX_RESPONSE_BYTES)] }),
  not_json: (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"items": [ ${BODY_SECRET}`);
  },
  wrong_shape: (res) => reply(res, 200, { error: BODY_SECRET }),
  html_503: (res) => {
    res.writeHead(503, { 'content-type': 'text/html' });
    res.end('<html>down for maintenance</html>');
  },
  text_404: (res) => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such thing');
  },
  empty_204: (res) => {
    res.writeHead(204);
    res.end();
  },
};

/** The caller's shape check: `{items: [...]}`. Its message names the field, not the body. */
function expectItems(data: unknown): void {
  const items = (data as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new Error('no items array');
}

describe('HttpPoolService bad answers and the circuit breaker', () => {
  let upstream: TestUpstream;
  let pool: HttpPoolService;
  let answer: Answer;
  let validated: unknown[];

  beforeEach(async () => {
    answer = 'good';
    validated = [];
    upstream = await TestUpstream.start((_req, res) => ANSWERS[answer](res));
    pool = createHttpPool({
      HTTP_BREAKER_THRESHOLD: String(THRESHOLD),
      HTTP_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      HTTP_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES),
      // Retries on: a bad answer must still be sent only once.
      HTTP_RETRIES: '2',
    }).pool;
    await pool.init();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await pool.shutdown();
    await upstream.close();
  });

  /** An idempotent GET that asks for JSON of the expected shape. */
  const call = (overrides: Partial<HttpPoolRequest> = {}) =>
    pool.request({
      method: 'GET',
      url: `${upstream.url}/items`,
      responseType: 'json',
      validate: (data) => {
        validated.push(data);
        expectItems(data);
      },
      ...overrides,
    });
  const host = () => pool.stats().hosts[`127.0.0.1:${upstream.port}`];
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => new Error('expected a failure'),
      (e: Error) => e,
    );

  /** Moves Date.now past HTTP_BREAKER_HALF_OPEN_MS (cockatiel reads it when a call arrives). */
  function passHalfOpenDelay(): void {
    const later = Date.now() + HALF_OPEN_MS + 1;
    jest.spyOn(Date, 'now').mockReturnValue(later);
  }

  describe.each<[Answer, RegExp]>([
    ['too_large', /over HTTP_MAX_RESPONSE_BYTES/],
    ['not_json', /body that is not JSON/],
    ['wrong_shape', /unexpected answer \(no items array\)/],
  ])('a %s answer', (kind, message) => {
    beforeEach(() => {
      answer = kind;
    });

    it('fails with UpstreamBadAnswerError (502), sent once and never retried', async () => {
      const error = await failureOf(call());
      expect(error).toBeInstanceOf(UpstreamBadAnswerError);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).status).toBe(502);
      expect(error.message).toMatch(message);
      expect(upstream.requests).toBe(1);
      expect(host()).toMatchObject({ requests: 1, errors: 1, retries: 0 });
    });

    it(`opens the circuit after ${THRESHOLD} in a row; the next call fails fast without the upstream`, async () => {
      for (let i = 0; i < THRESHOLD; i++) {
        expect(await failureOf(call())).toBeInstanceOf(UpstreamBadAnswerError);
      }
      expect(host().circuit).toBe('open');
      expect(upstream.requests).toBe(THRESHOLD);

      expect(await failureOf(call())).toBeInstanceOf(CircuitOpenError);
      expect(await failureOf(call())).toBeInstanceOf(CircuitOpenError);
      expect(upstream.requests).toBe(THRESHOLD); // not contacted while open
      await expect(pool.health()).resolves.toMatchObject({ status: 'degraded' });
    });

    it('half-opens after the delay and closes on a good answer', async () => {
      for (let i = 0; i < THRESHOLD; i++) await failureOf(call());
      expect(host().circuit).toBe('open');
      answer = 'good';
      passHalfOpenDelay();
      await expect(call()).resolves.toMatchObject({ status: 200, data: { items: ['a'] } });
      expect(host().circuit).toBe('closed');
      expect(upstream.requests).toBe(THRESHOLD + 1);
      await expect(pool.health()).resolves.toMatchObject({ status: 'healthy' });
    });

    it('opens again when the half-open trial gets another bad answer', async () => {
      for (let i = 0; i < THRESHOLD; i++) await failureOf(call());
      passHalfOpenDelay();
      expect(await failureOf(call())).toBeInstanceOf(UpstreamBadAnswerError);
      expect(host().circuit).toBe('open');
      const seen = upstream.requests;
      expect(await failureOf(call())).toBeInstanceOf(CircuitOpenError);
      expect(upstream.requests).toBe(seen);
    });

    it('keeps the body out of the error, its causes and its message', async () => {
      const error = await failureOf(call());
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(BODY_SECRET);
      expect(JSON.stringify(error)).not.toContain(BODY_SECRET);
    });
  });

  it('counts bad answers together with 5xx: the count is of consecutive failures', async () => {
    for (const kind of ['not_json', 'html_503', 'wrong_shape'] as const) {
      answer = kind;
      await failureOf(call({ retries: 0 }));
    }
    expect(host().circuit).toBe('open');
  });

  it('resets the count on a good answer in between', async () => {
    for (const kind of ['not_json', 'not_json', 'good', 'wrong_shape', 'too_large'] as const) {
      answer = kind;
      await call().catch(() => undefined);
    }
    expect(host().circuit).toBe('closed');
  });

  it('hands the parsed JSON to validate and to the caller', async () => {
    await expect(call()).resolves.toMatchObject({ data: { items: ['a'] } });
    expect(validated).toEqual([{ items: ['a'] }]);
  });

  it('reports a 5xx error page as the status, retried as before, not as a bad answer', async () => {
    answer = 'html_503';
    const error = await failureOf(call());
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).not.toBeInstanceOf(UpstreamBadAnswerError);
    expect(error.message).toContain('answered 503');
    expect(upstream.requests).toBe(3); // the first attempt and HTTP_RETRIES=2
  });

  it('hands a 4xx answer on as it is, without validate, and does not count it', async () => {
    answer = 'text_404';
    for (let i = 0; i < THRESHOLD + 1; i++) {
      await expect(call()).resolves.toMatchObject({ status: 404, data: 'no such thing' });
    }
    expect(validated).toEqual([]);
    expect(host().circuit).toBe('closed');
  });

  it('accepts a 204 without a body when JSON is asked for', async () => {
    answer = 'empty_204';
    await expect(call({ validate: undefined })).resolves.toMatchObject({ status: 204 });
  });

  it('without responseType or validate, hands non-JSON on as text and counts nothing', async () => {
    answer = 'not_json';
    for (let i = 0; i < THRESHOLD + 1; i++) {
      const response = await call({ responseType: undefined, validate: undefined });
      expect(response).toMatchObject({ status: 200, data: expect.stringContaining('"items"') });
    }
    expect(host().circuit).toBe('closed');
  });
});
