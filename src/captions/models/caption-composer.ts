/**
 * The caption composer: turns what the NLP step found into a caption of the requested style,
 * tone and length, plus hashtags. The phrase data lives in caption-styles, caption-tones and
 * caption-fillers; this file holds the deterministic picking and layout the cache relies on.
 */
import { InvalidInputError } from '../../common/errors/app-errors';
import { CAPTION_STYLES, CaptionRequest, CaptionResult } from './caption-model.types';
import { MAX_HASHTAGS } from './caption-models.constants';
import { styleFillerTags } from './caption-fillers';
import { STYLES } from './caption-styles';
import { MOOD_LINES, TONES, ToneProfile, customToneLine } from './caption-tones';
import {
  cleanText,
  codePointLength,
  hash32,
  pickHashtags,
  seededRandom,
  truncate,
} from './caption-text';

/** What the NLP step found in a description; the composer's only input besides the request. */
export interface TextAnalysis {
  /** Topic phrases, most relevant first, in display form ("golden retriever puppy", "Malibu"). */
  topics: string[];
  /** Single keywords, most relevant first (nouns and proper nouns). */
  keywords: string[];
  /** Hashtag candidates, most relevant first: the description's own #tags, then keywords. */
  tagCandidates: string[];
  /** Entities the model found, `{value, type}` (DATE, EMOJI, HASHTAG, ...). */
  entities: Array<{ value: string; type: string }>;
  /** -1 (negative) .. 1 (positive). */
  sentiment: number;
  /** Emoji used in the description, in order. */
  emojis: string[];
  /** The description's first sentence, cleaned (no URLs, no #tags). */
  summary: string;
}

// Re-exported so the loaders keep importing it from the composer.
export { styleFillerTags } from './caption-fillers';

/**
 * Checks a request beyond the DTO (models can be called directly) and returns it cleaned.
 * @throws InvalidInputError
 */
export function normalizeCaptionRequest(request: CaptionRequest): CaptionRequest {
  const { content_description, style, hashtag_count, tone, language, max_length } = request;
  if (typeof content_description !== 'string') {
    throw new InvalidInputError('content_description must be a string');
  }
  if (!(CAPTION_STYLES as readonly string[]).includes(style)) {
    throw new InvalidInputError(`style must be one of ${CAPTION_STYLES.join(', ')}`);
  }
  if (!Number.isInteger(hashtag_count) || hashtag_count < 0 || hashtag_count > MAX_HASHTAGS) {
    throw new InvalidInputError(`hashtag_count must be an integer from 0 to ${MAX_HASHTAGS}`);
  }
  if (!Number.isInteger(max_length) || max_length < 0) {
    throw new InvalidInputError('max_length must be a non-negative integer');
  }
  if (tone !== undefined && typeof tone !== 'string') {
    throw new InvalidInputError('tone must be a string');
  }
  return {
    content_description: cleanText(content_description),
    style,
    hashtag_count,
    ...(tone !== undefined && cleanText(tone) ? { tone: cleanText(tone).slice(0, 64) } : {}),
    language: typeof language === 'string' && language ? language : 'en',
    max_length,
  };
}

/**
 * Writes a caption in the requested style and tone from what the NLP step found. Pure and
 * deterministic: picks come from a PRNG seeded by a hash of the description, style and tone.
 * The caption is at most `max_length` code points; the hashtags are exactly `hashtag_count`.
 */
