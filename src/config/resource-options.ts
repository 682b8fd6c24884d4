import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { CacheOptions } from '../resources/cache/cache.options';
import { DatabaseOptions } from '../resources/database/database.options';
import { HttpPoolOptions } from '../resources/http-pool/http-pool.options';
import { ModelPoolModuleOptions } from '../resources/model-pool/model-pool.options';
import { ModelWorkerSettings } from '../resources/model-pool/workers/model-worker-settings';
import { RedisOptions } from '../resources/redis/redis.options';
import { StorageOptions } from '../resources/storage/storage.options';
import { AppConfig } from './app-config';

/**
 * The one place the resource modules' options are built from the validated configuration:
 * variable names, units (seconds and MB in the environment, ms and bytes in the code) and
 * derived settings are resolved here, so no resource reads AppConfig.
 */

const MIB = 1024 * 1024;

export function storageOptions(config: AppConfig): StorageOptions {
  return {
    directory: config.STORAGE_DIR ?? join(config.DATA_DIR, 'storage'),
    quotaBytes: config.STORAGE_QUOTA_MB * MIB,
    cleanupIntervalMs: config.STORAGE_CLEANUP_INTERVAL_S * 1000,
  };
}

export function databaseOptions(config: AppConfig): DatabaseOptions {
  return {
    url: config.DATABASE_URL,
    embedded: config.databaseEmbedded,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    maxOverflow: config.DATABASE_MAX_OVERFLOW,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: config.DATABASE_IDLE_TIMEOUT_MS,
    connectRetries: config.DATABASE_CONNECT_RETRIES,
  };
}

export function redisOptions(config: AppConfig): RedisOptions {
  return {
    enabled: config.redisEnabled,
    url: config.REDIS_URL,
    sentinels: config.REDIS_SENTINELS,
    sentinelName: config.REDIS_SENTINEL_NAME,
    clusterNodes: config.REDIS_CLUSTER_NODES,
    poolSize: config.REDIS_POOL_SIZE,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
    keyPrefix: config.REDIS_KEY_PREFIX,
  };
}

export function httpPoolOptions(config: AppConfig): HttpPoolOptions {
  return {
    timeoutMs: config.HTTP_TIMEOUT * 1000,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    retries: config.HTTP_RETRIES,
    maxResponseBytes: config.HTTP_MAX_RESPONSE_BYTES,
    breakerThreshold: config.HTTP_BREAKER_THRESHOLD,
    breakerHalfOpenMs: config.HTTP_BREAKER_HALF_OPEN_MS,
    freeSocketTimeoutMs: config.HTTP_FREE_SOCKET_TIMEOUT_MS,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
  };
}

export function modelPoolOptions(config: AppConfig): ModelPoolModuleOptions {
  return {
    modelConfigPath: config.MODEL_CONFIG,
    preload: config.MODEL_PRELOAD,
    cacheSize: config.MODEL_CACHE_SIZE,
    memoryLimitMb: config.MODEL_MEMORY_LIMIT_MB,
    maxConcurrentLoads: config.MODEL_MAX_CONCURRENT_LOADS,
    loadTimeoutMs: config.MODEL_LOAD_TIMEOUT_MS,
    idleTtlMs: config.MODEL_IDLE_TTL * 1000,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    workers: modelWorkerSettings(config),
  };
}

/** MODEL_WORKERS unset: one thread per core but one, left to the event loop; at least 1. */
export function modelWorkerSettings(config: AppConfig): ModelWorkerSettings {
  const heapMb = config.MODEL_WORKER_MAX_HEAP_MB;
  return {
    threads: config.MODEL_WORKERS ?? Math.max(1, availableParallelism() - 1),
    queueLimit: config.MODEL_WORKER_QUEUE,
    inferenceTimeoutMs: config.MODEL_INFERENCE_TIMEOUT_MS,
    nice: config.MODEL_WORKER_NICE,
    resourceLimits: heapMb === undefined ? undefined : { maxOldGenerationSizeMb: heapMb },
  };
}

export function cacheOptions(config: AppConfig): CacheOptions {
  return {
    maxEntries: config.CACHE_SIZE,
    maxBytes: config.CACHE_MAX_BYTES,
    ttlSeconds: config.CACHE_TTL,
    maxValueBytes: config.CACHE_MAX_VALUE_BYTES,
    namespace: config.CACHE_NAMESPACE,
    // A call to the second level is bounded like any Redis command.
    l2TimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  };
}
