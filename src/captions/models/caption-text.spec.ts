import {
  codePointLength,
  emojiSequences,
  pickHashtags,
  toHashtagBody,
  truncate,
  cleanText,
} from './caption-text';

const graphemes = (s: string) =>
  [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('caption text helpers', () => {
  it('finds each emoji as a whole grapheme, and none in text without one', () => {
    expect(emojiSequences('a plain description, café and 42 naïve words')).toEqual([]);
    expect(emojiSequences('')).toEqual([]);
    expect(emojiSequences('hi 👋🏽 family 👨‍👩‍👧 flag 🇩🇪 ok ❤️ ©')).toEqual([
      '👋🏽',
      '👨‍👩‍👧',
      '🇩🇪',
      '❤️',
      '©',
    ]);
    // The same graphemes the segmenter gives, kept only when they hold an emoji code point.
    const text = 'sun 🌅 and é (e + U+0301) then 🐶🐶';
    expect(emojiSequences(text)).toEqual(
      graphemes(text).filter((g) => /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(g)),
    );
    expect(emojiSequences(text)).toEqual(['🌅', '🐶', '🐶']);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('🐶')).toBe(1);
    expect('🐶'.length).toBe(2);
    expect(codePointLength('👨‍👩‍👧')).toBe(5);
  });

  it('leaves text that fits alone', () => {
    expect(truncate('hello world', 11)).toBe('hello world');
  });

  it('cuts at a word boundary with an ellipsis, within the limit', () => {
    expect(truncate('hello wonderful world', 18)).toBe('hello wonderful…');
    // A boundary that would throw away most of the room is not worth it: cut the word.
    expect(truncate('hello wonderful world', 15)).toBe('hello wonderfu…');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('');
  });

  const EMOJI_TEXT = 'Dogs 🐶🐶 and family 👨‍👩‍👧 under flags 🇩🇪🇫🇷 with café and é (e + ◌́)';
  it.each(Array.from({ length: 40 }, (_, i) => i))(
    'never cuts a grapheme (emoji, ZWJ family, flag, combining mark) at max %i',
    (max) => {
      const out = truncate(EMOJI_TEXT, max);
      expect(codePointLength(out)).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(LONE_SURROGATE);
      const whole = new Set(graphemes(EMOJI_TEXT));
      for (const g of graphemes(out.replace(/…$/, ''))) expect(whole.has(g)).toBe(true);
    },
  );

  it('cleans control characters, lone surrogates and runs of white space', () => {
    expect(cleanText(' a\u0000b\n\tc  \uD83D d ')).toBe('a b c d');
  });

  it('makes hashtag bodies: ASCII only, accents folded, needs a letter', () => {
    expect(toHashtagBody('Crème Brûlée')).toBe('cremebrulee');
    expect(toHashtagBody('#TravelGram')).toBe('travelgram');
    expect(toHashtagBody('2024')).toBeUndefined();
    expect(toHashtagBody('日本語')).toBeUndefined();
    expect(toHashtagBody('a')).toBeUndefined();
    expect(toHashtagBody('New-York!')).toBe('newyork');
  });

  it('picks exactly `count` unique (case-insensitive) valid tags, relevant ones first', () => {
    const tags = pickHashtags(['Beach', 'beach', 'BEACH', 'sun set', '🐶'], ['beach', 'fun'], 3);
    expect(tags).toEqual(['#beach', '#sunset', '#fun']);
    expect(pickHashtags(['a1'], [], 0)).toEqual([]);
    const many = pickHashtags([], [], 30);
    expect(many).toHaveLength(30);
    expect(new Set(many).size).toBe(30);
  });
});
