import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  HISTORY_SPAN_S,
  SELF_TEST_DEFAULT_ITERATIONS,
  SELF_TEST_MAX_ITERATIONS,
} from './monitoring.constants';

/** Body of POST /resources/testing/performance. */
export class PerformanceTestDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: SELF_TEST_MAX_ITERATIONS,
    default: SELF_TEST_DEFAULT_ITERATIONS,
    description:
      'Rounds of the loop; each round runs one operation per resource (two for the cache).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SELF_TEST_MAX_ITERATIONS)
  iterations?: number;
}

/** Query of GET /resources/monitoring/history. */
export class HistoryQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: HISTORY_SPAN_S,
    description: 'Only the newest this many points. Default: all (up to an hour).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(HISTORY_SPAN_S)
  limit?: number;
}
