import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { RedisStatusSchema } from './redis.schema';
import { RedisService } from './redis.service';

@ApiTags('resources')
@Controller('resources/pools/redis')
export class RedisController {
  constructor(private readonly redis: RedisService) {}

  @Get('status')
  @ApiRoute({
    summary:
      'Redis pool: mode, connections, operations, errors, latency ("disabled" without REDIS_URL)',
    description:
      'The Redis connections (standalone, Sentinel or Cluster), commands run and failed, and the latency of the last PING; state disabled when no Redis is configured.',
    responses: { 200: { description: 'the Redis pool', schema: RedisStatusSchema } },
  })
  status(): Record<string, unknown> {
    return this.redis.stats();
  }
}
