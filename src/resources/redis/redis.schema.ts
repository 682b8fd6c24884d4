import { Type } from '@sinclair/typebox';
import { Nullable, OpenObject } from '../../common/api-route/schema-types';
import { ResourceStateSchema, ResourceTypeSchema } from '../registry/registry.schema';

/** Answer of GET /resources/pools/redis/status (see RedisStatus). */
export const RedisStatusSchema = OpenObject({
  name: Type.String({ examples: ['redis'] }),
  type: ResourceTypeSchema,
  state: ResourceStateSchema,
  url: Nullable(Type.String({ description: 'password shown as ***' })),
  mode: Type.String({ examples: ['standalone'] }),
  pool_size: Type.Integer(),
  connections: Type.Object({
    ready: Type.Integer(),
    connecting: Type.Integer(),
    closed: Type.Integer(),
  }),
  subscriber: Nullable(Type.String({ description: 'state of the invalidation subscriber' })),
  operations: Type.Integer(),
  errors: Type.Integer(),
  latency_ms: Type.Number(),
  last_error: Nullable(Type.String()),
});
