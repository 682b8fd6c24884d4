import type { Histogram } from 'prom-client';
import { AfterQueryEvent, EntitySubscriberInterface } from 'typeorm';

/**
 * Counts every query, its failures and time: TypeORM's own query events for the queries that go
 * through TypeORM (sessions, transactions, migrations), `record` for the ones DatabaseService
 * runs straight on the pool.
 */
export class QueryStatsSubscriber implements EntitySubscriberInterface {
  queries = 0;
  errors = 0;
  private totalMs = 0;
  private timed = 0;
  /** Each query's time, once /metrics has defined the histogram (DatabaseService.defineMetrics). */
  duration?: Histogram;

  afterQuery(event: AfterQueryEvent): void {
    this.record(event.success, event.executionTime);
  }

  /** One query: whether it succeeded and, when measured, how long it took (ms). */
  record(success: boolean, ms?: number): void {
    this.queries += 1;
    if (!success) this.errors += 1;
    if (typeof ms === 'number') {
      this.totalMs += ms;
      this.timed += 1;
      this.duration?.observe(ms / 1000);
    }
  }

  get avgQueryMs(): number {
    return this.timed === 0 ? 0 : Math.round((this.totalMs / this.timed) * 100) / 100;
  }
}
