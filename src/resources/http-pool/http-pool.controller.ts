import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { HttpPoolStatusSchema } from './http-pool.schema';
import { HttpPoolService } from './http-pool.service';
import { HttpPoolStats } from './http-pool.stats';

@ApiTags('resources')
@Controller('resources/pools/http')
export class HttpPoolController {
  constructor(private readonly pool: HttpPoolService) {}

  @Get('status')
  @ApiRoute({
    summary:
      'Outbound HTTP pool: sockets in use, idle and queued, requests, errors, circuits per host',
    description:
      'The shared outbound HTTP pool: sockets active, free and pending, requests, errors and retries, and per upstream host its sockets and circuit breaker.',
    responses: { 200: { description: 'the HTTP pool', schema: HttpPoolStatusSchema } },
  })
  status(): HttpPoolStats {
    return this.pool.stats();
  }
}
