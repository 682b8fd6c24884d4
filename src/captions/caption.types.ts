/** A stored caption as the API shows it (snake_case, the v14 field names). */
export interface CaptionView {
  id: string;
  caption: string;
  hashtags: string[];
  style: string;
  tone: string | null;
  language: string;
  content_description: string;
  model: string;
  cached: boolean;
  fallback: boolean;
  processing_time_ms: number;
  created_at: string;
}

export interface CaptionPage {
  items: CaptionView[];
  next_cursor: string | null;
}
