import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { NotFoundAppError } from '../../common/errors/app-errors';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import {
  CacheClearedSchema,
  CacheEntrySchema,
  CacheKeyParamsSchema,
  CacheStatusSchema,
  CacheWrittenSchema,
  SetCacheValueBody,
  SetCacheValueBodySchema,
} from './cache.schema';
import { CacheService, CacheStatus } from './cache.service';

/**
 * The cache's status and admin routes. `status` and `clear` are declared before `:key`, so
 * those two words are not readable or writable as keys through HTTP.
 */
@ApiTags('resources')
@Controller('resources/cache')
export class CacheController {
  constructor(private readonly cache: CacheService) {}

  @Get('status')
  @ApiRoute({
    summary: 'Cache size, hit rate, evictions and L2 (Redis or disk) state',
    description:
      'The two-level cache of this instance: L1 entries and bytes, hits and misses, evictions and expiries, loads and coalesced callers, and the state of its second level (Redis, or the file storage without Redis).',
    responses: { 200: { description: 'the cache', schema: CacheStatusSchema } },
  })
  status(): CacheStatus {
    return this.cache.stats();
  }

  @Post('clear')
  @HttpCode(200)
  @AdminOnly()
  @ApiRoute({
    summary: 'Clear this instance, every other instance (via Redis) and the namespace in Redis',
    description:
      'Empties L1 here, tells every other instance to empty theirs (Redis pub/sub), and deletes the namespace from the second level.',
    responses: { 200: { description: 'what was removed', schema: CacheClearedSchema } },
  })
  async clear(): Promise<{ cleared: number; l2_cleared: number }> {
    const { l1, l2 } = await this.cache.clear();
    return { cleared: l1, l2_cleared: l2 };
  }

  @Get(':key')
  @AdminOnly()
  @ApiRoute({
    summary: 'Read one entry (seconds of freshness left in ttl_remaining)',
    description: 'The fresh value stored under a key, from L1 or the second level.',
    params: CacheKeyParamsSchema,
    responses: { 200: { description: 'the entry', schema: CacheEntrySchema } },
    errors: { 404: 'no fresh entry under that key' },
  })
  async read(
    @Param('key') key: string,
  ): Promise<{ key: string; value: unknown; ttl_remaining: number }> {
    const found = await this.cache.inspect(key);
    if (!found) throw new NotFoundAppError('no cache entry under that key');
    return { key, value: found.value, ttl_remaining: Math.ceil(found.ttlRemainingMs / 1000) };
  }

  @Post(':key')
  @AdminOnly()
  @ApiRoute({
    summary: 'Write one entry to every level',
    description:
      'Stores a JSON value under a key in L1 and the second level, for `ttl` seconds (CACHE_TTL by default); other instances drop their copy.',
    params: CacheKeyParamsSchema,
    body: SetCacheValueBodySchema,
    responses: { 201: { description: 'written', schema: CacheWrittenSchema } },
    errors: {
      400: 'invalid key or ttl, or a value JSON cannot carry (too deep)',
      413: 'value over CACHE_MAX_VALUE_BYTES',
    },
  })
  async write(
    @Param('key') key: string,
    @Body() body: SetCacheValueBody,
  ): Promise<{ key: string; ttl: number }> {
    const ttl = body.ttl ?? this.cache.defaultTtl;
    await this.cache.set(key, body.value, { ttl });
    return { key, ttl };
  }
}
