/**
 * Builds the `/resources/models/status` body from the entries and the pool's counters. Pure
 * formatting (ISO dates, one-decimal MB, averages), kept out of the pool's control flow.
 */
import { round } from '../../common/util/round';
import { ModelEntry } from './model-entry';
import { EvictionReason, ModelPoolStatus, ModelStatus } from './model-pool.types';
import { iso } from './model-pool.util';
import type { WorkerPoolStats } from './workers/worker-model.types';

/** One model's row; `unavailable` is the reason it cannot be used here, if any. */
export function entryStatus(e: ModelEntry, unavailable: string | undefined): ModelStatus {
  return {
    name: e.name,
    state: unavailable && e.state === 'unloaded' ? 'unavailable' : e.state,
    memory_mb: round(e.memoryMb, 1),
    loaded_at: iso(e.loadedAt),
    last_access: iso(e.lastAccess),
    access_count: e.accessCount,
    load_time_ms: e.loadTimeMs ?? null,
    in_use: e.leases > 0,
    leases: e.leases,
    loader: e.spec.loader,
    description: e.spec.description ?? null,
    estimated_mb: e.knownMb ?? e.spec.estimated_mb,
    measured: e.knownMb !== undefined,
    preload: e.preload,
    available: !unavailable,
    unavailable_reason: unavailable ?? null,
    inferences: e.inferences,
    avg_inference_ms: e.inferences > 0 ? round(e.inferenceMsTotal / e.inferences, 1) : null,
    errors: e.errors,
    last_error: e.lastError ?? null,
    retry_at: e.state === 'error' ? iso(e.retryAt) : null,
  };
}

/** What the pool-wide part of the status is made from. */
export interface PoolTotals {
  models: ModelStatus[];
  available: string[];
  cacheSize: number;
  memoryLimitMb: number;
  memoryUsedMb: number;
  loads: number;
  loadFailures: number;
  evictions: Record<EvictionReason, number>;
  loadsInProgress: number;
  maxConcurrentLoads: number;
  workers: WorkerPoolStats;
}

export function poolStatus(t: PoolTotals): ModelPoolStatus {
  const evictions = Object.values(t.evictions).reduce((a, b) => a + b, 0);
  return {
    models: t.models,
    available: t.available,
    cache_size: t.cacheSize,
    memory_limit_mb: t.memoryLimitMb,
    memory_used_mb: t.memoryUsedMb,
    loads: t.loads,
    load_failures: t.loadFailures,
    evictions,
    evictions_by_reason: { ...t.evictions },
    loads_in_progress: t.loadsInProgress,
    max_concurrent_loads: t.maxConcurrentLoads,
    workers: { ...t.workers },
  };
}
