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
 * Needs the global providers of AppModule (config, lifecycle, registry, ScheduleModule's
 * SchedulerRegistry). Resources are seen only through the registry (`observe`, `defineMetrics`,
 * `selfTestPlan`: see ../registry/observation.ts) and features contribute their figures (the
 * cached-answer p95) through it too, so monitoring imports no resource and no feature.
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
