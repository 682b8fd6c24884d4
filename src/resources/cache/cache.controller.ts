import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import { NotFoundAppError } from '../../common/errors/app-errors';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import { CacheKeyParamsDto, SetCacheValueDto } from './cache.dto';
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
  @ApiOperation({ summary: 'Cache size, hit rate, evictions and L2 (Redis or disk) state' })
  @ApiOkResponse({
    schema: {
      example: {
        size: 8500,
        max_size: 10000,
        usage_percent: 85,
        hits: 890,
        misses: 110,
        hit_rate: 0.89,
        evictions: 12,
        expired: 40,
        ttl: 3600,
        coalesced: 31,
        grace_hits: 0,
        l2: { enabled: true, backend: 'redis', state: 'up', hits: 95, misses: 15, errors: 0 },
        state: 'ready',
      },
    },
  })
  status(): CacheStatus {
    return this.cache.stats();
  }

  @Post('clear')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({
    summary: 'Clear this instance, every other instance (via Redis) and the namespace in Redis',
  })
  @ApiOkResponse({ schema: { example: { cleared: 8500, l2_cleared: 9120 } } })
  async clear(): Promise<{ cleared: number; l2_cleared: number }> {
    const { l1, l2 } = await this.cache.clear();
    return { cleared: l1, l2_cleared: l2 };
  }

  @Get(':key')
  @AdminOnly()
  @ApiOperation({ summary: 'Read one entry (seconds of freshness left in ttl_remaining)' })
  @ApiOkResponse({
    schema: { example: { key: 'caption:abc123', value: { caption: '...' }, ttl_remaining: 120 } },
  })
  @ApiNotFoundResponse({ description: 'no fresh entry under that key' })
  @ApiBadRequestResponse({ description: 'invalid key' })
  async read(
    @Param() { key }: CacheKeyParamsDto,
  ): Promise<{ key: string; value: unknown; ttl_remaining: number }> {
    const found = await this.cache.inspect(key);
    if (!found) throw new NotFoundAppError('no cache entry under that key');
    return { key, value: found.value, ttl_remaining: Math.ceil(found.ttlRemainingMs / 1000) };
  }

  @Post(':key')
  @AdminOnly()
  @ApiOperation({ summary: 'Write one entry to every level' })
  @ApiCreatedResponse({ schema: { example: { key: 'caption:abc123', ttl: 300 } } })
  @ApiBadRequestResponse({
    description: 'invalid key, ttl, or a value JSON cannot carry (too deep)',
  })
  @ApiPayloadTooLargeResponse({ description: 'value over CACHE_MAX_VALUE_BYTES' })
  async write(
    @Param() { key }: CacheKeyParamsDto,
    @Body() body: SetCacheValueDto,
  ): Promise<{ key: string; ttl: number }> {
    const ttl = body.ttl ?? this.cache.defaultTtl;
    await this.cache.set(key, body.value, { ttl });
    return { key, ttl };
  }
}
