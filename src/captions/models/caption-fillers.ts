/**
 * Filler hashtags: a style's own, then generic ones, used when the description has too few
 * tags of its own. Separate from the phrase banks because only hashtag picking reads them.
 * Order matters: fillers are taken in list order.
 */
import { CaptionStyle } from './caption-model.types';
import { STYLES } from './caption-styles';

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

/** Filler hashtags for a style: its own, then generic ones (more than MAX_HASHTAGS in all). */
export function styleFillerTags(style: CaptionStyle): string[] {
  return [...STYLES[style].fillers, ...GENERIC_FILLERS];
}
