import type { Histogram } from 'prom-client';
import { AfterQueryEvent, EntitySubscriberInterface } from 'typeorm';

/** Counts every query TypeORM runs, its failures and time, from TypeORM's own query events. */
export class QueryStatsSubscriber implements EntitySubscriberInterface {
  queries = 0;
  errors = 0;
  private totalMs = 0;
  private timed = 0;
  /** Each query's time, once /metrics has defined the histogram (DatabaseService.defineMetrics). */
  duration?: Histogram;

  afterQuery(event: AfterQueryEvent): void {
    this.queries += 1;
    if (!event.success) this.errors += 1;
    if (typeof event.executionTime === 'number') {
      this.totalMs += event.executionTime;
      this.timed += 1;
      this.duration?.observe(event.executionTime / 1000);
    }
  }

  get avgQueryMs(): number {
    return this.timed === 0 ? 0 : Math.round((this.totalMs / this.timed) * 100) / 100;
  }
}
