import { Static, Type } from '@sinclair/typebox';
import { NamedMap, OpenObject, StringEnum, Timestamp } from '../../common/api-route/schema-types';
import {
  HISTORY_SPAN_S,
  SELF_TEST_DEFAULT_ITERATIONS,
  SELF_TEST_MAX_ITERATIONS,
} from './monitoring.constants';

/** Body of POST /resources/testing/performance (optional as a whole). */
export const PerformanceTestBodySchema = Type.Object(
  {
    iterations: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: SELF_TEST_MAX_ITERATIONS,
        default: SELF_TEST_DEFAULT_ITERATIONS,
        description:
          'Rounds of the loop; each round runs one operation per resource (two for the cache).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PerformanceTestBody = Static<typeof PerformanceTestBodySchema>;

/** Query of GET /resources/monitoring/history. */
export const HistoryQuerySchema = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: HISTORY_SPAN_S,
        description: 'Only the newest this many points. Default: all (up to an hour).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuerySchema>;

const AlertSchema = Type.Object({
  metric: Type.String({ examples: ['cache_hit_rate'] }),
  value: Type.Number(),
  threshold: Type.Number(),
  since: Timestamp({ description: 'when the target was first missed' }),
});

/**
 * Answer of GET /resources/monitoring/stats: the v14 shape, typed, and the additions (see
 * MonitoringStats), which pass through as they are.
 */
export const MonitoringStatsSchema = OpenObject({
  total_requests: Type.Integer(),
  cache_hits: Type.Integer(),
  database_connections: Type.Integer(),
  http_requests: Type.Integer(),
  redis_operations: Type.Integer(),
  model_loads: Type.Integer(),
  errors: Type.Integer(),
  cache_stats: OpenObject({
    size: Type.Integer(),
    max_size: Type.Integer(),
    usage_percent: Type.Number(),
  }),
  system_metrics: OpenObject({
    memory_usage_percent: Type.Number(),
    cpu_usage_percent: Type.Number(),
    disk_usage_percent: Type.Number(),
  }),
  alerts: Type.Array(AlertSchema, { description: 'targets missed now' }),
  collected_at: Timestamp(),
});

const CheckStatusSchema = StringEnum(['healthy', 'degraded', 'unhealthy', 'disabled']);

/** Answer of GET /resources/monitoring/health (see MonitoringHealth). */
export const MonitoringHealthSchema = Type.Object({
  status: StringEnum(['healthy', 'degraded', 'unhealthy']),
  health_checks: NamedMap(CheckStatusSchema, {
    description: 'one per registered resource, by name',
    examples: [{ database: 'healthy', redis: 'healthy', cache: 'healthy', models: 'healthy' }],
  }),
  checked_at: Timestamp(),
  duration_ms: Type.Number(),
});

/** Answer of GET /resources/monitoring/history (see MonitoringHistory). */
export const MonitoringHistorySchema = Type.Object({
  interval_s: Type.Number(),
  capacity: Type.Integer(),
  points: Type.Array(
    OpenObject({
      at: Type.Integer({ description: 'epoch ms' }),
      total_requests: Type.Integer(),
      errors: Type.Integer(),
      cache_hit_rate: Type.Number(),
      memory_usage_percent: Type.Number(),
      cpu_usage_percent: Type.Number(),
    }),
    { description: 'oldest first' },
  ),
});

/** Answer of POST /resources/testing/performance (see SelfTestReport). */
export const SelfTestReportSchema = Type.Object({
  iterations: Type.Integer(),
  started_at: Timestamp(),
  duration_ms: Type.Number(),
  results: NamedMap(
    OpenObject({
      operations: Type.Integer(),
      errors: Type.Integer(),
      p50_ms: Type.Number(),
      p95_ms: Type.Number(),
      p99_ms: Type.Number(),
    }),
    { description: 'by resource name' },
  ),
});
