import { DatabaseService } from '../database/database.service';
import { HttpPoolService } from '../http-pool/http-pool.service';
import { RedisService } from '../redis/redis.service';
import { CollectedKind, MetricDefinitions, Read, byLabel } from './metrics.helpers';
import { DatabaseStatsView, RedisStatsView } from './monitoring.types';

type PoolName = 'database' | 'http' | 'redis';

/**
 * The connection pools, labelled `pool="database|http|redis"`. Not every pool has every figure
 * (Redis multiplexes, so it has no usage or pending callers; http has no latency): a pool without
 * one has no series rather than a made-up 0.
 */
export function definePoolMetrics(
  m: MetricDefinitions,
  database: DatabaseService,
  redis: RedisService,
  http: HttpPoolService,
): void {
  // All three pools are read for each metric, so one failing stats() fails the scrape whole.
  const read = () => ({
    db: database.stats() as unknown as DatabaseStatsView,
    redis: redis.stats() as unknown as RedisStatsView,
    http: http.stats(),
  });
  type Pools = ReturnType<typeof read>;
  /** A metric labelled by pool only; series follow the key order of `values`. */
  const perPool = (
    kind: CollectedKind,
    name: string,
    help: string,
    values: (s: Pools) => Partial<Record<PoolName, number>>,
  ) => m[kind](name, help, ['pool'], () => byLabel('pool', values(read())));

  const connections: Read<'pool' | 'state'> = () => {
    const { db, redis, http } = read();
    return [
      [{ pool: 'database', state: 'in_use' }, db.pool.in_use],
      [{ pool: 'database', state: 'idle' }, db.pool.idle],
      [{ pool: 'http', state: 'in_use' }, http.sockets.active],
      [{ pool: 'http', state: 'idle' }, http.sockets.free],
      [{ pool: 'redis', state: 'ready' }, redis.connections.ready],
      [{ pool: 'redis', state: 'connecting' }, redis.connections.connecting],
      [{ pool: 'redis', state: 'closed' }, redis.connections.closed],
    ];
  };
  m.gauge(
    'pool_connections',
    'Connections of each pool by state (database, http: in_use|idle; redis: ready|connecting|closed).',
    ['pool', 'state'],
    connections,
  );
  perPool(
    'gauge',
    'pool_max_connections',
    'Most connections each pool may open (database max, HTTP_MAX_CONNECTIONS, Redis pool size).',
    (s) => ({ database: s.db.pool.max, http: s.http.max_connections, redis: s.redis.pool_size }),
  );
  perPool(
    'gauge',
    'pool_pending_requests',
    'Callers waiting for a connection (database) or a socket (http).',
    (s) => ({ database: s.db.pool.waiting, http: s.http.sockets.pending }),
  );
  perPool(
    'counter',
    'pool_operations_total',
    'Operations run on each pool (database queries, outbound HTTP requests, Redis commands).',
    (s) => ({ database: s.db.stats.queries, http: s.http.requests, redis: s.redis.operations }),
  );
  perPool('counter', 'pool_errors_total', 'Failed operations on each pool.', (s) => ({
    database: s.db.stats.errors,
    http: s.http.errors,
    redis: s.redis.errors,
  }));
  perPool(
    'gauge',
    'pool_average_latency_seconds',
    'Average operation latency (database: mean query time; redis: moving average of commands).',
    (s) => ({ database: s.db.stats.avg_query_ms / 1000, redis: s.redis.latency_ms / 1000 }),
  );
}
