import type { ResourceObservation } from '../registry/observation';
import type { MonitoringStats } from './monitoring.types';

/**
 * v14 compatibility. v14 named five resources in its monitoring JSON; every other figure of
 * /resources/monitoring/stats and /health is built for whatever resources are registered. This
 * file is the one place that knows those five names and which of their figures v14 shows.
 */

/**
 * The resources v14 clients expect in `health_checks` and `error_sources`: each is listed even
 * when it is not registered here (`disabled`, 0 errors), so clients see the same keys.
 */
export const V14_RESOURCES = ['database', 'redis', 'http', 'cache', 'models'] as const;

/** One registered resource as monitoring read it at collection time. */
export interface Observed {
  state: string;
  observation: ResourceObservation;
}

/** The fields of /resources/monitoring/stats that v14 named after one resource. */
export type V14Fields = Pick<
  MonitoringStats,
  | 'cache_hits'
  | 'database_connections'
  | 'http_requests'
  | 'redis_operations'
  | 'model_loads'
  | 'cache_stats'
  | 'pools'
  | 'models'
>;

/** A resource that is not registered reads as zeros, its state `disabled`. */
const ABSENT: Observed = {
  state: 'disabled',
  observation: { operations: 0, errors: 0, figures: {} },
};

/** The v14 fields, read from the observations by resource name. */
export function v14Fields(observed: ReadonlyMap<string, Observed>): V14Fields {
  const at = (name: (typeof V14_RESOURCES)[number]) => observed.get(name) ?? ABSENT;
  const num = (o: Observed, figure: string) => {
    const value = o.observation.figures[figure];
    return typeof value === 'number' ? value : 0;
  };
  const conn = (o: Observed, state: string) => o.observation.pool?.connections[state] ?? 0;
  const [database, redis, http, cache, models] = V14_RESOURCES.map(at);
  const loaded = models.observation.figures.loaded;
  return {
    cache_hits: num(cache, 'hits'),
    database_connections: conn(database, 'in_use') + conn(database, 'idle'),
    http_requests: http.observation.operations,
    redis_operations: redis.observation.operations,
    model_loads: num(models, 'loads'),
    cache_stats: {
      size: num(cache, 'size'),
      max_size: num(cache, 'max_size'),
      usage_percent: num(cache, 'usage_percent'),
      hits: num(cache, 'hits'),
      misses: num(cache, 'misses'),
      hit_rate: num(cache, 'hit_rate'),
    },
    pools: {
      database: {
        state: database.state,
        total: conn(database, 'in_use') + conn(database, 'idle'),
        idle: conn(database, 'idle'),
        in_use: conn(database, 'in_use'),
        waiting: database.observation.pool?.pending ?? 0,
        max: database.observation.pool?.max ?? 0,
        usage_percent: database.observation.pool?.usage_percent ?? 0,
      },
      http: {
        state: http.state,
        active: conn(http, 'in_use'),
        free: conn(http, 'idle'),
        pending: http.observation.pool?.pending ?? 0,
        max: http.observation.pool?.max ?? 0,
        usage_percent: http.observation.pool?.usage_percent ?? 0,
      },
      redis: {
        state: redis.state,
        pool_size: redis.observation.pool?.max ?? 0,
        ready: conn(redis, 'ready'),
        connecting: conn(redis, 'connecting'),
        closed: conn(redis, 'closed'),
      },
    },
    models: {
      loaded: Array.isArray(loaded) ? loaded : [],
      memory_used_mb: num(models, 'memory_used_mb'),
      memory_limit_mb: num(models, 'memory_limit_mb'),
      loads: num(models, 'loads'),
      evictions: num(models, 'evictions'),
    },
  };
}

/** `error_sources`: 5xx answers, the five v14 resources (0 when absent), then every other one. */
export function errorSources(
  serverErrors: number,
  observed: ReadonlyMap<string, Observed>,
): MonitoringStats['error_sources'] {
  const sources: MonitoringStats['error_sources'] = { server: serverErrors };
  for (const name of V14_RESOURCES) sources[name] = 0;
  for (const [name, o] of observed) sources[name] = o.observation.errors;
  return sources;
}
