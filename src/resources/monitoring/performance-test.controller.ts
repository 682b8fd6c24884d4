import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { AdminOnly } from '../../common/guards/admin-only.decorator';
import {
  PerformanceTestBody,
  PerformanceTestBodySchema,
  SelfTestReportSchema,
} from './monitoring.schema';
import { PerformanceTestService, SelfTestReport } from './performance-test.service';

@ApiTags('monitoring')
@Controller('resources/testing')
export class PerformanceTestController {
  constructor(private readonly selfTest: PerformanceTestService) {}

  @Post('performance')
  @HttpCode(200)
  @AdminOnly()
  @ApiRoute({
    summary:
      'Self-test: a bounded loop of cache, database, Redis and model operations, p50/p95/p99 per resource',
    description:
      'Runs `iterations` rounds of real operations on every resource that has a self-test (a cache set and get, a database SELECT 1, a Redis PING, a model use), one after another, and answers their latency percentiles. One run at a time. The body may be left out.',
    body: PerformanceTestBodySchema,
    bodyRequired: false,
    responses: { 200: { description: 'latency per resource', schema: SelfTestReportSchema } },
    errors: { 409: 'a self-test is already running' },
  })
  run(@Body() body: PerformanceTestBody | undefined): Promise<SelfTestReport> {
    return this.selfTest.run(body?.iterations);
  }
}
