import type { ItemEntity, ItemSentence, ItemToken, ItsFunction, WinkMethods } from 'wink-nlp';
import { InvalidInputError, ResourceUnavailableError } from '../../common/errors/app-errors';
import { CaptionModel, CaptionRequest, CaptionResult } from './caption-model.types';
import { ModelLoader, ModelSpec } from '../../resources/model-pool/model-pool.types';
import { TextAnalysis, composeCaption, normalizeCaptionRequest } from './caption-composer';
import { cleanText, emojiSequences, toHashtagBody } from './caption-text';

const NOUNS = new Set(['NOUN', 'PROPN']);
/** Longest topic phrase, words. */
const MAX_TOPIC_WORDS = 4;
/** A compound hashtag ("coffeeshop") is kept only up to this many characters. */
const MAX_COMPOUND_TAG = 24;
/** Language tags caption-local writes: en, en-GB, en-US, ... */
const ENGLISH = /^en(-[A-Za-z0-9]{1,8})*$/i;
/** Entities whose words are not topics. */
const QUANTITY_ENTITIES = new Set([
  'DATE',
  'TIME',
  'DURATION',
  'CARDINAL',
  'ORDINAL',
  'MONEY',
  'PERCENT',
]);

/**
 * Loader type `wink`: the wink-nlp English "lite web" model (POS tags, entities, sentiment),
 * loaded from npm at load time, plus the caption composer. Works offline. No options.
 */
export class WinkCaptionLoader implements ModelLoader<CaptionModel> {
  async load(_spec: ModelSpec, signal: AbortSignal): Promise<CaptionModel> {
    signal.throwIfAborted();
    // Imported on load, not at start-up, so an unused model costs nothing. Node keeps the
    // module's data (~6 MB) in its require cache after unload; the NLP instance (~10 MB plus
    // garbage made while building it) is what unload frees.
    const [{ default: winkNLP }, { default: model }] = await Promise.all([
      import('wink-nlp'),
      import('wink-eng-lite-web-model'),
    ]);
    signal.throwIfAborted();
    const nlp = winkNLP(model);
    nlp.readDoc('Warm up the tagger once, so its lazy tables count in the footprint.');
    return new WinkCaptionModel(nlp);
  }
}

/** A loaded caption-local model. */
export class WinkCaptionModel implements CaptionModel {
  private nlp?: WinkMethods;

  constructor(nlp: WinkMethods) {
    this.nlp = nlp;
  }

  async generate(input: CaptionRequest): Promise<CaptionResult> {
    const nlp = this.nlp;
    if (!nlp) throw new ResourceUnavailableError('caption-local', 'is unloaded');
    const request = normalizeCaptionRequest(input);
    if (!ENGLISH.test(request.language)) {
      throw new InvalidInputError(
        'caption-local writes English only: use language "en" or another model',
      );
    }
    return composeCaption(request, analyzeDescription(nlp, request.content_description));
  }

  unload(): void {
    this.nlp = undefined;
  }
}

interface Token {
  value: string;
  lower: string;
  lemma: string;
  pos: string;
  type: string;
  stop: boolean;
  sentenceStart: boolean;
}

