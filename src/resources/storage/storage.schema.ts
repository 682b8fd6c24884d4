import { Type } from '@sinclair/typebox';
import { Nullable, OpenObject } from '../../common/api-route/schema-types';
import { ResourceStateSchema, ResourceTypeSchema } from '../registry/registry.schema';

/** Answer of GET /resources/storage/status (see StorageStatus). */
export const StorageStatusSchema = OpenObject({
  name: Type.String({ examples: ['storage'] }),
  type: ResourceTypeSchema,
  state: ResourceStateSchema,
  path: Type.String({ description: 'the folder, absolute' }),
  files: Type.Integer(),
  used_bytes: Type.Integer(),
  quota_bytes: Type.Integer({ description: 'STORAGE_QUOTA_MB in bytes' }),
  usage_percent: Type.Number(),
  last_error: Nullable(Type.String()),
});
