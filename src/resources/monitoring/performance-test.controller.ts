import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import { PerformanceTestDto } from './monitoring.dto';
import { PerformanceTestService, SelfTestReport } from './performance-test.service';

@ApiTags('monitoring')
@Controller('resources/testing')
export class PerformanceTestController {
  constructor(private readonly selfTest: PerformanceTestService) {}

  @Post('performance')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({
    summary:
      'Self-test: a bounded loop of cache, database, Redis and model operations, p50/p95/p99 per resource',
  })
  @ApiOkResponse({
    schema: {
      example: {
        iterations: 100,
        started_at: '2025-11-28T18:00:00.000Z',
        duration_ms: 412.5,
        results: {
          cache: { operations: 200, p50_ms: 0.02, p95_ms: 0.3, p99_ms: 0.6, errors: 0 },
          database: { operations: 100, p50_ms: 0.4, p95_ms: 0.9, p99_ms: 1.8, errors: 0 },
          redis: { operations: 100, p50_ms: 0.2, p95_ms: 0.4, p99_ms: 0.7, errors: 0 },
          models: { operations: 100, p50_ms: 2.1, p95_ms: 3.5, p99_ms: 5.2, errors: 0 },
        },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'iterations outside 1..1000' })
  @ApiConflictResponse({ description: 'a self-test is already running' })
  run(@Body() body: PerformanceTestDto): Promise<SelfTestReport> {
    return this.selfTest.run(body?.iterations);
  }
}
