/**
 * A ModelPool over the test worker model (test.worker-model.ts) run in real worker threads,
 * for the specs across the thread boundary.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { ModelLoaderRegistry } from '../model-loader.registry';
import { ModelPool } from '../model-pool';
import type { ModelSpec } from '../model-pool.types';
import { ModelRegistry } from '../model-registry';
import type { ModelWorkerSettings } from '../workers/model-worker-settings';
import { ModelWorkers } from '../workers/model-workers';

export const TEST_WORKER_MODEL = require.resolve('./test.worker-model');
export const TEST_WORKER_METHODS = [
  'echo',
  'spin',
  'sleep',
  'fail',
  'failTyped',
  'hang',
  'exit',
  'grow',
  'threadId',
  'priority',
  'generate',
] as const;

/** A model of the test worker type; `options` shape its load (sizeMb, loadDelayMs, failLoad). */
export function workerSpec(name: string, options: Record<string, unknown> = {}): ModelSpec {
  return { name, loader: 'test-worker', options, estimated_mb: 10 };
}

export function workerPool(
  specs: ModelSpec[],
  settings: Partial<ModelWorkerSettings> = {},
  resourceLimits?: ResourceLimits,
): { pool: ModelPool; workers: ModelWorkers } {
  const workers = new ModelWorkers(
    { threads: 1, queueLimit: 8, inferenceTimeoutMs: 10_000, ...settings },
    { log: () => undefined, warn: () => undefined },
  );
  const loaders = new ModelLoaderRegistry().register(
    'test-worker',
    workers.loaderFor({ module: TEST_WORKER_MODEL, methods: TEST_WORKER_METHODS, resourceLimits }),
  );
  const pool = new ModelPool(new ModelRegistry(specs), loaders, {
    cacheSize: 5,
    memoryLimitMb: 1024,
    maxConcurrentLoads: 2,
    // Generous: each thread compiles the test model and measures its heap, and on a saturated
    // two-core machine (CI beside another test run) one such load was seen to take over 20 s.
    loadTimeoutMs: 45_000,
    idleTtlMs: 3_600_000,
    workers: () => workers.stats(),
  });
  return { pool, workers };
}
