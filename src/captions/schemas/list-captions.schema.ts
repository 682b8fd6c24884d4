import { Static, Type } from '@sinclair/typebox';
import { Matching } from '../../common/api-route/schema-types';

/** Query of GET /captions. */
export const ListCaptionsQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Captions per page' }),
    ),
    cursor: Type.Optional(
      Matching(/^[A-Za-z0-9_-]{1,200}$/, 'must be a next_cursor value from a previous page', {
        description: 'next_cursor of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);

export type ListCaptionsQuery = Static<typeof ListCaptionsQuerySchema> & { limit: number };
