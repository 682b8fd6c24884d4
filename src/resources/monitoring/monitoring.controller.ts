import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HistoryQuery } from './monitoring.dto';
import { MonitoringService } from './monitoring.service';
import { MonitoringHealth, MonitoringHistory, MonitoringStats } from './monitoring.types';

@ApiTags('monitoring')
@Controller('resources/monitoring')
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  @Get('stats')
  @ApiOperation({
    summary:
      'v14 service statistics: counters, cache, system (memory, CPU, disk) and the performance targets missed now',
    description:
      'The last scheduled snapshot (every METRICS_INTERVAL s); computed on request when monitoring is off or none exists yet.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        total_requests: 1250,
        cache_hits: 890,
        database_connections: 45,
        http_requests: 234,
        redis_operations: 567,
        model_loads: 12,
        errors: 5,
        cache_stats: { size: 8500, max_size: 10000, usage_percent: 85.0 },
        system_metrics: {
          memory_usage_percent: 65.2,
          cpu_usage_percent: 45.8,
          disk_usage_percent: 72.1,
        },
        alerts: [
          {
            metric: 'cache_hit_rate',
            value: 0.62,
            threshold: 0.8,
            since: '2025-11-28T18:00:00.000Z',
          },
        ],
      },
    },
  })
  stats(): Promise<MonitoringStats> {
    return this.monitoring.stats();
  }

  @Get('health')
  @ApiOperation({
    summary: 'Health of each shared resource and overall (healthy, degraded or unhealthy)',
    description:
      'The last scheduled check (every HEALTH_CHECK_INTERVAL s); checked on request when monitoring is off or none exists yet.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        status: 'healthy',
        health_checks: {
          database: 'healthy',
          redis: 'healthy',
          http: 'healthy',
          cache: 'healthy',
          models: 'healthy',
        },
        checked_at: '2025-11-28T18:00:00.000Z',
        duration_ms: 2.4,
      },
    },
  })
  health(): Promise<MonitoringHealth> {
    return this.monitoring.health();
  }

  @Get('history')
  @ApiOperation({
    summary: 'Snapshots of the last hour (one per METRICS_INTERVAL), oldest first, for trends',
  })
  history(@Query() query: HistoryQuery): MonitoringHistory {
    return this.monitoring.history(query.limit);
  }
}
