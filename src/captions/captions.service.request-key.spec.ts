import { CaptionsService, collapseWhitespace } from './captions.service';
import { CaptionWriter } from './caption-writer';
import { GenerateCaptionBody } from './schemas/generate-caption.schema';

/** requestKey reads only the writer's default model. */
function serviceWithDefaultModel(defaultModel: string): CaptionsService {
  const writer = { defaultModel } as unknown as CaptionWriter;
  return new CaptionsService(writer, never(), never(), never(), never());
}

function never<T>(): T {
  return undefined as T;
}

const body = (fields: Partial<GenerateCaptionBody>): GenerateCaptionBody => ({
  content_description: 'Sunrise over the Dolomites, with my dog',
  style: 'inspirational',
  hashtag_count: 5,
  language: 'en',
  max_length: 280,
  ...fields,
});

describe('CaptionsService.requestKey', () => {
  // Keys live in the cache (Redis, shared by every instance) and in captions.request_key: these
  // are the digests the previous implementation (createHash) gave, so no stored key changes.
  it('keeps the keys already stored', () => {
    const service = serviceWithDefaultModel('default-model');
    expect(service.requestKey(body({ tone: 'Warm', model: 'wink-local' }))).toBe(
      'js1qgmjxO2aPr8yOoRMNCdnXmjyFRKQYHuctk1OrNC8',
    );
    expect(service.requestKey(body({}))).toBe('IRxloU0fn-TbnBEaLHkxd1MyKQnqa4gm8uLFT6i4Umg');
  });

  it('gives the same key to requests that differ only in spacing and case', () => {
    const service = serviceWithDefaultModel('default-model');
    expect(
      service.requestKey(
        body({
          content_description: '  Sunrise  over the\nDolomites, with my dog ',
          language: 'EN',
        }),
      ),
    ).toBe(service.requestKey(body({})));
  });

  it('tells apart requests that differ in what is written', () => {
    const service = serviceWithDefaultModel('default-model');
    expect(service.requestKey(body({ hashtag_count: 4 }))).not.toBe(service.requestKey(body({})));
    expect(serviceWithDefaultModel('other').requestKey(body({}))).not.toBe(
      service.requestKey(body({})),
    );
  });
});

describe('collapseWhitespace', () => {
  const reference = (text: string) => text.replace(/\s+/g, ' ').trim();
  it.each([
    'one two three',
    'one  two',
    ' leading',
    'trailing ',
    'tab\there',
    'new\nline',
    'no\u00a0break space',
    '\u3000ideographic',
    '',
    ' ',
    'x',
  ])('reads %j as the full normalization does', (text) => {
    expect(collapseWhitespace(text)).toBe(reference(text));
  });
});
