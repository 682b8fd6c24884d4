import { Static, Type } from '@sinclair/typebox';
import { Matching, Nullable, StringEnum } from '../../common/api-route/schema-types';
import { ValidatedLater } from '../../common/validation/validated-later';
import { CaptionSchema } from '../../captions/schemas/caption.schema';
import { GenerateCaptionBodySchema } from '../../captions/schemas/generate-caption.schema';

/** Largest synchronous batch. */
export const MAX_BATCH_ITEMS = 100;
/** Largest background job. */
export const MAX_JOB_ITEMS = 10_000;

/**
 * A list of caption requests. The route checks the list; each item is validated on its own
 * later (validateBatchItem), so that one bad item fails alone, with its index, instead of
 * failing the whole batch. The OpenAPI document shows the items' schema all the same.
 */
function requestsOf(maxItems: number) {
  return Type.Array(ValidatedLater(GenerateCaptionBodySchema), {
    minItems: 1,
    maxItems,
    examples: [
      [{ content_description: 'Latte art in a sunny cafe', style: 'casual', hashtag_count: 3 }],
    ],
  });
}

/** Body of POST /batch/generate. */
export const BatchGenerateBodySchema = Type.Object(
  { requests: requestsOf(MAX_BATCH_ITEMS) },
  { additionalProperties: false },
);
export type BatchGenerateBody = { requests: unknown[] };

/** Body of POST /batch/jobs. */
export const BatchJobBodySchema = Type.Object(
  { requests: requestsOf(MAX_JOB_ITEMS) },
  { additionalProperties: false },
);
export type BatchJobBody = { requests: unknown[] };

/** Query of GET /batch/jobs/{id}/results. */
export const JobResultsQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Items per page' }),
    ),
    cursor: Type.Optional(
      Matching(/^\d{1,6}$/, 'must be a next_cursor value from a previous page', {
        description: 'next_cursor of the previous page: the index the page starts after',
      }),
    ),
  },
  { additionalProperties: false },
);
export type JobResultsQuery = Static<typeof JobResultsQuerySchema> & { limit: number };

/** An item's error: its status and what was wrong (a list, for invalid input). */
const ItemErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  message: Type.Union([Type.String(), Type.Array(Type.String())]),
});

/** Answer of POST /batch/generate: one result per request, in order. */
export const BatchResultSchema = Type.Object({
  results: Type.Array(
    Type.Union([
      Type.Composite([
        Type.Object({ index: Type.Integer({ minimum: 0 }), ok: Type.Literal(true) }),
        CaptionSchema,
      ]),
      Type.Object({
        index: Type.Integer({ minimum: 0 }),
        ok: Type.Literal(false),
        error: ItemErrorSchema,
      }),
    ]),
  ),
  succeeded: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
});

/** Answer of POST /batch/jobs. */
export const JobCreatedSchema = Type.Object({ job_id: Type.String({ format: 'uuid' }) });

/** Answer of GET /batch/jobs/{id}. */
export const JobStatusSchema = Type.Object({
  job_id: Type.String({ format: 'uuid' }),
  state: StringEnum(['queued', 'running', 'completed']),
  total: Type.Integer({ minimum: 0 }),
  done: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  progress_percent: Type.Number({ minimum: 0, maximum: 100 }),
  results_url: Type.String({ examples: ['/api/v14/batch/jobs/6c1f…/results'] }),
});

/** Answer of GET /batch/jobs/{id}/results: items by index; caption fields once done. */
export const JobResultsSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      index: Type.Integer({ minimum: 0 }),
      state: StringEnum(['pending', 'done', 'failed']),
      caption_id: Type.Optional(Type.String({ format: 'uuid' })),
      caption: Type.Optional(Nullable(Type.String())),
      hashtags: Type.Optional(Nullable(Type.Array(Type.String()))),
      model: Type.Optional(Nullable(Type.String())),
      error: Type.Optional(Type.String()),
    }),
  ),
  next_cursor: Nullable(Type.String()),
});
