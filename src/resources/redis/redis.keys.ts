/**
 * The namespaces that parts of the service own under REDIS_KEY_PREFIX: the first part of every
 * key they build with `RedisService.key()`. The cache's own namespace (CACHE_NAMESPACE) must be
 * none of them, because the cache's clear() deletes everything under its namespace.
 */
export const REDIS_NAMESPACES = {
  rateLimit: 'rate-limit',
} as const;

export const RESERVED_REDIS_NAMESPACES: readonly string[] = Object.values(REDIS_NAMESPACES);
