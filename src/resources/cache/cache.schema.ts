import { Static, Type } from '@sinclair/typebox';
import { Matching, OpenObject, StringEnum } from '../../common/api-route/schema-types';
import { ResourceStateSchema } from '../registry/registry.schema';
import { KEY_PATTERN, MAX_KEY_LENGTH, MAX_TTL_SECONDS } from './cache.constants';

const KEY_RULE = `1-${MAX_KEY_LENGTH} characters from A-Z a-z 0-9 . _ : @ = + -`;

/** The `{key}` path segment of the admin routes. */
export const CacheKeyParamsSchema = Type.Object({
  key: Matching(KEY_PATTERN, `must be ${KEY_RULE}`, {
    description: `Cache key: ${KEY_RULE}`,
    examples: ['caption:abc123'],
  }),
});

/** Body of `POST /resources/cache/{key}`. */
export const SetCacheValueBodySchema = Type.Object(
  {
    value: Type.Unknown({
      description:
        'Any JSON value (object, array, string, number, boolean, null); at most CACHE_MAX_VALUE_BYTES of JSON and 32 levels deep',
      examples: [{ caption: 'Sunset over the bay', hashtags: ['#sunset'] }],
    }),
    ttl: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_TTL_SECONDS,
        description: 'Lifetime in seconds. Default CACHE_TTL.',
        examples: [300],
      }),
    ),
  },
  { additionalProperties: false },
);
export type SetCacheValueBody = Static<typeof SetCacheValueBodySchema>;

/** Answer of GET /resources/cache/status (see CacheStats). */
export const CacheStatusSchema = OpenObject({
  size: Type.Integer({ description: 'entries in L1' }),
  max_size: Type.Integer({ description: 'CACHE_SIZE' }),
  usage_percent: Type.Number(),
  hits: Type.Integer(),
  misses: Type.Integer(),
  hit_rate: Type.Number({ minimum: 0, maximum: 1 }),
  evictions: Type.Integer(),
  expired: Type.Integer(),
  ttl: Type.Integer({ description: 'CACHE_TTL, seconds' }),
  l2: OpenObject({
    enabled: Type.Boolean(),
    backend: StringEnum(['redis', 'disk', 'none']),
    state: StringEnum(['up', 'down', 'disabled']),
    hits: Type.Integer(),
    misses: Type.Integer(),
    errors: Type.Integer(),
  }),
  state: ResourceStateSchema,
});

/** Answer of POST /resources/cache/clear. */
export const CacheClearedSchema = Type.Object({
  cleared: Type.Integer({ description: 'entries removed from this instance' }),
  l2_cleared: Type.Integer({ description: 'keys removed from the second level' }),
});

/** Answer of GET /resources/cache/{key}. */
export const CacheEntrySchema = Type.Object({
  key: Type.String(),
  value: Type.Unknown({ description: 'the stored JSON value' }),
  ttl_remaining: Type.Integer({ description: 'seconds of freshness left' }),
});

/** Answer of POST /resources/cache/{key}. */
export const CacheWrittenSchema = Type.Object({
  key: Type.String(),
  ttl: Type.Integer({ description: 'seconds' }),
});
