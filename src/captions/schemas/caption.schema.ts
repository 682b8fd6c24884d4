import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../common/api-route/schema-types';

/** A stored caption as the API shows it (snake_case, the v14 field names); see CaptionView. */
export const CaptionSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    caption: Type.String(),
    hashtags: Type.Array(Type.String()),
    style: Type.String(),
    tone: Nullable(Type.String()),
    language: Type.String(),
    content_description: Type.String(),
    model: Type.String({ description: 'The model that wrote it' }),
    cached: Type.Boolean({ description: 'Served from the cache' }),
    fallback: Type.Boolean({ description: 'Written by MODEL_FALLBACK after the model failed' }),
    processing_time_ms: Type.Number(),
    created_at: Timestamp(),
  },
  {
    description: 'A caption',
    examples: [
      {
        id: '0b0d7c1e-5c3a-4c53-9d59-2d1f3c9b8a11',
        caption: 'Chasing the first light over the Dolomites. Every summit starts with one step.',
        hashtags: ['#dolomites', '#sunrise', '#hiking', '#dogsofinstagram', '#mountains'],
        style: 'inspirational',
        tone: null,
        language: 'en',
        content_description: 'Sunrise over the Dolomites with my dog on a cold morning hike',
        model: 'caption-local',
        cached: false,
        fallback: false,
        processing_time_ms: 3.2,
        created_at: '2026-11-28T18:00:00.000Z',
      },
    ],
  },
);

/** GET /captions: a page, newest first. */
export const CaptionPageSchema = Type.Object({
  items: Type.Array(CaptionSchema),
  next_cursor: Nullable(Type.String({ description: 'cursor of the next page; null on the last' })),
});

/** GET /stats. */
export const CaptionStatsSchema = Type.Object({
  captions_generated: Type.Integer(),
  requests: Type.Integer(),
  cache_hits: Type.Integer(),
  cache_hit_rate: Type.Number({ minimum: 0, maximum: 1 }),
  fallbacks: Type.Integer(),
  failures: Type.Integer(),
  p50_ms: Type.Number(),
  p95_ms: Type.Number(),
  cached_p95_ms: Type.Number(),
});

/** Path parameters of the routes of one caption or job. */
export const IdParamsSchema = Type.Object({ id: Uuid() });
