/**
 * Text helpers shared by the caption models: length in code points, truncation that never cuts
 * a grapheme (emoji, flags, ZWJ families, combining marks), hashtag normalisation.
 */

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** A valid hashtag: `#` and ASCII letters, digits or underscores. */
export const HASHTAG_PATTERN = /^#[A-Za-z0-9_]+$/;
/** Longest hashtag body kept, characters. */
const MAX_TAG_BODY = 40;
const ELLIPSIS = '…';
/** A grapheme that is (or holds) an emoji or a flag half. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;

/** Length in Unicode code points (what `max_length` counts). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/**
 * The emoji of `text`, each a whole grapheme (a ZWJ family, a flag, an emoji with its
 * modifiers), in order. Text without an emoji code point (most) is not segmented at all:
 * segmenting costs a few % of an uncached request's CPU, and no grapheme can hold one then.
 */
export function emojiSequences(text: string): string[] {
  if (!EMOJI.test(text)) return [];
  const found: string[] = [];
  for (const { segment } of graphemes.segment(text)) if (EMOJI.test(segment)) found.push(segment);
  return found;
}

/**
 * Cleans free text from a request or an upstream: well-formed UTF-16 (lone surrogates
 * dropped), NFC, no control characters, runs of white space collapsed to one space.
 */
export function cleanText(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Shortens `text` to at most `max` code points, cutting only between graphemes, preferably at
 * a word boundary, and ending with `…` when something was cut. Returns `text` when it fits.
 */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  if (codePointLength(text) <= max) return text;
  const budget = max - 1; // room for the ellipsis
  let kept = '';
  let used = 0;
  let lastSpaceAt = -1;
  for (const { segment } of graphemes.segment(text)) {
    const size = codePointLength(segment);
    if (used + size > budget) break;
    if (/^\s+$/.test(segment)) lastSpaceAt = kept.length;
    kept += segment;
    used += size;
  }
  // Cut at the last space when it keeps most of the text; a word cut in half reads worse.
  if (lastSpaceAt > 0 && lastSpaceAt >= kept.length * 0.6) kept = kept.slice(0, lastSpaceAt);
  kept = kept.replace(/[\s,;:.\-–—]+$/u, '');
  return kept + ELLIPSIS;
}

/**
 * Turns a keyword or a tag an upstream suggested into a hashtag body: accents folded to ASCII,
 * words joined, anything outside `[A-Za-z0-9_]` dropped, lower case. Undefined when nothing
 * usable is left (fewer than 2 characters, or no letter at all: Instagram ignores `#2024`).
 */
export function toHashtagBody(text: string): string | undefined {
  const body = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/^#+/, '')
    .replace(/[^A-Za-z0-9_]/g, '')
    .toLowerCase()
    .slice(0, MAX_TAG_BODY);
  if (body.length < 2 || !/[a-z]/.test(body)) return undefined;
  return body;
}

/**
 * Exactly `count` unique (case-insensitive) valid hashtags: the relevant candidates in order,
 * then the fillers when the candidates run out.
 */
export function pickHashtags(
  relevant: readonly string[],
  fillers: readonly string[],
  count: number,
): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const candidate of [...relevant, ...fillers]) {
    if (tags.length >= count) break;
    const body = toHashtagBody(candidate);
    if (!body || seen.has(body)) continue;
    seen.add(body);
    tags.push(`#${body}`);
  }
  // The filler lists hold more than MAX_HASHTAGS distinct tags, so this cannot run short for a
  // valid count; number them as a last resort rather than answer fewer than asked.
  for (let i = 1; tags.length < count; i += 1) {
    const body = `post${i}`;
    if (!seen.has(body)) {
      seen.add(body);
      tags.push(`#${body}`);
    }
  }
  return tags;
}

/** 32-bit FNV-1a hash of a string, for seeding. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same picks, so captions cache well. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
