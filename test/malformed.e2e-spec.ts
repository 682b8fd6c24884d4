import { useTestApp } from './support/test-app';

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
