import { CollectedKind, MetricDefinitions, Sample } from '../../common/metrics/metric-definitions';
import type { PoolObservation, ResourceObservation } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';

type Pooled = readonly [name: string, observation: ResourceObservation, pool: PoolObservation];

/**
 * The connection pools, labelled `pool="<resource name>"` (database, http, redis here): built
 * from `observe().pool` of every registered resource that has one, so a new pool shows up with
 * no change here. Not every pool has every figure (Redis multiplexes, so it has no usage or
 * pending callers; http has no latency): a pool without one has no series rather than a 0.
 */
export function definePoolMetrics(m: MetricDefinitions, registry: ResourceRegistry): void {
  const read = (): Pooled[] =>
    registry.all().flatMap((r) => {
      const o = r.observe();
      return o.pool ? [[r.name, o, o.pool] as const] : [];
    });
  /** A metric labelled by pool only; a pool whose figure is undefined has no series. */
  const perPool = (
    kind: CollectedKind,
    name: string,
    help: string,
    value: (o: ResourceObservation, pool: PoolObservation) => number | undefined,
  ) =>
    m[kind](name, help, ['pool'], () =>
      read().flatMap(([pool, o, p]): Sample<'pool'>[] => {
        const v = value(o, p);
        return v === undefined ? [] : [[{ pool }, v]];
      }),
    );

  m.gauge(
    'pool_connections',
    'Connections of each pool by state (database, http: in_use|idle; redis: ready|connecting|closed).',
    ['pool', 'state'],
    () =>
      read().flatMap(([pool, , p]) =>
        Object.entries(p.connections).map(([state, n]): Sample<'pool' | 'state'> => [
          { pool, state },
          n,
        ]),
      ),
  );
  perPool(
    'gauge',
    'pool_max_connections',
    'Most connections each pool may open (database max, HTTP_MAX_CONNECTIONS, Redis pool size).',
    (_, p) => p.max,
  );
  perPool(
    'gauge',
    'pool_pending_requests',
    'Callers waiting for a connection (database) or a socket (http).',
    (_, p) => p.pending,
  );
  perPool(
    'counter',
    'pool_operations_total',
    'Operations run on each pool (database queries, outbound HTTP requests, Redis commands).',
    (o) => o.operations,
  );
  perPool('counter', 'pool_errors_total', 'Failed operations on each pool.', (o) => o.errors);
  // Latency is each resource's own histogram (database_query_duration_seconds,
  // redis_command_duration_seconds), not an average computed here: it could not be windowed.
}

/** The pools that report a usage percent: each has a `<name>_pool_usage_percent` alert. */
export function poolsWithUsage(registry: ResourceRegistry): string[] {
  return registry
    .all()
    .filter((r) => r.observe().pool?.usage_percent !== undefined)
    .map((r) => r.name);
}