/** Keywords, topics, entities, sentiment, emoji and a summary of one description. */
export function analyzeDescription(nlp: WinkMethods, text: string): TextAnalysis {
  const { its } = nlp;
  const doc = nlp.readDoc(text);
  const tokens = doc.tokens();
  const values = tokens.out(its.value) as string[];
  const pos = tokens.out(its.pos) as string[];
  const types = tokens.out(its.type) as string[];
  // The typings give its.lemma an extra parameter that out() does not declare; it works as any its.
  const lemmas = tokens.out(its.lemma as unknown as ItsFunction<string>) as string[];
  const stops = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const sentenceStarts = new Set<number>();
  doc.sentences().each((sentence: ItemSentence) => {
    const first = sentence.tokens().itemAt(0);
    if (first) sentenceStarts.add(first.index());
  });
  // Tokens inside dates, times, amounts are not topics ("July" of "July 4th 2024").
  const inQuantity = new Set<number>();
  doc.entities().each((entity: ItemEntity) => {
    const detail = entity.out(its.detail) as unknown as { type?: string };
    if (QUANTITY_ENTITIES.has(String(detail.type))) {
      entity.tokens().each((t: ItemToken) => inQuantity.add(t.index()));
    }
  });
  const list: Token[] = values.map((value, i) => ({
    value,
    lower: value.toLowerCase(),
    lemma: (lemmas[i] ?? value).toLowerCase(),
    pos: pos[i],
    type: inQuantity.has(i) ? 'quantity' : types[i],
    stop: Boolean(stops[i]),
    sentenceStart: sentenceStarts.has(i),
  }));
  // A capitalised word mid-sentence is a name; at a sentence start only if also seen mid-sentence.
  const namesMidSentence = new Set(
    list.filter((t) => !t.sentenceStart && /^\p{Lu}/u.test(t.value)).map((t) => t.value),
  );
  const display = (t: Token): string =>
    t.pos === 'PROPN' && (!t.sentenceStart || namesMidSentence.has(t.value)) ? t.value : t.lower;

  // Single keywords: nouns and proper nouns, scored by frequency, being a name, and position.
  const scores = new Map<string, { score: number; first: number; display: string }>();
  list.forEach((t, i) => {
    if (!isTopicWord(t) || !NOUNS.has(t.pos) || !toHashtagBody(t.lower)) return;
    if ([...t.lower].length < 3) return;
    const key = t.pos === 'NOUN' ? t.lemma : t.lower;
    const entry = scores.get(key);
    if (entry) entry.score += 1;
    else {
      const name = t.pos === 'PROPN' && display(t) !== t.lower ? 0.5 : 0;
      const early = 0.5 * (1 - i / Math.max(1, list.length));
      scores.set(key, { score: 1 + name + early, first: i, display: display(t) });
    }
  });
  const ranked = [...scores.entries()].sort(
    (a, b) => b[1].score - a[1].score || a[1].first - b[1].first,
  );
  const keywords = ranked.map(([, v]) => v.display);

  // Topic phrases: adjectives then nouns ("golden retriever puppy"), scored by their best noun.
  const keyOf = (t: Token): string => (t.pos === 'NOUN' ? t.lemma : t.lower);
  const phrases: Array<{ words: Token[]; nouns: Token[]; score: number; first: number }> = [];
  for (let i = 0; i < list.length;) {
    let j = i;
    while (j < list.length && isTopicWord(list[j]) && list[j].pos === 'ADJ') j += 1;
    const nounStart = j;
    while (j < list.length && isTopicWord(list[j]) && NOUNS.has(list[j].pos)) j += 1;
    if (j > nounStart) {
      const words = list.slice(Math.max(i, j - MAX_TOPIC_WORDS), j);
      const nouns = list.slice(nounStart, j);
      const best = Math.max(0, ...nouns.map((t) => scores.get(keyOf(t))?.score ?? 0));
      if (best > 0) {
        phrases.push({ words, nouns, score: best + 0.3 * (words.length - 1), first: i });
      }
    }
    i = j > i ? j : i + 1;
  }
  phrases.sort((a, b) => b.score - a.score || a.first - b.first);
  const topics = unique(phrases.map((p) => p.words.map(display).join(' ')));

  // Hashtag candidates: the description's own tags, then per topic the whole phrase
  // ("rainymondays"), its nouns ("coffeeshop") and its head noun ("shop"). A name of several
  // words ("Tom Cruise") stays whole: "#tom" and "#cruise" are not about the post.
  const ownTags = list.filter((t) => t.type === 'hashtag').map((t) => t.value);
  const tagCandidates: string[] = [...ownTags];
  const partsOfNames = new Set<string>();
  for (const phrase of phrases) {
    const whole = phrase.words.map((t) => t.lower).join('');
    const nouns = phrase.nouns.map((t) => t.lower).join('');
    if (phrase.words.length > 1 && whole.length <= MAX_COMPOUND_TAG) tagCandidates.push(whole);
    if (phrase.nouns.length > 1 && nouns.length <= MAX_COMPOUND_TAG) tagCandidates.push(nouns);
    const isName = phrase.nouns.length > 1 && phrase.nouns.every((t) => t.pos === 'PROPN');
    if (isName) phrase.nouns.forEach((t) => partsOfNames.add(keyOf(t)));
    else tagCandidates.push(keyOf(phrase.nouns[phrase.nouns.length - 1]));
  }
  tagCandidates.push(...ranked.map(([key]) => key).filter((key) => !partsOfNames.has(key)));

  const entities = (
    doc.entities().out(its.detail) as unknown as Array<{ value: string; type: string }>
  )
    .filter((e) => e.type !== 'EMOJI')
    .map((e) => ({ value: e.value, type: e.type }));
  const emojis = emojiSequences(text);
  const firstSentence = (doc.sentences().out() as string[])[0] ?? '';
  const stripped = cleanText(
    firstSentence.replace(/https?:\/\/\S+/gi, ' ').replace(/(^|\s)#[\p{L}\p{N}_]+/gu, ' '),
  );
  const summary = /[\p{L}\p{N}]/u.test(stripped) ? stripped : '';
  const sentiment = Number(doc.out(its.sentiment)) || 0;
  return { topics, keywords, tagCandidates, entities, sentiment, emojis, summary };
}

/** A word that can be part of a topic: a plain word, not a stop word, not in a date or amount. */
function isTopicWord(t: Token): boolean {
  return t.type === 'word' && !t.stop;
}

function unique(items: string[]): string[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = item.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
