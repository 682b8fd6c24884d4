import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DatabaseService } from './database.service';

@ApiTags('resources')
@Controller('resources/pools/database')
export class DatabaseController {
  constructor(private readonly database: DatabaseService) {}

  @Get('status')
  @ApiOperation({
    summary: 'Database pool: size, overflow, connections in use, waiters, query stats',
  })
  @ApiOkResponse({
    schema: {
      example: {
        name: 'database',
        type: 'database',
        state: 'ready',
        url: 'postgres://app:***@db:5432/captions',
        pool: {
          size: 20,
          max_overflow: 30,
          max: 50,
          total: 20,
          idle: 18,
          in_use: 2,
          waiting: 0,
          usage_percent: 4,
        },
        stats: { queries: 1234, errors: 0, avg_query_ms: 0.8 },
      },
    },
  })
  status(): Record<string, unknown> {
    return this.database.stats();
  }
}
