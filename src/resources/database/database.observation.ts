import type { ResourceObservation } from '../registry/observation';
import type { ResourceState, ResourceType } from '../registry/resource-state';

/** The body of GET /resources/pools/database/status. */
export type DatabaseStatus = {
  name: string;
  type: ResourceType;
  state: ResourceState;
  url: string | null;
  embedded: boolean;
  pool: {
    size: number;
    max_overflow: number;
    max: number;
    total: number;
    idle: number;
    in_use: number;
    waiting: number;
    usage_percent: number;
  };
  stats: { queries: number; errors: number; avg_query_ms: number };
  last_error: string | null;
};

/** What observers see of the database: queries and their errors, and the connection pool. */
export function observeDatabase(s: DatabaseStatus): ResourceObservation {
  return {
    operations: s.stats.queries,
    errors: s.stats.errors,
    pool: {
      connections: { in_use: s.pool.in_use, idle: s.pool.idle },
      max: s.pool.max,
      pending: s.pool.waiting,
      usage_percent: s.pool.usage_percent,
      // The embedded database has a single connection: any query is "100 % in use".
      alertable: !s.embedded,
    },
    figures: { connections: s.pool.total, avg_query_ms: s.stats.avg_query_ms },
  };
}
