import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import {
  HistoryQuery,
  HistoryQuerySchema,
  MonitoringHealthSchema,
  MonitoringHistorySchema,
  MonitoringStatsSchema,
} from './monitoring.schema';
import { MonitoringService } from './monitoring.service';
import { MonitoringHealth, MonitoringHistory, MonitoringStats } from './monitoring.types';

@ApiTags('monitoring')
@Controller('resources/monitoring')
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  @Get('stats')
  @ApiRoute({
    summary:
      'v14 service statistics: counters, cache, system (memory, CPU, disk) and the performance targets missed now',
    description:
      'The v14 counters (at most a few seconds old), cache and system figures, and the performance targets missed now, followed by additions: pools, models, each registered resource, windowed rates.',
    responses: { 200: { description: 'the statistics', schema: MonitoringStatsSchema } },
  })
  stats(): Promise<MonitoringStats> {
    return this.monitoring.stats();
  }

  @Get('health')
  @ApiRoute({
    summary: 'Health of each shared resource and overall (healthy, degraded or unhealthy)',
    description:
      'The last scheduled check (every HEALTH_CHECK_INTERVAL s); checked on request when monitoring is off or none exists yet.',
    responses: { 200: { description: 'the health summary', schema: MonitoringHealthSchema } },
  })
  health(): Promise<MonitoringHealth> {
    return this.monitoring.health();
  }

  @Get('history')
  @ApiRoute({
    summary: 'Snapshots of the last hour (one per METRICS_INTERVAL), oldest first, for trends',
    description: 'The ring of snapshots the dashboard draws: counters, usage and alerts over time.',
    query: HistoryQuerySchema,
    responses: { 200: { description: 'the snapshots', schema: MonitoringHistorySchema } },
  })
  history(@Query() query: HistoryQuery): MonitoringHistory {
    return this.monitoring.history(query.limit);
  }
}
