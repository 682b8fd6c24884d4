/**
 * Tone and mood lines: what a `tone` word (or the description's sentiment) adds to a caption,
 * and whether it allows emoji and exclamation marks. Data plus the fallback for an unknown tone,
 * apart from the composer so tones can be added without touching the layout. Order matters:
 * lines are picked by a seeded PRNG.
 */

/** Sentiment lines: positive (> 0.25), negative (< -0.25). Neutral gets none. */
export const MOOD_LINES = {
  positive: ['Pure joy.', 'Good vibes only.', 'Loving every second of it.', 'This made our day.'],
  negative: [
    "Not every day is perfect, and that's okay.",
    'Real moments, honest feelings.',
    'Tough days make the good ones brighter.',
  ],
};

export interface ToneProfile {
  /** false: no emoji from the composer (the description's own stay). */
  emoji?: boolean;
  /** true: hooks end with "!", false: every "!" of the composer becomes ".". */
  exclaim?: boolean;
  lines: string[];
}

export const TONES: Record<string, ToneProfile> = {
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

/** Lines for a tone not in TONES. */
export function customToneLine(tone: string | undefined): string[] {
  // An unknown tone is the caller's own word: echo it only when it is a short plain phrase.
  if (!tone || !/^[\p{L} '-]{2,24}$/u.test(tone)) return [];
  return [`Feeling ${tone.toLowerCase()}.`];
}
