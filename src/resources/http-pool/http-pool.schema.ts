import { Type } from '@sinclair/typebox';
import { NamedMap, OpenObject, StringEnum } from '../../common/api-route/schema-types';
import { ResourceStateSchema, ResourceTypeSchema } from '../registry/registry.schema';

const SocketCountsSchema = {
  active: Type.Integer(),
  free: Type.Integer(),
  pending: Type.Integer(),
};

/** Answer of GET /resources/pools/http/status (see HttpPoolStats). */
export const HttpPoolStatusSchema = OpenObject({
  name: Type.String({ examples: ['http'] }),
  type: ResourceTypeSchema,
  state: ResourceStateSchema,
  max_connections: Type.Integer(),
  timeout_ms: Type.Integer({ description: 'HTTP_TIMEOUT: one request, retries included' }),
  free_socket_timeout_ms: Type.Integer(),
  max_response_bytes: Type.Integer(),
  usage_percent: Type.Number(),
  sockets: Type.Object(SocketCountsSchema),
  requests: Type.Integer(),
  errors: Type.Integer(),
  retries: Type.Integer(),
  in_flight: Type.Integer(),
  hosts: NamedMap(
    Type.Object({
      ...SocketCountsSchema,
      requests: Type.Integer(),
      errors: Type.Integer(),
      retries: Type.Integer(),
      circuit: StringEnum(['closed', 'open', 'half_open', 'isolated']),
    }),
    { description: 'by upstream host:port' },
  ),
});
