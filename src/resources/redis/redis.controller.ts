import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RedisService } from './redis.service';

@ApiTags('resources')
@Controller('resources/pools/redis')
export class RedisController {
  constructor(private readonly redis: RedisService) {}

  @Get('status')
  @ApiOperation({
    summary:
      'Redis pool: mode, connections, operations, errors, latency ("disabled" without REDIS_URL)',
  })
  @ApiOkResponse({
    schema: {
      example: {
        name: 'redis',
        type: 'redis',
        state: 'ready',
        url: 'redis://:***@cache:6379',
        mode: 'standalone',
        pool_size: 20,
        connections: { ready: 20, connecting: 0, closed: 0 },
        operations: 5678,
        errors: 0,
        latency_ms: 0.21,
      },
    },
  })
  status(): Record<string, unknown> {
    return this.redis.stats();
  }
}
