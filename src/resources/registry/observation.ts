/**
 * How observers (monitoring, /metrics, the self-test, the health summary) see a resource. Each
 * resource declares it in its own folder; observers iterate `ResourceRegistry.all()` and never
 * import a resource's folder, so adding a resource touches only that folder and its module.
 * The resource's one name is the key everywhere: health check, `error_sources`, `pool` label.
 */

/** A connection pool, for the `pool_*` series and the "pool over 90 % in use" alert. */
export interface PoolObservation {
  /** Connections by state, e.g. `in_use`/`idle` or `ready`/`connecting`/`closed`. */
  connections: Record<string, number>;
  /** Most connections the pool may open. */
  max: number;
  /** Callers waiting for a connection; left out by a pool that has no queue. */
  pending?: number;
  /** Connections in use, percent of `max`; left out by a pool that cannot say (multiplexed). */
  usage_percent?: number;
  /** Whether `usage_percent` counts toward the "pool over 90 % in use" alert now. */
  alertable: boolean;
}

/** What one resource shows its observers, read whenever they collect. */
export interface ResourceObservation {
  /** Operations run since start (queries, commands, requests, lookups, inferences). */
  operations: number;
  /** Failed operations since start: the resource's line of `error_sources`. */
  errors: number;
  pool?: PoolObservation;
  /** The resource's own figures for /resources/monitoring/stats and the dashboard. */
  figures: Record<string, number | string | string[] | null>;
}

/**
 * One resource's part in POST /resources/testing/performance: the operations of one round, each
 * run and timed on its own (the cache: a set, then a get), `skip` when the resource cannot be
 * exercised here (not configured), and what to tidy once the rounds are over.
 */
export interface SelfTestPlan {
  operations: ReadonlyArray<(round: number) => Promise<unknown>>;
  /** Why nothing runs (the answer says `skipped` with this reason). */
  skip?: string;
  /** Runs once after the last round, e.g. removes the keys the rounds wrote; never throws. */
  cleanup?(rounds: number): Promise<unknown>;
}
