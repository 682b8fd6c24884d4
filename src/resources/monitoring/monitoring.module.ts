import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';
import { PerformanceTestController } from './performance-test.controller';
import { PerformanceTestService } from './performance-test.service';

/**
 * v14 monitoring: /resources/monitoring/{stats,health,history}, the scheduled snapshot and
 * health jobs, alerts, GET /metrics (Prometheus), the /dashboard page and the admin self-test.
 * Needs the global providers of AppModule (config, lifecycle, registry, the resources,
 * ScheduleModule's SchedulerRegistry). Features contribute their figures (the cached-answer
 * p95) through the registry, so monitoring imports no feature.
 */
@Module({
  controllers: [
    MonitoringController,
    PerformanceTestController,
    MetricsController,
    DashboardController,
  ],
  providers: [MonitoringService, MetricsService, PerformanceTestService],
  exports: [MonitoringService, MetricsService],
})
export class MonitoringModule {}
