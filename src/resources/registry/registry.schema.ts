import { Type } from '@sinclair/typebox';
import { NamedMap, StringEnum } from '../../common/api-route/schema-types';
import { ResourceState, ResourceType } from './resource-state';

/** A resource's state, as every status route shows it. */
export const ResourceStateSchema = StringEnum(Object.values(ResourceState));

/** A resource's type, as every status route shows it. */
export const ResourceTypeSchema = StringEnum(Object.values(ResourceType));

const ResourceStatesSchema = NamedMap(ResourceStateSchema, {
  description: 'each resource by name: its state',
  examples: [{ database: 'ready', redis: 'ready', cache: 'ready' }],
});

/** Answer of POST /resources/initialize. */
export const ResourcesInitializedSchema = Type.Object(
  {
    status: StringEnum(['initialized', 'degraded'], {
      description: 'degraded: a resource failed to open (its state says error)',
    }),
    resources: ResourceStatesSchema,
  },
  { examples: [{ status: 'initialized', resources: { database: 'ready', redis: 'ready' } }] },
);

/** Answer of POST /resources/shutdown. */
export const ResourcesShutdownSchema = Type.Object(
  {
    status: StringEnum(['shutdown']),
    drained: Type.Boolean({ description: 'requests in flight finished within SHUTDOWN_GRACE_MS' }),
    resources: ResourceStatesSchema,
  },
  { examples: [{ status: 'shutdown', drained: true, resources: { database: 'closed' } }] },
);
