import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { InvalidInputError, ResourceUnavailableError } from '../../common/errors/app-errors';
import { CAPTION_STYLES, CaptionModel, CaptionRequest } from './caption-model.types';
import { ModelLoaderRegistry } from '../../resources/model-pool/model-loader.registry';
import { ModelPool } from '../../resources/model-pool/model-pool';
import { ModelRegistry } from '../../resources/model-pool/model-registry';
import { captionModelSpecs } from './caption-models.registrar';
import { codePointLength } from './caption-text';
import { WinkCaptionLoader, analyzeDescription } from './wink-caption.loader';

const HASHTAG = /^#[A-Za-z0-9_]+$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const graphemes = (s: string) =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);

const DESCRIPTIONS = [
  'A golden retriever puppy playing on the beach at sunset in Malibu 🐶🌅',
  'Our new coffee shop opens in Berlin! Fresh espresso, vegan croissants and free wifi.',
  'I hate rainy Mondays. The traffic was awful and my coffee spilled.',
  'The mitochondria is the powerhouse of the cell.',
  '👨‍👩‍👧🇩🇪🐶🐶🐶 family trip ✨ café crème brûlée in Zürich #TravelGram @friend https://example.com',
  '日本語のテキスト 🍣 寿司',
  '!!!',
  'x',
];

function request(overrides: Partial<CaptionRequest> = {}): CaptionRequest {
  return {
    content_description: DESCRIPTIONS[0],
    style: 'casual',
    hashtag_count: 5,
    language: 'en',
    max_length: 2200,
    ...overrides,
  };
}

function expectValidHashtags(tags: string[], count: number): void {
  expect(tags).toHaveLength(count);
  for (const tag of tags) expect(tag).toMatch(HASHTAG);
  expect(new Set(tags.map((t) => t.toLowerCase())).size).toBe(count);
}

