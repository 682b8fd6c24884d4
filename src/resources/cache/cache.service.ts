import { Inject, Injectable, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { MetricDefinitions } from '../../common/metrics/metric-definitions';
import { REDIS_RESOURCE_NAME, RedisService } from '../redis/redis.service';
import { ManagedResourceBase, ResourceHealth } from '../registry/managed-resource';
import type { ResourceObservation, SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceType } from '../registry/resource-state';
import { STORAGE_RESOURCE_NAME } from '../storage/storage.constants';
import { StorageService } from '../storage/storage.service';
import { CACHE_RESOURCE_NAME, SWEEP_INTERVAL_NAME } from './cache.constants';
import { defineCacheMetrics } from './cache.metrics';
import { CACHE_OPTIONS } from './cache.module-definition';
import { cacheSelfTest, observeCache } from './cache.observation';
import { CacheOptions } from './cache.options';
import { CacheStats, GetOrSetOptions, SetOptions } from './cache.types';
import { TieredCache } from './tiered-cache';

/** `/resources/cache/status`: the cache's counters plus its lifecycle state. */
export type CacheStatus = CacheStats & { state: string };

/**
 * The shared two-level cache as a managed resource named `cache`: L1 in process, L2 in Redis
 * when REDIS_URL (or Sentinel/Cluster) is set, else on the file storage (`storage`) when the
 * app has it. The work is done by `TieredCache`; this class builds it from CacheOptions, ties
 * it to the resource lifecycle (init starts the expired-entry sweep and the invalidation
 * subscription, shutdown stops them and empties L1), and registers the sweep with
 * @nestjs/schedule when ScheduleModule is loaded.
 *
 * The cache serves from construction on, so providers may use it in their own onModuleInit;
 * after `shutdown()` calls fail with ResourceUnavailableError (503) until `init()`.
 */
@Injectable()
export class CacheService extends ManagedResourceBase {
  private readonly cache: TieredCache;

  constructor(
    @Inject(CACHE_OPTIONS) options: CacheOptions,
    registry: ResourceRegistry,
    @Optional() redis?: RedisService,
    @Optional() private readonly scheduler?: SchedulerRegistry,
    @Optional() storage?: StorageService,
  ) {
    super(CACHE_RESOURCE_NAME, ResourceType.CACHE, {
      required: false,
      dependsOn: redis ? [REDIS_RESOURCE_NAME] : [], // its second level, when the app has Redis
    });
    // Without Redis, the file storage is the second level: the cache outlives a restart.
    const disk = redis?.enabled ? undefined : storage;
    this.cache = new TieredCache({
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
      ttlSeconds: options.ttlSeconds,
      maxValueBytes: options.maxValueBytes,
      namespace: options.namespace,
      redis: redis?.enabled ? redis : undefined,
      disk,
      l2TimeoutMs: options.l2TimeoutMs,
      logger: this.logger,
    });
    if (disk) this.addDependency(STORAGE_RESOURCE_NAME);
    registry.register(this);
  }

  /** Default TTL, seconds (`ttlSeconds`). */
  get defaultTtl(): number {
    return this.cache.ttlSeconds;
  }

  /** True after shutdown, until the next init. */
  get closed(): boolean {
    return this.cache.closed;
  }

  /** See TieredCache.get: the fresh value or undefined; misses share one L2 read. */
  get<T = unknown>(key: string): Promise<T | undefined> {
    return this.cache.get<T>(key);
  }

  /** See TieredCache.getOrSet: cached value or the loader's, loader run once per key at a time. */
  getOrSet<T>(key: string, loader: () => T | Promise<T>, options?: GetOrSetOptions): Promise<T> {
    return this.cache.getOrSet(key, loader, options);
  }

  /** See TieredCache.set: 400/413 for values JSON cannot carry or that are too large. */
  set(key: string, value: unknown, options?: SetOptions): Promise<void> {
    return this.cache.set(key, value, options);
  }

  /** Removes the key here, in Redis and in every instance's L1. */
  del(key: string): Promise<boolean> {
    return this.cache.del(key);
  }

  /** Empties every instance's L1 and this namespace in Redis; other Redis keys are untouched. */
  clear(): Promise<{ l1: number; l2: number }> {
    return this.cache.clear();
  }

  /** Fresh value and remaining fresh time, without counting a hit or a miss (admin reads). */
  inspect(key: string): Promise<{ value: unknown; ttlRemainingMs: number } | undefined> {
    return this.cache.inspect(key);
  }

  /** Drops expired L1 entries now; returns how many. */
  sweep(): number {
    return this.cache.sweep();
  }

  /** For the status endpoint and the monitoring module. */
  stats(): CacheStatus {
    return { ...this.cache.stats(), state: this.state };
  }

  observe(): ResourceObservation {
    return observeCache(this.stats());
  }

  defineMetrics(m: MetricDefinitions): void {
    defineCacheMetrics(m, () => this.stats());
  }

  selfTestPlan(): SelfTestPlan {
    return cacheSelfTest(this);
  }

  protected async doInit(): Promise<void> {
    await this.cache.start();
    const timer = this.cache.sweepTimer;
    if (this.scheduler && timer) {
      if (this.scheduler.doesExist('interval', SWEEP_INTERVAL_NAME)) {
        this.scheduler.deleteInterval(SWEEP_INTERVAL_NAME);
      }
      this.scheduler.addInterval(SWEEP_INTERVAL_NAME, timer);
    }
  }

  protected async doShutdown(): Promise<void> {
    if (this.scheduler?.doesExist('interval', SWEEP_INTERVAL_NAME)) {
      this.scheduler.deleteInterval(SWEEP_INTERVAL_NAME);
    }
    await this.cache.close();
  }

  /** Healthy with L2 up or not configured; degraded (still serving from L1) while L2 is down. */
  protected async probe(): Promise<ResourceHealth> {
    const l2 = this.cache.l2State;
    const details = { size: this.cache.stats().size, l2 };
    return { status: l2 === 'down' ? 'degraded' : 'healthy', details };
  }
}
