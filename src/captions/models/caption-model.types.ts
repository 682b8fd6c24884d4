import { LoadedModel } from '../../resources/model-pool/model-pool.types';

/** The caption styles the API accepts (`style` of a caption request). */
export const CAPTION_STYLES = [
  'casual',
  'professional',
  'funny',
  'inspirational',
  'educational',
  'promotional',
] as const;

export type CaptionStyle = (typeof CAPTION_STYLES)[number];

/**
 * What a caption model is asked for. Field names follow the API body (snake_case) so the
 * caption service can pass its validated DTO through unchanged.
 */
export interface CaptionRequest {
  /** What the post shows, free text (the API allows 1–2000 characters). */
  content_description: string;
  style: CaptionStyle;
  /** Exactly this many hashtags come back, 0–30. */
  hashtag_count: number;
  /** Optional free-text tone ("playful", "formal", ...). */
  tone?: string;
  /** BCP 47 language tag; `caption-local` writes English only (`en`, `en-*`). */
  language: string;
  /** Longest `caption`, in Unicode code points (Instagram's limit is 2200). */
  max_length: number;
}

/** What a caption model answers. */
export interface CaptionResult {
  /**
   * The caption text without the hashtags, at most `max_length` code points, never cut inside
   * an emoji or other grapheme. Clients that post the hashtags inline append them themselves.
   */
  caption: string;
  /** Exactly `hashtag_count` tags, each `#[A-Za-z0-9_]+`, unique case-insensitively. */
  hashtags: string[];
}

/** A caption plus which model wrote it, as `CaptionWriter.generateCaption` answers. */
export interface CaptionGeneration extends CaptionResult {
  /** The model that produced this caption. */
  model: string;
  /** True when the requested model failed and MODEL_FALLBACK answered instead. */
  fallback: boolean;
}

/**
 * A caption model in the pool: what the `wink` and `openai` loaders (and any loader a MODEL_CONFIG
 * caption model names) return. Lease one with `ModelPoolService.withModel<CaptionModel>`.
 */
export interface CaptionModel extends LoadedModel {
  /**
   * Writes one caption: exactly `hashtag_count` valid hashtags, a caption within `max_length`.
   * May throw AppErrors (InvalidInputError, UpstreamError, ...).
   */
  generate(request: CaptionRequest): Promise<CaptionResult>;
}
