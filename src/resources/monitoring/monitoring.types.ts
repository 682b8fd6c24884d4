import type { PoolObservation } from '../registry/observation';
import type { Alert } from './alerts';
import type { MemorySource } from './system-metrics';

/** What one resource check reports in `/resources/monitoring/health`. */
export type CheckStatus = 'healthy' | 'degraded' | 'unhealthy' | 'disabled';

/**
 * A key of `health_checks`: the name of a registered resource (`database`, `redis`, `http`,
 * `cache`, `models`, ... one per registered resource).
 */
export type HealthCheckKey = string;

/** The body of GET /resources/monitoring/health. */
export interface MonitoringHealth {
  /**
   * `unhealthy` when a required resource (the database, the models: what serving needs) is;
   * `degraded` when anything else is unhealthy or anything is degraded; `healthy` otherwise.
   */
  status: 'healthy' | 'degraded' | 'unhealthy';
  health_checks: Record<HealthCheckKey, CheckStatus>;
  checked_at: string;
  /** How long the checks took, ms. */
  duration_ms: number;
}

/**
 * The body of GET /resources/monitoring/stats: v14's fields, in its shape, then additions.
 * Counters are cumulative since start (the model pool's restart on an admin re-initialize).
 */
export interface MonitoringStats {
  /** Requests received (every route, counted by the Fastify hooks in app.factory.ts). */
  total_requests: number;
  /** Cache lookups answered from L1 or L2. */
  cache_hits: number;
  /** Open connections of the database pool (in use + idle). */
  database_connections: number;
  /** Outbound requests through the shared HTTP pool. */
  http_requests: number;
  /** Commands run on the Redis pool. */
  redis_operations: number;
  /** Successful model loads. */
  model_loads: number;
  /**
   * Failures where they happened: 5xx answers + database query errors + Redis command errors +
   * outbound HTTP errors + cache L2 call errors + model load/generation errors (see
   * `error_sources`). One failure that reaches a client as a 5xx can count twice: once in its
   * resource, once as the answer.
   */
  errors: number;
  cache_stats: {
    size: number;
    max_size: number;
    usage_percent: number;
    hits: number;
    misses: number;
    /** Cumulative hits / lookups, 0..1 (the alert uses the windowed rate in `rates`). */
    hit_rate: number;
  };
  system_metrics: {
    memory_usage_percent: number;
    /** This process's CPU over the last interval, percent of the CPUs it may use. */
    cpu_usage_percent: number;
    /** Of the filesystem holding DATA_DIR. */
    disk_usage_percent: number;
    memory_used_mb: number;
    memory_limit_mb: number;
    memory_source: MemorySource;
    cpu_cores: number;
    cpu_window_s: number;
  };
  /** Targets missed now. */
  alerts: Alert[];

  // ---- additions to the v14 shape ----
  /** RESOURCE_PROFILE in force (the pool and cache sizes it chose show in their status). */
  resource_profile: string;
  server_errors: number;
  /** 5xx answers (`server`), then the errors of each resource by name (see `errors`). */
  error_sources: { server: number } & Record<string, number>;
  requests_in_flight: number;
  pools: {
    database: {
      state: string;
      total: number;
      idle: number;
      in_use: number;
      waiting: number;
      max: number;
      usage_percent: number;
    };
    http: {
      state: string;
      active: number;
      free: number;
      pending: number;
      max: number;
      usage_percent: number;
    };
    redis: { state: string; pool_size: number; ready: number; connecting: number; closed: number };
  };
  models: {
    loaded: string[];
    memory_used_mb: number;
    memory_limit_mb: number;
    loads: number;
    evictions: number;
  };
  cached_response_p95_ms: number;
  /** What each registered resource shows its observers (see registry/observation.ts), by name. */
  resources: Record<string, ResourceView>;
  /** The windowed rates the alerts judge (see RATE_WINDOW_MS). */
  rates: {
    window_s: number;
    cache_hit_rate: number;
    cache_lookups: number;
    error_rate: number;
    requests: number;
  };
  collected_at: string;
}

/** One point of the ring buffer behind GET /resources/monitoring/history. */
export interface HistoryPoint {
  /** Epoch ms. */
  at: number;
  total_requests: number;
  server_errors: number;
  errors: number;
  cache_hits: number;
  cache_misses: number;
  cache_size: number;
  cache_hit_rate: number;
  database_in_use: number;
  database_connections: number;
  http_active: number;
  redis_ready: number;
  redis_operations: number;
  models_loaded: number;
  model_memory_mb: number;
  memory_usage_percent: number;
  cpu_usage_percent: number;
  disk_usage_percent: number;
  alerts: number;
}

/** The body of GET /resources/monitoring/history. */
export interface MonitoringHistory {
  interval_s: number;
  capacity: number;
  points: HistoryPoint[];
}

/** One entry of `resources` in /resources/monitoring/stats. */
export interface ResourceView {
  state: string;
  required: boolean;
  operations: number;
  errors: number;
  pool?: PoolObservation;
  figures: Record<string, number | string | string[] | null>;
}
