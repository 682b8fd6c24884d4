import { InvalidInputError } from '../../../common/errors/app-errors';
import { CAPTION_STYLES, CaptionRequest, CaptionResult, CaptionStyle } from '../caption.types';
import { MAX_HASHTAGS } from '../model-pool.constants';
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

interface StylePhrases {
  hooks: string[];
  ctas: string[];
  emojis: string[];
  fillers: string[];
  /** A topic-free stand-in when the description has no usable noun. */
  fallbackTopic: string;
}

/**
 * Phrase banks per style. `{topic}` is the main topic, `{the topic}` the same with an article
 * when it is a common noun, capitalised variants `{Topic}` / `{The topic}`, and `{e}` an emoji
 * of the style (dropped when the tone asks for none).
 */
const STYLES: Record<CaptionStyle, StylePhrases> = {
  casual: {
    hooks: [
      '{Topic} kind of day {e}',
      'Just me and {topic} {e}',
      "Can't get enough of {topic} {e}",
      'Current mood: {topic} {e}',
      'Nothing beats {topic} {e}',
    ],
    ctas: [
      'What would you add? 👇',
      'Tag someone who needs to see this!',
      'Who else loves {topic}?',
      'Drop a {e} if you agree!',
    ],
    emojis: ['😊', '✌️', '🙌', '😎'],
    fillers: [
      'goodvibes',
      'weekendvibes',
      'dailylife',
      'chill',
      'instamood',
      'justbecause',
      'relax',
      'mood',
      'vibes',
      'everyday',
      'casual',
      'funtimes',
      'hangout',
      'simplethings',
      'lifeisgood',
    ],
    fallbackTopic: 'this moment',
  },
  professional: {
    hooks: [
      'Spotlight on {the topic}.',
      'Introducing {the topic}.',
      'A closer look at {the topic}.',
      'Here is what {the topic} looks like in practice.',
    ],
    ctas: [
      'Learn more through the link in our bio.',
      'We would love to hear your perspective in the comments.',
      'Follow us for more updates.',
    ],
    emojis: ['📈', '💼', '✅'],
    fillers: [
      'business',
      'professional',
      'leadership',
      'growth',
      'strategy',
      'innovation',
      'success',
      'teamwork',
      'industry',
      'expertise',
      'quality',
      'networking',
      'career',
      'management',
      'excellence',
    ],
    fallbackTopic: 'our latest work',
  },
  funny: {
    hooks: [
      'Plot twist: {topic} {e}',
      "Me: I'll be productive today. Also me: {topic} {e}",
      '{Topic}? Say less {e}',
      'Warning: may cause uncontrollable {topic} cravings {e}',
      'My therapist: {topic} is not a personality. Me: {e}',
    ],
    ctas: [
      'Tag the friend who would do this {e}',
      'If you laughed, you have to share it.',
      'Rate this 1–10 👇',
    ],
    emojis: ['😂', '🤣', '🙃', '😅'],
    fillers: [
      'funny',
      'lol',
      'humor',
      'memes',
      'relatable',
      'jokes',
      'laugh',
      'comedy',
      'haha',
      'funnymemes',
      'lmao',
      'sillyseason',
      'smilemore',
      'goodtimes',
      'justforfun',
    ],
    fallbackTopic: 'this situation',
  },
  inspirational: {
    hooks: [
      'Every great story starts with {the topic} {e}',
      'Find the beauty in {the topic} {e}',
      'Let {the topic} remind you how far you have come {e}',
      'Small moments, big meaning: {topic} {e}',
    ],
    ctas: [
      'Keep going. Your moment is coming.',
      'Believe in the journey.',
      'Share this with someone who needs it today.',
    ],
    emojis: ['✨', '🌟', '💫', '🌅'],
    fillers: [
      'inspiration',
      'motivation',
      'believe',
      'dreambig',
      'positivity',
      'mindset',
      'keepgoing',
      'selfgrowth',
      'hope',
      'gratitude',
      'inspire',
      'nevergiveup',
      'purpose',
      'journey',
      'shine',
    ],
    fallbackTopic: 'this moment',
  },
  educational: {
    hooks: [
      'Did you know? {The topic} has more to it than meets the eye {e}',
      'Quick lesson: {topic} {e}',
      "Let's talk about {the topic} {e}",
      '{Topic} 101 {e}',
    ],
    ctas: [
      'Save this post for later {e}',
      'Which part surprised you most? Tell us below.',
      'Follow for more bite-sized lessons.',
    ],
    emojis: ['📚', '💡', '🧠', '📌'],
    fillers: [
      'education',
      'learning',
      'didyouknow',
      'knowledge',
      'facts',
      'learnsomethingnew',
      'tips',
      'howto',
      'study',
      'explained',
      'science',
      'lesson',
      'curious',
      'todayilearned',
      'edutainment',
    ],
    fallbackTopic: 'this topic',
  },
  promotional: {
    hooks: [
      "Don't miss out on {the topic}! {e}",
      'Now available: {the topic} {e}',
      'Your new favourite: {the topic} {e}',
      'Ready to upgrade? Meet {the topic} {e}',
    ],
    ctas: [
      'Shop now, link in bio! {e}',
      'Limited time only, so grab yours today.',
      'Tap the link in our bio to get started.',
    ],
    emojis: ['🔥', '🛍️', '🎉', '⚡'],
    fillers: [
      'sale',
      'shopnow',
      'newarrivals',
      'limitededition',
      'deals',
      'musthave',
      'shopping',
      'discount',
      'exclusive',
      'offer',
      'newin',
      'bestseller',
      'giveaway',
      'smallbusiness',
      'shopsmall',
    ],
    fallbackTopic: 'something new',
  },
};

