import { AddressInfo } from 'node:net';
import { RawAnswer, rawRequest } from './support/raw-http';
import { useTestApp } from './support/test-app';
import { PROTOTYPE_NAMES } from './support/prototype-names';

/** 200 malformed bodies across the write endpoints: every one gets a 4xx contract body, none a 5xx. */
function malformedBodies(): Array<{ url: string; payload: string; type?: string }> {
  const valid = { content_description: 'A cat on a windowsill', style: 'casual', hashtag_count: 3 };
  const wrongValues: unknown[] = [
    null,
    true,
    0,
    -1,
    1.5,
    31,
    2201,
    1e20,
    '',
    ' ',
    'x'.repeat(3000),
    [],
    {},
    [1, 2],
    { a: 1 },
    { $gt: '' },
    ['casual'],
    'casual',
    'CASUAL',
    '5',
    'NaN',
    '🙂',
    '../etc/passwd',
    'A B',
    'en_US!',
  ];
  const bodies: Array<{ url: string; payload: string; type?: string }> = [];
  const generate = '/api/v14/captions/generate';
  for (const field of [
    'content_description',
    'style',
    'hashtag_count',
    'tone',
    'language',
    'max_length',
    'model',
  ]) {
    for (const value of wrongValues) {
      const body = { ...valid, [field]: value };
      if (isValid(field, value)) continue;
      bodies.push({ url: generate, payload: JSON.stringify(body) });
    }
  }
  for (const field of Object.keys(valid)) {
    const body: Record<string, unknown> = { ...valid };
    delete body[field];
    if (field !== 'hashtag_count') bodies.push({ url: generate, payload: JSON.stringify(body) });
  }
  const deep = `${'{"nested":'.repeat(10_000)}{}${'}'.repeat(10_000)}`;
  const deepArray = `{"requests":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
  const raw = [
    '{',
    '{"a":',
    'null',
    '[]',
    '"text"',
    '123',
    '{"content_description": "x", "style": "casual",}',
    '\u0000',
    'true',
    '{"__proto__": {"polluted": 1}}',
  ];
  for (const url of [generate, '/api/v14/batch/generate', '/api/v14/batch/jobs']) {
    bodies.push({ url, payload: deep });
    bodies.push({ url, payload: deepArray });
    bodies.push({ url, payload: JSON.stringify({ ...valid, extra: 1 }) });
    bodies.push({ url, payload: '<xml/>', type: 'application/xml' });
    bodies.push({ url, payload: 'a=1', type: 'text/plain' });
    for (const r of raw) bodies.push({ url, payload: r });
    // Unknown fields named after Object.prototype members (written as JSON text: an object
    // literal cannot hold an own __proto__ key).
    for (const name of PROTOTYPE_NAMES)
      bodies.push({ url, payload: JSON.stringify(valid).replace(/}$/, `,"${name}":1}`) });
  }
  for (const requests of [[], 'nope', null, {}, Array.from({ length: 101 }, () => valid), 5]) {
    bodies.push({ url: '/api/v14/batch/generate', payload: JSON.stringify({ requests }) });
    if (!(Array.isArray(requests) && requests.length === 101)) {
      bodies.push({ url: '/api/v14/batch/jobs', payload: JSON.stringify({ requests }) });
    }
  }
  bodies.push({
    url: '/api/v14/batch/jobs',
    payload: JSON.stringify({ requests: Array.from({ length: 10_001 }, () => ({})) }),
  });
  return bodies;
}

/** The few (field, value) pairs of the list above that are in fact valid. */
function isValid(field: string, value: unknown): boolean {
  if (field === 'style') return value === 'casual';
  if (field === 'hashtag_count') return value === 0;
  if (field === 'max_length') return value === 31;
  const text = (min: number, max: number) =>
    typeof value === 'string' && value.trim().length >= min && value.trim().length <= max;
  if (field === 'content_description') return text(1, 2000);
  // Optional fields without a default: null means "not given".
  if (field === 'tone') return value === null || text(1, 50);
  if (field === 'model') return value === null;
  return false;
}

describe('malformed input (e2e)', () => {
  const t = useTestApp();

  it('answers every one of 200+ malformed bodies with a 4xx contract error, never a 5xx', async () => {
    const bodies = malformedBodies();
    expect(bodies.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    for (const { url, payload, type } of bodies) {
      const res = await t.request({
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': type ?? 'application/json' },
      });
      const body = res.json();
      const ok =
        res.statusCode >= 400 &&
        res.statusCode < 500 &&
        body.statusCode === res.statusCode &&
        typeof body.request_id === 'string' &&
        'message' in body;
      if (!ok)
        failures.push(
          `${url} ${payload.slice(-90)} -> ${res.statusCode} ${res.body.slice(0, 200)}`,
        );
    }
    expect(failures).toEqual([]);
    expect((await t.request({ method: 'GET', url: '/api/v14/health/live' })).statusCode).toBe(200);
  }, 120_000);
});

/**
 * Errors raised before routing, on a real socket: Fastify's router (a URL that does not decode,
 * a path parameter over the limit) and Node's HTTP parser (headers or request line too large,
 * a request that is not HTTP) answer with the contract's body and x-request-id, and say
 * Connection: close when the socket is closed after the answer.
 */
describe('errors before routing (e2e)', () => {
  const t = useTestApp();
  let port: number;

  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });

  const get = (path: string, headers = '') =>
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`;

  /** The contract's error body, its request id the same as the header's. */
  const expectContractError = (answer: RawAnswer, status: number) => {
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body);
    expect(body).toEqual({
      statusCode: status,
      error: expect.any(String),
      message: expect.anything(),
      request_id: answer.headers['x-request-id'],
      ...(body.code ? { code: body.code } : {}),
    });
    expect(answer.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    return body;
  };

  it('400 for a URL that does not decode (FST_ERR_BAD_URL), echoing the request id', async () => {
    const answer = await rawRequest(
      port,
      get('/api/v14/captions/%E0%A4%A', 'x-request-id: bad-url-1\r\n'),
    );
    expect(expectContractError(answer, 400)).toMatchObject({
      code: 'FST_ERR_BAD_URL',
      request_id: 'bad-url-1',
    });
  });

  it('414 for a path parameter over the router limit', async () => {
    const answer = await rawRequest(port, get(`/api/v14/captions/${'a'.repeat(600)}`));
    expectContractError(answer, 414);
  });

  it('414 with Connection: close for a request line over the header limit', async () => {
    const answer = await rawRequest(port, get(`/api/v14/captions/${'a'.repeat(20_000)}`));
    expectContractError(answer, 414);
    expect(answer.headers.connection).toBe('close');
    await answer.closed;
  });

  it('431 with Connection: close for a 20 KB header, echoing an id sent before it', async () => {
    const answer = await rawRequest(
      port,
      get('/api/v14/health/live', `x-request-id: big-header-1\r\nx-big: ${'a'.repeat(20_000)}\r\n`),
    );
    expect(expectContractError(answer, 431).request_id).toBe('big-header-1');
    expect(answer.headers.connection).toBe('close');
    await answer.closed;
  });

  it('400 with Connection: close for bytes that are not HTTP', async () => {
    const answer = await rawRequest(port, 'G@T / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expectContractError(answer, 400);
    expect(answer.headers.connection).toBe('close');
    await answer.closed;
  });

  it('413 for a body over the limit, and 400 for malformed JSON', async () => {
    const big = `{"content_description":"${'x'.repeat(t.config.BODY_LIMIT_BYTES)}"}`;
    const post = (body: string) =>
      `POST /api/v14/captions/generate HTTP/1.1\r\nHost: localhost\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const tooLarge = await rawRequest(port, post(big));
    expectContractError(tooLarge, 413);
    // The unread rest of the body leaves the socket unusable: Fastify closes it, and says so.
    expect(tooLarge.headers.connection).toBe('close');
    expectContractError(await rawRequest(port, post('{"content_description":')), 400);
  });

  it('keeps serving other clients after each of them', async () => {
    const answer = await rawRequest(port, get('/api/v14/health/live', 'Connection: close\r\n'));
    expect(answer.status).toBe(200);
  });
});
