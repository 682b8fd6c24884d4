/**
 * TieredCacheCore: the state and wiring behind TieredCache. It resolves the options, builds the
 * parts (L1 store, L2 guard and data, coalesced reads, single-flight loads, leases,
 * invalidation bus, counters) and connects their callbacks; TieredCache adds the public calls
 * on top. Split so the public API file reads as the cache's behaviour, not its plumbing.
 * Parts are plain fields (not behind a getter or a container object) because the L1 hit path
 * reads `l1` and `counters` on every call.
 */
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import {
  CACHE_RESOURCE_NAME,
  DEFAULT_BREAKER_HALF_OPEN_MS,
  DEFAULT_BREAKER_THRESHOLD,
  DEFAULT_GRACE_BACKOFF_MS,
  DEFAULT_LEASE_POLL_MS,
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_LEASE_WAIT_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
} from './cache.constants';
import { CacheLogger, TieredCacheOptions } from './cache.types';
import { DiskL2Data } from './tiered-cache.disk-data';
import { InvalidationBus } from './tiered-cache.invalidation';
import { L1Entry, L1Store } from './tiered-cache.l1';
import { L2Client } from './tiered-cache.l2';
import { L2Data } from './tiered-cache.l2-data';
import { L2Store } from './tiered-cache.l2-store';
import { Leases } from './tiered-cache.lease';
import { SingleFlightLoads } from './tiered-cache.loads';
import { CoalescedReads } from './tiered-cache.reads';
import { CacheCounters } from './tiered-cache.stats';
import { coarseMonotonicClock, warnOnceTo } from './tiered-cache.util';

export abstract class TieredCacheCore {
  /** Identifies this instance in invalidation messages, so it ignores its own. */
  readonly instanceId = randomUUID();
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttlSeconds: number;
  readonly maxValueBytes: number;
  readonly namespace: string;

  /** The raw lru-cache (L1Store.lru), held directly so an L1 hit costs one property read. */
  protected readonly l1: LRUCache<string, L1Entry>;
  protected readonly l1Store: L1Store;
  protected readonly l2: L2Client;
  /** Redis' L2Data, or the disk's DiskL2Data without Redis. */
  protected readonly l2Data: L2Store;
  protected readonly reads: CoalescedReads;
  protected readonly loads: SingleFlightLoads;
  protected readonly bus: InvalidationBus;
  protected readonly counters = new CacheCounters();
  protected readonly now: () => number;
  protected readonly defaultTtlMs: number;
  protected readonly sweepIntervalMs: number;

  protected stopped = false;
  protected sweepHandle?: NodeJS.Timeout;

  constructor(options: TieredCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.ttlSeconds = options.ttlSeconds ?? 3600;
    // A value bigger than the whole L1 could never be held there.
    this.maxValueBytes = Math.min(options.maxValueBytes ?? 1024 * 1024, this.maxBytes);
    this.namespace = options.namespace ?? 'cache';
    this.now = options.now ?? coarseMonotonicClock();
    const logger: CacheLogger = options.logger ?? new Logger('Cache');
    const warnOnce = warnOnceTo(logger);
    this.defaultTtlMs = Math.max(1, Math.round(this.ttlSeconds * 1000));
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;

    this.l1Store = new L1Store(
      {
        maxEntries: this.maxEntries,
        maxBytes: this.maxBytes,
        defaultTtlMs: this.defaultTtlMs,
        now: this.now,
      },
      this.counters,
    );
    this.l1 = this.l1Store.lru;
    this.l2 = new L2Client(
      { redis: options.redis, disk: options.disk },
      {
        namespace: this.namespace,
        timeoutMs: options.l2TimeoutMs ?? 2000,
        breakerThreshold: options.breakerThreshold ?? DEFAULT_BREAKER_THRESHOLD,
        breakerHalfOpenMs: options.breakerHalfOpenMs ?? DEFAULT_BREAKER_HALF_OPEN_MS,
        logger,
      },
    );
    // The bus is created below; the closure only runs once a write lands.
    const onWritten = (key: string) => this.bus.forget(key);
    this.l2Data =
      this.l2.backend === 'disk'
        ? new DiskL2Data(this.l2, this.namespace, onWritten, warnOnce)
        : new L2Data(this.l2, this.defaultTtlMs, onWritten);
    this.reads = new CoalescedReads(this.l2Data, this.l1Store, this.counters, this.l2Enabled);
    this.loads = new SingleFlightLoads(
      {
        l2Enabled: this.l2Enabled,
        defaultTtlMs: this.defaultTtlMs,
        graceBackoffMs: options.graceBackoffMs ?? DEFAULT_GRACE_BACKOFF_MS,
        maxValueBytes: this.maxValueBytes,
        leaseDefaults: {
          ttlMs: options.lease?.ttlMs ?? DEFAULT_LEASE_TTL_MS,
          waitMs: options.lease?.waitMs ?? DEFAULT_LEASE_WAIT_MS,
          pollMs: options.lease?.pollMs ?? DEFAULT_LEASE_POLL_MS,
        },
        now: this.now,
        warnOnce,
      },
      this.l1Store,
      this.reads,
      this.l2Data,
      new Leases(this.l2, this.instanceId, this.now, (key) => this.reads.read(key)),
      this.counters,
    );
    this.bus = new InvalidationBus(
      this.l2,
      this.l2Data,
      {
        instanceId: this.instanceId,
        isStopped: () => this.stopped,
        dropKey: (key) => {
          this.invalidatePending(key);
          this.l1.delete(key);
        },
        dropAll: () => {
          this.invalidateAllPending();
          this.l1.clear();
        },
      },
      this.counters,
      logger,
    );
    this.l2.onRecover = () => void this.bus.replay();
  }

  /** True when the cache has an L2: Redis, or the disk without Redis. */
  get l2Enabled(): boolean {
    return this.l2.backend !== 'none';
  }

  /** L2 reachable now: `up`, `down`, or `disabled` without one. */
  get l2State(): 'up' | 'down' | 'disabled' {
    return this.l2.state;
  }

  /** True after `close()`, until `start()`. */
  get closed(): boolean {
    return this.stopped;
  }

  /** The sweep's interval handle while started (CacheService registers it with SchedulerRegistry). */
  get sweepTimer(): NodeJS.Timeout | undefined {
    return this.sweepHandle;
  }

  // ---- internals -------------------------------------------------------------------------

  /** Cancels the load and the L2 read in flight for `key`: their results are out of date. */
  protected invalidatePending(key: string): void {
    this.loads.invalidate(key);
    this.reads.invalidate(key);
  }

  protected invalidateAllPending(): void {
    this.loads.invalidateAll();
    this.reads.invalidateAll();
  }

  protected assertOpen(): void {
    if (this.stopped) throw this.closedError();
  }

  protected closedError(): ResourceUnavailableError {
    return new ResourceUnavailableError(CACHE_RESOURCE_NAME, 'is shut down');
  }
}