/** Tags any style can fall back on; with a style's own there are always more than 30. */
const GENERIC_FILLERS = [
  'instagood',
  'photooftheday',
  'instadaily',
  'picoftheday',
  'love',
  'beautiful',
  'happy',
  'instagram',
  'photography',
  'lifestyle',
  'style',
  'nature',
  'art',
  'travel',
  'life',
  'fun',
  'smile',
  'friends',
  'inspo',
  'goals',
  'explore',
  'explorepage',
  'trending',
  'daily',
  'moments',
  'memories',
  'weekend',
  'today',
  'share',
  'community',
  'creative',
  'igdaily',
];

/** Sentiment lines: positive (> 0.25), negative (< -0.25). Neutral gets none. */
const MOOD_LINES = {
  positive: ['Pure joy.', 'Good vibes only.', 'Loving every second of it.', 'This made our day.'],
  negative: [
    "Not every day is perfect, and that's okay.",
    'Real moments, honest feelings.',
    'Tough days make the good ones brighter.',
  ],
};

interface ToneProfile {
  /** false: no emoji from the composer (the description's own stay). */
  emoji?: boolean;
  /** true: hooks end with "!", false: every "!" of the composer becomes ".". */
  exclaim?: boolean;
  lines: string[];
}

const TONES: Record<string, ToneProfile> = {
  playful: { lines: ['Let the fun begin!', 'Stay playful.'] },
  witty: { lines: ['Clever is the new cool.', 'Read that twice.'] },
  friendly: { lines: ['Hope this makes you smile.', 'Sending good vibes your way.'] },
  warm: { lines: ['Sending you warm wishes.', 'Made with care.'] },
  formal: { emoji: false, exclaim: false, lines: [] },
  serious: { emoji: false, exclaim: false, lines: ['This matters.'] },
  excited: { exclaim: true, lines: ['We are so excited about this!', 'This is a big one!'] },
  enthusiastic: { exclaim: true, lines: ['Could not be happier about this!'] },
  energetic: { exclaim: true, lines: ['Full energy, all day!'] },
  calm: { exclaim: false, lines: ['Take a deep breath and enjoy.', 'Slow down.'] },
  relaxed: { exclaim: false, lines: ['No rush, just good moments.'] },
  romantic: { lines: ['Made with love.', 'Love is in the details.'] },
  nostalgic: { lines: ['Those were the days.', 'Some memories never fade.'] },
  bold: { exclaim: true, lines: ['No half measures.'] },
  confident: { lines: ['We know what we are doing.'] },
  urgent: { exclaim: true, lines: ['Act fast!', 'Time is running out!'] },
  sarcastic: { lines: ['Because obviously.', 'Totally normal behaviour.'] },
  empathetic: { exclaim: false, lines: ['We hear you.', 'You are not alone in this.'] },
};

/** Filler hashtags for a style: its own, then generic ones (more than MAX_HASHTAGS in all). */
export function styleFillerTags(style: CaptionStyle): string[] {
  return [...STYLES[style].fillers, ...GENERIC_FILLERS];
}

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

function customToneLine(tone: string | undefined): string[] {
  // An unknown tone is the caller's own word: echo it only when it is a short plain phrase.
  if (!tone || !/^[\p{L} '-]{2,24}$/u.test(tone)) return [];
  return [`Feeling ${tone.toLowerCase()}.`];
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
