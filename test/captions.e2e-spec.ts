import { useTestApp } from './support/test-app';

const STYLES = ['casual', 'professional', 'funny', 'inspirational', 'educational', 'promotional'];

describe('captions (e2e, real PostgreSQL, Redis and caption-local)', () => {
  const t = useTestApp();

  const generate = (payload: Record<string, unknown>) =>
    t.request({ method: 'POST', url: '/api/v14/captions/generate', payload });

  it.each(STYLES)(
    'writes a %s caption with exactly the hashtags asked for, and stores it',
    async (style) => {
      const res = await generate({
        content_description: `A golden retriever surfing a wave at sunset (${style})`,
        style,
        hashtag_count: 7,
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ style, model: 'caption-local', cached: false, fallback: false });
      expect(body.hashtags).toHaveLength(7);
      for (const tag of body.hashtags) expect(tag).toMatch(/^#[A-Za-z0-9_]+$/);
      expect(new Set(body.hashtags.map((h: string) => h.toLowerCase())).size).toBe(7);
      expect(body.caption.length).toBeGreaterThan(0);
      expect(typeof body.processing_time_ms).toBe('number');
      const stored = await t.request({ method: 'GET', url: `/api/v14/captions/${body.id}` });
      expect(stored.statusCode).toBe(200);
      expect(stored.json()).toMatchObject({
        id: body.id,
        caption: body.caption,
        hashtags: body.hashtags,
      });
    },
  );

  it('answers a repeat from the cache with the same caption', async () => {
    const payload = {
      content_description: 'Fresh sourdough loaves cooling on a rack',
      style: 'casual',
      hashtag_count: 3,
    };
    const first = (await generate(payload)).json();
    const second = await generate({
      ...payload,
      content_description: '  Fresh sourdough   loaves cooling on a rack ',
    });
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ id: first.id, caption: first.caption, cached: true });
    const stats = (await t.request({ method: 'GET', url: '/api/v14/stats' })).json();
    expect(stats.cache_hits).toBeGreaterThanOrEqual(1);
    expect(stats.captions_generated).toBeGreaterThanOrEqual(1);
  });

  it('honours max_length and copes with unicode and emoji', async () => {
    const res = await generate({
      content_description: 'Café au lait ☕️ with 👩‍👩‍👧 in Zürich — déjà vu',
      style: 'funny',
      hashtag_count: 0,
      max_length: 40,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect([...body.caption].length).toBeLessThanOrEqual(40);
    expect(body.hashtags).toEqual([]);
  });

  it('lists captions newest first with a working cursor', async () => {
    // Its own three captions, written last, so it does not depend on the tests before it.
    const written: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await generate({
        content_description: `Listing probe ${n}: a red kite over a wheat field`,
        style: 'casual',
      });
      expect(res.statusCode).toBe(201);
      written.push(res.json().id as string);
    }
    const page1 = (await t.request({ method: 'GET', url: '/api/v14/captions?limit=2' })).json();
    expect(page1.items.map((c: { id: string }) => c.id)).toEqual([written[2], written[1]]);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const page2 = (
      await t.request({
        method: 'GET',
        url: `/api/v14/captions?limit=2&cursor=${page1.next_cursor}`,
      })
    ).json();
    expect(page2.items[0].id).toBe(written[0]);
    const ids = [...page1.items, ...page2.items].map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const times = [...page1.items, ...page2.items].map((c: { created_at: string }) =>
      Date.parse(c.created_at),
    );
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it.each([
    ['unknown id', '/api/v14/captions/00000000-0000-4000-8000-000000000000', 404],
    ['malformed id', '/api/v14/captions/not-a-uuid', 400],
    ['limit over 100', '/api/v14/captions?limit=101', 400],
    ['forged cursor', '/api/v14/captions?cursor=Zm9v', 400],
  ])('answers %s (%s) with %i', async (_what, url, status) => {
    const res = await t.request({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ statusCode: status, request_id: expect.any(String) });
  });

  it('rejects an unknown model name with 404 and a path-like one with 400', async () => {
    const unknown = await generate({
      content_description: 'x',
      style: 'casual',
      model: 'no-such-model',
    });
    expect(unknown.statusCode).toBe(404);
    const pathy = await generate({
      content_description: 'x',
      style: 'casual',
      model: '../etc/passwd',
    });
    expect(pathy.statusCode).toBe(400);
  });
});
