import { adminHeaders, eventually, useTestApp } from './support/test-app';
import { PROTOTYPE_NAMES } from './support/prototype-names';

/**
 * Unknown body fields are refused whatever their name. Names that exist on Object.prototype
 * used to pass (201): class-transformer skipped them, Nest's pipe deleted `__proto__`,
 * `prototype` and `constructor`, and the whitelist looked names up in a plain object.
 */

const VALID = { content_description: 'A cat on a windowsill', style: 'casual', hashtag_count: 2 };

/** JSON text with one more field: an object literal cannot hold an own `__proto__` key. */
const withField = (object: object, name: string, value = '1') =>
  JSON.stringify(object).replace(/}$/, `,${JSON.stringify(name)}:${value}}`);

describe('unknown fields named after Object.prototype members (e2e)', () => {
  const t = useTestApp();

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    t.request({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });

  /** The contract's error body, naming the field. */
  const refused = (name: string) => ({
    statusCode: 400,
    error: 'Bad Request',
    message: expect.arrayContaining([`property ${name} should not exist`]),
    request_id: expect.any(String),
  });

  it('still accepts the valid body and refuses "foo", as the baseline', async () => {
    expect((await post('/api/v14/captions/generate', JSON.stringify(VALID))).statusCode).toBe(201);
    const res = await post('/api/v14/captions/generate', withField(VALID, 'foo'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(refused('foo'));
  });

  it.each(PROTOTYPE_NAMES)(
    'POST /captions/generate refuses "%s" with 400 naming it',
    async (name) => {
      const res = await post('/api/v14/captions/generate', withField(VALID, name));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(refused(name));
      expect(res.headers['x-request-id']).toBe(res.json().request_id);
    },
  );

  it('refuses constructor.prototype (the parser’s own check) naming the field', async () => {
    const res = await post(
      '/api/v14/captions/generate',
      withField(VALID, 'constructor', '{"prototype":{"x":1}}'),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(refused('constructor'));
  });

  it('reports an unknown field together with the other problems of the body', async () => {
    const res = await post(
      '/api/v14/captions/generate',
      withField({ ...VALID, style: 'angry' }, 'toString'),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toEqual(
      expect.arrayContaining([
        'property toString should not exist',
        expect.stringContaining('style must be one of'),
      ]),
    );
  });

  it.each(PROTOTYPE_NAMES.filter((n) => n !== '__proto__'))(
    'a batch item with "%s" fails alone, naming it',
    async (name) => {
      const payload = `{"requests":[${JSON.stringify(VALID)},${withField(VALID, name)}]}`;
      const res = await post('/api/v14/batch/generate', payload);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ succeeded: 1, failed: 1 });
      expect(res.json().results[1]).toMatchObject({
        index: 1,
        ok: false,
        error: { statusCode: 400, message: [`property ${name} should not exist`] },
      });
    },
  );

  it('a batch (or job) holding "__proto__" anywhere is refused whole, naming it', async () => {
    for (const url of ['/api/v14/batch/generate', '/api/v14/batch/jobs']) {
      const res = await post(url, `{"requests":[${withField(VALID, '__proto__', '{}')}]}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(refused('__proto__'));
    }
  });

  it('a background job records an item with "valueOf" as failed, naming it', async () => {
    const payload = `{"requests":[${JSON.stringify(VALID)},${withField(VALID, 'valueOf')}]}`;
    const created = await post('/api/v14/batch/jobs', payload);
    expect(created.statusCode).toBe(202);
    const { job_id } = created.json();
    const status = async () =>
      (await t.request({ method: 'GET', url: `/api/v14/batch/jobs/${job_id}` })).json();
    expect(await eventually(async () => (await status()).state === 'completed', 30_000)).toBe(true);
    expect(await status()).toMatchObject({ done: 1, failed: 1 });
    const results = (
      await t.request({ method: 'GET', url: `/api/v14/batch/jobs/${job_id}/results` })
    ).json();
    expect(results.items[1]).toMatchObject({
      index: 1,
      state: 'failed',
      error: 'property valueOf should not exist',
    });
  });

  it.each(PROTOTYPE_NAMES)('the admin self-test refuses "%s" with 400 naming it', async (name) => {
    const res = await post(
      '/api/v14/resources/testing/performance',
      withField({ iterations: 1 }, name),
      adminHeaders,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(refused(name));
  });

  it('refuses prototype names in a query too', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/captions?limit=5&toString=1' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(refused('toString'));
  });
});
