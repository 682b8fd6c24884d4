import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { DatabaseStatusSchema } from './database.schema';
import { DatabaseService } from './database.service';

@ApiTags('resources')
@Controller('resources/pools/database')
export class DatabaseController {
  constructor(private readonly database: DatabaseService) {}

  @Get('status')
  @ApiRoute({
    summary: 'Database pool: size, overflow, connections in use, waiters, query stats',
    description:
      'The PostgreSQL connection pool (size, overflow, connections in use and idle, waiting callers) and query counts; the URL is shown with its password replaced by ***.',
    responses: { 200: { description: 'the database pool', schema: DatabaseStatusSchema } },
  })
  status(): Record<string, unknown> {
    return this.database.stats();
  }
}
