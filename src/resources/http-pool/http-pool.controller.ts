import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HttpPoolService } from './http-pool.service';
import { HttpPoolStats } from './http-pool.stats';

@ApiTags('resources')
@Controller('resources/pools/http')
export class HttpPoolController {
  constructor(private readonly pool: HttpPoolService) {}

  @Get('status')
  @ApiOperation({
    summary:
      'Outbound HTTP pool: sockets in use, idle and queued, requests, errors, circuits per host',
  })
  @ApiOkResponse({
    schema: {
      example: {
        name: 'http',
        type: 'http_client',
        state: 'ready',
        max_connections: 100,
        timeout_ms: 30000,
        free_socket_timeout_ms: 4000,
        max_response_bytes: 10485760,
        usage_percent: 2,
        sockets: { active: 2, free: 3, pending: 0 },
        requests: 234,
        errors: 1,
        retries: 3,
        in_flight: 2,
        hosts: {
          'api.openai.com:443': {
            active: 2,
            free: 3,
            pending: 0,
            requests: 234,
            errors: 1,
            retries: 3,
            circuit: 'closed',
          },
        },
      },
    },
  })
  status(): HttpPoolStats {
    return this.pool.stats();
  }
}
