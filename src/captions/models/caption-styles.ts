/**
 * The phrase banks of each caption style: hooks, calls to action, emoji, filler hashtags and
 * a stand-in topic. Data only, kept apart from the composing logic so wording can be edited
 * without reading the layout code. Order matters: picks index into these lists with a seeded
 * PRNG, so reordering or editing an entry changes the (cached) captions for the same input.
 */
import { CaptionStyle } from './caption-model.types';

export interface StylePhrases {
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
export const STYLES: Record<CaptionStyle, StylePhrases> = {
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