export function composeCaption(request: CaptionRequest, analysis: TextAnalysis): CaptionResult {
  const req = normalizeCaptionRequest(request);
  const phrases = STYLES[req.style];
  const toneKey = (req.tone ?? '').toLowerCase();
  const tone: ToneProfile = TONES[toneKey] ?? { lines: customToneLine(req.tone) };
  const random = seededRandom(
    hash32(`${req.style}\u0000${toneKey}\u0000${req.content_description}`),
  );
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

  const emojiOn = tone.emoji !== false;
  const emoji = emojiOn ? (analysis.emojis[0] ?? pick(phrases.emojis)) : '';
  const topic = analysis.topics[0] ?? phrases.fallbackTopic;
  // "the golden retriever" but "Malibu" and "our latest work": names and stand-ins take no article.
  const theTopic = analysis.topics[0] && !/^\p{Lu}/u.test(topic) ? `the ${topic}` : topic;
  const fill = (template: string): string => {
    let text = template
      .replaceAll('{The topic}', capitalize(theTopic))
      .replaceAll('{the topic}', theTopic)
      .replaceAll('{Topic}', capitalize(topic))
      .replaceAll('{topic}', topic)
      .replaceAll('{e}', emoji)
      .replace(/ {2,}/g, ' ')
      .trim();
    if (tone.exclaim === false) text = text.replace(/!/g, '.');
    return text;
  };

  let hook = finish(fill(pick(phrases.hooks)));
  if (tone.exclaim === true) hook = hook.replace(/\.$/, '!');
  const summary = analysis.summary ? truncate(sentence(analysis.summary), 300) : '';
  const detail =
    req.style === 'educational' && analysis.topics.length >= 2
      ? `Key ideas: ${listOf(analysis.topics.slice(0, 3))}.`
      : '';
  const moodBank =
    analysis.sentiment > 0.25
      ? MOOD_LINES.positive
      : analysis.sentiment < -0.25
        ? MOOD_LINES.negative
        : [];
  const mood = moodBank.length > 0 ? fill(pick(moodBank)) : '';
  const toneLine = tone.lines.length > 0 ? fill(pick(tone.lines)) : '';
  const cta = finish(fill(pick(phrases.ctas)));

  const caption = fitCaption({ hook, summary, detail, mood, toneLine, cta }, req.max_length);
  const hashtags = pickHashtags(
    analysis.tagCandidates,
    styleFillerTags(req.style),
    req.hashtag_count,
  );
  return { caption, hashtags };
}

interface CaptionParts {
  hook: string;
  summary: string;
  detail: string;
  mood: string;
  toneLine: string;
  cta: string;
}

/** Pieces dropped first when the caption is too long, least important first. */
const DROP_ORDER: Array<keyof CaptionParts> = ['mood', 'toneLine', 'detail', 'cta'];

/**
 * Lays the parts out as hook / body / call to action paragraphs, dropping the least important
 * parts, then shortening the summary, then the hook, until it fits `max` code points.
 */
function fitCaption(parts: CaptionParts, max: number): string {
  const current = { ...parts };
  const layout = (p: CaptionParts): string =>
    [p.hook, [p.summary, p.detail, p.mood, p.toneLine].filter(Boolean).join(' '), p.cta]
      .filter(Boolean)
      .join('\n\n');
  for (const key of DROP_ORDER) {
    if (codePointLength(layout(current)) <= max) return layout(current);
    current[key] = '';
  }
  let text = layout(current);
  if (codePointLength(text) <= max) return text;
  if (current.summary) {
    // Keep a shortened summary when a useful part of it fits after the hook.
    const room = max - codePointLength(current.hook) - 2;
    current.summary = room >= 24 ? truncate(current.summary, room) : '';
    text = layout(current);
    if (codePointLength(text) <= max) return text;
  }
  return truncate(current.hook, max);
}

/** Ends a line with punctuation unless it already ends with one or with an emoji. */
function finish(text: string): string {
  return /[.!?…]$|\p{Extended_Pictographic}\uFE0F?$/u.test(text) ? text : `${text}.`;
}

function capitalize(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) return text;
  const head = String.fromCodePoint(first);
  return head.toUpperCase() + text.slice(head.length);
}

/** Capitalised and ending in punctuation. */
function sentence(text: string): string {
  const trimmed = capitalize(text.trim());
  return /[.!?…)"'\p{Extended_Pictographic}]$/u.test(trimmed) ? trimmed : `${trimmed}.`;
}

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
