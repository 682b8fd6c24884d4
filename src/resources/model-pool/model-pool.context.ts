/**
 * The state every part of the pool shares: the entries, the resolved options, the clock, the
 * logger and the closed flag, plus the lookups on them. The scheduler, evictor and loads get
 * this one object instead of a back-reference to ModelPool, so none of them depends on it.
 */
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { round } from '../../common/util/round';
import {
  LOAD_RETRY_BASE_MS,
  LOAD_RETRY_MAX_MS,
  MIN_MODEL_FOOTPRINT_MB,
  MODEL_POOL_RESOURCE_NAME,
} from './model-pool.constants';
import { ModelNotAvailableError } from './model-pool.errors';
import { ModelLoaderRegistry } from './model-loader.registry';
import { ModelEntry } from './model-entry';
import { ModelPoolLogger, ModelPoolOptions } from './model-pool.options';
import { ModelSpec } from './model-pool.types';
import { ModelRegistry } from './model-registry';
import { defaultMeasureMemoryBytes, noop } from './model-pool.util';

export class PoolContext {
  readonly entries = new Map<string, ModelEntry>();
  readonly queueTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly minFootprintMb: number;
  readonly now: () => number;
  readonly measureMemoryBytes: () => number;
  readonly logger: ModelPoolLogger;
  closed = false;

  constructor(
    readonly registry: ModelRegistry,
    readonly loaders: ModelLoaderRegistry,
    readonly options: ModelPoolOptions,
  ) {
    this.queueTimeoutMs = options.loadQueueTimeoutMs ?? options.loadTimeoutMs;
    this.drainTimeoutMs = options.drainTimeoutMs ?? options.loadTimeoutMs;
    this.retryBaseMs = options.retryBaseMs ?? LOAD_RETRY_BASE_MS;
    this.retryMaxMs = options.retryMaxMs ?? LOAD_RETRY_MAX_MS;
    this.minFootprintMb = options.minFootprintMb ?? MIN_MODEL_FOOTPRINT_MB;
    this.now = options.now ?? (() => Date.now());
    this.measureMemoryBytes = options.measureMemoryBytes ?? defaultMeasureMemoryBytes;
    this.logger = options.logger ?? { log: noop, warn: noop };
    const preload = new Set(options.preload ?? []);
    for (const name of preload) registry.get(name); // 400/404 for a bad preload name
    for (const spec of registry.all()) {
      this.entries.set(spec.name, new ModelEntry(spec, preload.has(spec.name)));
    }
  }

  /** Every entry, in registry order (a copy, so callers may evict while iterating). */
  all(): ModelEntry[] {
    return [...this.entries.values()];
  }

  /** 400 for a bad name, 404 for an unknown one. */
  entryOf(name: string): ModelEntry {
    const spec = this.registry.get(name);
    return this.entries.get(spec.name) as ModelEntry;
  }

  /** Like entryOf, and 404 when the model cannot be used in this deployment. */
  usableEntry(name: string): ModelEntry {
    const entry = this.entryOf(name);
    const reason = this.unavailableReason(entry.spec);
    if (reason) throw new ModelNotAvailableError(entry.name, reason);
    return entry;
  }

  unavailableReason(spec: ModelSpec): string | undefined {
    const loader = this.loaders.get(spec.loader);
    if (!loader) return `no loader is registered for type ${spec.loader}`;
    return loader.unavailableReason?.(spec);
  }

  assertOpen(): void {
    if (this.closed) throw new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is closed');
  }

  /** MB charged against the budget: loaded, unloading, and loads that made room. */
  memoryUsedMb(): number {
    let sum = 0;
    for (const entry of this.entries.values()) sum += entry.memoryMb;
    return round(sum, 1);
  }

  /** Models holding a slot: loaded and loads that made room, plus unloading ones if asked. */
  slotsUsed(includeUnloading = false): number {
    let count = 0;
    for (const e of this.entries.values()) {
      if (e.state === 'loaded' || (e.state === 'loading' && e.reserved)) count += 1;
      else if (includeUnloading && e.state === 'unloading') count += 1;
    }
    return count;
  }
}
