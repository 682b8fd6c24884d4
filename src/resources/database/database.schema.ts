import { Type } from '@sinclair/typebox';
import { Nullable, OpenObject } from '../../common/api-route/schema-types';
import { ResourceStateSchema, ResourceTypeSchema } from '../registry/registry.schema';

/** Answer of GET /resources/pools/database/status (see DatabaseStatus). */
export const DatabaseStatusSchema = OpenObject({
  name: Type.String({ examples: ['database'] }),
  type: ResourceTypeSchema,
  state: ResourceStateSchema,
  url: Nullable(
    Type.String({
      description: 'password shown as ***',
      examples: ['postgres://app:***@db:5432/captions'],
    }),
  ),
  embedded: Type.Boolean({ description: 'the embedded PostgreSQL (no DATABASE_URL)' }),
  pool: Type.Object({
    size: Type.Integer({ description: 'DATABASE_POOL_SIZE' }),
    max_overflow: Type.Integer({ description: 'DATABASE_MAX_OVERFLOW' }),
    max: Type.Integer({ description: 'size + max_overflow' }),
    total: Type.Integer(),
    idle: Type.Integer(),
    in_use: Type.Integer(),
    waiting: Type.Integer(),
    usage_percent: Type.Number(),
  }),
  stats: Type.Object({
    queries: Type.Integer(),
    errors: Type.Integer(),
    avg_query_ms: Type.Number(),
  }),
  last_error: Nullable(Type.String()),
});