describe('caption-local (real wink-nlp model)', () => {
  let pool: ModelPool;
  let loaded: CaptionModel;

  beforeAll(async () => {
    // Loaded for real, through the pool, as the service does.
    pool = new ModelPool(
      new ModelRegistry(captionModelSpecs()),
      new ModelLoaderRegistry().register('wink', new WinkCaptionLoader()),
      {
        cacheSize: 2,
        memoryLimitMb: 512,
        maxConcurrentLoads: 1,
        loadTimeoutMs: 30_000,
        idleTtlMs: 60_000,
      },
    );
    await pool.load('caption-local');
    loaded = await pool.withModel('caption-local', (m: CaptionModel) => m);
  });

  afterAll(() => pool.close(1000));

  it('loads and records a measured footprint', () => {
    const status = pool.status().models.find((m) => m.name === 'caption-local');
    expect(status).toMatchObject({ state: 'loaded', measured: true });
    expect(status?.memory_mb).toBeGreaterThanOrEqual(1);
    expect(pool.memoryUsedMb()).toBe(status?.memory_mb);
  });

  it.each(CAPTION_STYLES)('writes a %s caption about the description', async (style) => {
    const result = await loaded.generate(request({ style }));
    expect(result.caption.length).toBeGreaterThan(20);
    expect(result.caption.toLowerCase()).toContain('golden retriever puppy');
    expectValidHashtags(result.hashtags, 5);
    expect(result.hashtags.slice(0, 5)).toEqual(
      expect.arrayContaining(['#goldenretrieverpuppy', '#puppy', '#malibu']),
    );
  });

  it('writes a different caption for each style', async () => {
    const captions = await Promise.all(
      CAPTION_STYLES.map((style) => loaded.generate(request({ style }))),
    );
    expect(new Set(captions.map((c) => c.caption)).size).toBe(CAPTION_STYLES.length);
    // Filler tags follow the style once relevant ones run out.
    const funny = await loaded.generate(
      request({ style: 'funny', content_description: 'x', hashtag_count: 3 }),
    );
    const pro = await loaded.generate(
      request({ style: 'professional', content_description: 'x', hashtag_count: 3 }),
    );
    expect(funny.hashtags).toEqual(['#funny', '#lol', '#humor']);
    expect(pro.hashtags).toEqual(['#business', '#professional', '#leadership']);
  });

  it.each([0, 1, 7, 30])(
    'answers exactly %i valid, unique hashtags for every input',
    async (count) => {
      for (const content_description of DESCRIPTIONS) {
        for (const style of CAPTION_STYLES) {
          const { hashtags } = await loaded.generate(
            request({ content_description, style, hashtag_count: count }),
          );
          expectValidHashtags(hashtags, count);
        }
      }
    },
  );

  it('puts the description’s own hashtags first', async () => {
    const { hashtags } = await loaded.generate(request({ content_description: DESCRIPTIONS[4] }));
    expect(hashtags[0]).toBe('#travelgram');
  });

  it.each([0, 1, 2, 3, 5, 8, 13, 21, 40, 80, 150, 280, 2200])(
    'never exceeds max_length %i code points, nor cuts an emoji',
    async (max) => {
      for (const content_description of DESCRIPTIONS) {
        for (const style of CAPTION_STYLES) {
          const full = await loaded.generate(request({ content_description, style }));
          const { caption } = await loaded.generate(
            request({ content_description, style, max_length: max }),
          );
          expect(codePointLength(caption)).toBeLessThanOrEqual(max);
          expect(caption).not.toMatch(LONE_SURROGATE);
          const known = new Set(graphemes(full.caption));
          for (const g of graphemes(caption.replace(/…$/, ''))) expect(known.has(g)).toBe(true);
          if (max >= 40) expect(caption.length).toBeGreaterThan(0);
        }
      }
    },
  );

  it('keeps the hook and drops extras first when space is short', async () => {
    const full = await loaded.generate(request());
    const short = await loaded.generate(request({ max_length: 60 }));
    const hook = full.caption.split('\n\n')[0];
    expect(codePointLength(hook)).toBeLessThanOrEqual(60);
    expect(short.caption.startsWith(hook)).toBe(true);
  });

  it('is deterministic: the same request gives the same caption, even from a fresh load', async () => {
    const req = request({ style: 'inspirational', tone: 'warm', hashtag_count: 12 });
    const first = await loaded.generate(req);
    expect(await loaded.generate(req)).toEqual(first);
    const fresh = await new WinkCaptionLoader().load(
      captionModelSpecs()[0],
      new AbortController().signal,
    );
    expect(await fresh.generate(req)).toEqual(first);
  });

  it('follows the tone: formal drops composer emoji and exclamation marks', async () => {
    for (const style of CAPTION_STYLES) {
      const content_description =
        'Our quarterly report shows strong growth in the European market.';
      const { caption } = await loaded.generate(
        request({ style, tone: 'formal', content_description }),
      );
      expect(caption).not.toMatch(/\p{Extended_Pictographic}/u);
      expect(caption).not.toContain('!');
    }
    const excited = await loaded.generate(request({ style: 'professional', tone: 'excited' }));
    expect(excited.caption.split('\n\n')[0]).toMatch(/!$/);
  });

  it('accepts any Unicode without breaking', async () => {
    const inputs = [
      'Z̷̢͎a̵̛̺l̴͔̈g̷̣̈́o̶̰͝ text with combining marks',
      'مرحبا بالعالم — Arabic, right to left',
      'lone surrogate \uD83D here and a nul \u0000 byte',
      '🐶'.repeat(1000),
      '\u202Eoverride\u202C and zero\u200Bwidth',
    ];
    for (const content_description of inputs) {
      const { caption, hashtags } = await loaded.generate(
        request({ content_description, max_length: 100, hashtag_count: 10 }),
      );
      expect(codePointLength(caption)).toBeLessThanOrEqual(100);
      expect(caption).not.toMatch(LONE_SURROGATE);
      expect(caption).not.toContain('\u0000');
      expectValidHashtags(hashtags, 10);
    }
  });

  it('writes English only, and rejects bad requests with 400', async () => {
    await expect(loaded.generate(request({ language: 'en-GB' }))).resolves.toBeDefined();
    await expect(loaded.generate(request({ language: 'es' }))).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(loaded.generate(request({ hashtag_count: 31 }))).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(loaded.generate(request({ hashtag_count: -1 }))).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(
      loaded.generate(request({ style: 'weird' as CaptionRequest['style'] })),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('refuses to generate after unload', async () => {
    const spare = await new WinkCaptionLoader().load(
      captionModelSpecs()[0],
      new AbortController().signal,
    );
    await spare.unload();
    await expect(spare.generate(request())).rejects.toBeInstanceOf(ResourceUnavailableError);
  });
});

describe('analyzeDescription', () => {
  const nlp = winkNLP(model);

  it('finds topics, keywords, entities, sentiment and emoji', () => {
    const a = analyzeDescription(
      nlp,
      'A golden retriever puppy playing on the beach at sunset in Malibu on July 4th 2024 🐶🌅',
    );
    expect(a.topics[0]).toBe('golden retriever puppy');
    expect(a.keywords).toEqual(expect.arrayContaining(['Malibu', 'beach', 'sunset']));
    expect(a.keywords).not.toContain('July'); // part of a date, not a topic
    expect(a.entities).toEqual(expect.arrayContaining([{ value: 'July 4th 2024', type: 'DATE' }]));
    expect(a.emojis).toEqual(['🐶', '🌅']);
    expect(a.sentiment).toBeGreaterThan(0);
    expect(
      analyzeDescription(nlp, 'I hate rainy Mondays. The traffic was awful.').sentiment,
    ).toBeLessThan(0);
  });

  it('keeps a multi-word name whole as a hashtag candidate', () => {
    const a = analyzeDescription(nlp, 'Dinner with Tom Cruise in Paris');
    expect(a.tagCandidates).toContain('tomcruise');
    expect(a.tagCandidates).not.toContain('tom');
  });

  it('keeps whole emoji sequences (ZWJ families, flags)', () => {
    expect(analyzeDescription(nlp, 'trip 👨‍👩‍👧 🇩🇪').emojis).toEqual(['👨‍👩‍👧', '🇩🇪']);
  });
});
