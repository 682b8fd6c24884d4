import { Type } from '@sinclair/typebox';
import {
  Matching,
  NamedMap,
  Nullable,
  OpenObject,
  StringEnum,
  Timestamp,
} from '../../common/api-route/schema-types';
import { MODEL_NAME_PATTERN } from './model-pool.constants';

/** The `{name}` path segment of the admin routes. */
export const ModelNameParamsSchema = Type.Object({
  name: Matching(MODEL_NAME_PATTERN, 'must be a plain model name', {
    description: `registered model name, ${MODEL_NAME_PATTERN.source}`,
    examples: ['caption-local'],
  }),
});

/** One model in the pool's status (see ModelStatus); fields it gains pass through. */
export const ModelStatusSchema = OpenObject({
  name: Type.String({ examples: ['caption-local'] }),
  state: StringEnum(['unloaded', 'loading', 'loaded', 'unloading', 'error', 'unavailable']),
  memory_mb: Type.Number(),
  loaded_at: Nullable(Timestamp()),
  last_access: Nullable(Timestamp()),
  access_count: Type.Integer(),
  load_time_ms: Nullable(Type.Number()),
  in_use: Type.Boolean(),
});

/** Answer of GET /resources/models/status (see ModelPoolStatus); fields it gains pass through. */
export const ModelPoolStatusSchema = OpenObject({
  models: Type.Array(ModelStatusSchema),
  available: Type.Array(Type.String(), { description: 'models usable in this deployment' }),
  cache_size: Type.Integer({ description: 'MODEL_CACHE_SIZE' }),
  memory_limit_mb: Type.Number({ description: 'MODEL_MEMORY_LIMIT_MB' }),
  memory_used_mb: Type.Number(),
  loads: Type.Integer(),
  evictions: Type.Integer(),
  evictions_by_reason: NamedMap(Type.Integer()),
  workers: OpenObject(
    {
      size: Type.Integer(),
      busy: Type.Integer(),
      queued: Type.Integer(),
      restarts: Type.Integer(),
    },
    { description: 'worker threads of the models that run in them; size 0 when all run inline' },
  ),
});

/** Answer of POST /resources/models/{name}/load. */
export const ModelLoadedSchema = Type.Object({
  name: Type.String(),
  status: StringEnum(['loaded', 'already_loaded']),
  model: ModelStatusSchema,
});

/** Answer of DELETE /resources/models/{name}. */
export const ModelUnloadedSchema = Type.Object({
  name: Type.String(),
  status: StringEnum(['unloaded']),
});
