import { join } from 'node:path';
import { validateConfig } from './app-config';
import {
  cacheOptions,
  databaseOptions,
  httpPoolOptions,
  modelPoolOptions,
  redisOptions,
  storageOptions,
} from './resource-options';

/** The validated configuration of these environment-style settings. */
const config = (env: Record<string, string> = {}) => validateConfig({ NODE_ENV: 'test', ...env });

describe('resource options built from the validated configuration', () => {
  it('storage: STORAGE_DIR wins; unset, the folder is <DATA_DIR>/storage; MB and seconds become bytes and ms', () => {
    expect(
      storageOptions(config({ STORAGE_DIR: '/srv/files', STORAGE_QUOTA_MB: '3' })),
    ).toMatchObject({ directory: '/srv/files', quotaBytes: 3 * 1024 * 1024 });
    expect(
      storageOptions(config({ DATA_DIR: '/var/lib/app', STORAGE_CLEANUP_INTERVAL_S: '7' })),
    ).toEqual({
      directory: join('/var/lib/app', 'storage'),
      quotaBytes: 1024 * 1024 * 1024,
      cleanupIntervalMs: 7000,
    });
  });

  it('database: embedded without DATABASE_URL, the server with it; pool settings as given', () => {
    expect(databaseOptions(config({ DATA_DIR: '/d' }))).toMatchObject({
      url: undefined,
      embedded: true,
      dataDir: '/d',
    });
    const url = 'postgres://app@db.example.com:5432/captions';
    expect(
      databaseOptions(
        config({
          DATABASE_URL: url,
          DATABASE_POOL_SIZE: '4',
          DATABASE_MAX_OVERFLOW: '6',
          DATABASE_ACQUIRE_TIMEOUT_MS: '1234',
          DATABASE_STATEMENT_TIMEOUT_MS: '4321',
          DATABASE_IDLE_TIMEOUT_MS: '999',
          DATABASE_CONNECT_RETRIES: '3',
        }),
      ),
    ).toMatchObject({
      url,
      embedded: false,
      poolSize: 4,
      maxOverflow: 6,
      acquireTimeoutMs: 1234,
      statementTimeoutMs: 4321,
      idleTimeoutMs: 999,
      connectRetries: 3,
    });
  });

  it('redis: enabled by a URL, by sentinels or by cluster nodes, disabled by none of them', () => {
    expect(redisOptions(config()).enabled).toBe(false);
    expect(redisOptions(config({ REDIS_URL: 'redis://127.0.0.1:6379' })).enabled).toBe(true);
    expect(
      redisOptions(config({ REDIS_SENTINELS: 'a:26379,b:26380', REDIS_SENTINEL_NAME: 'm' })),
    ).toMatchObject({ enabled: true, sentinels: ['a:26379', 'b:26380'], sentinelName: 'm' });
    expect(redisOptions(config({ REDIS_CLUSTER_NODES: 'n:7000' }))).toMatchObject({
      enabled: true,
      clusterNodes: ['n:7000'],
    });
    expect(
      redisOptions(
        config({
          REDIS_POOL_SIZE: '3',
          REDIS_COMMAND_TIMEOUT_MS: '250',
          REDIS_CONNECT_TIMEOUT_MS: '900',
          REDIS_KEY_PREFIX: 'x:',
        }),
      ),
    ).toMatchObject({ poolSize: 3, commandTimeoutMs: 250, connectTimeoutMs: 900, keyPrefix: 'x:' });
  });

  it('http pool: HTTP_TIMEOUT seconds become ms; the shutdown grace is the server one', () => {
    expect(
      httpPoolOptions(
        config({ HTTP_TIMEOUT: '7', HTTP_MAX_CONNECTIONS: '12', SHUTDOWN_GRACE_MS: '321' }),
      ),
    ).toMatchObject({ timeoutMs: 7000, maxConnections: 12, shutdownGraceMs: 321 });
  });

  it('model pool: MODEL_IDLE_TTL seconds become ms; MODEL_CONFIG and MODEL_PRELOAD carried over', () => {
    expect(
      modelPoolOptions(
        config({
          MODEL_IDLE_TTL: '90',
          MODEL_CONFIG: '/etc/models.json',
          MODEL_PRELOAD: 'a,b',
          MODEL_MEMORY_LIMIT_MB: '512',
        }),
      ),
    ).toMatchObject({
      idleTtlMs: 90_000,
      modelConfigPath: '/etc/models.json',
      preload: ['a', 'b'],
      memoryLimitMb: 512,
    });
  });

  it('cache: sizes and namespace as given; each second-level call bounded by the Redis command timeout', () => {
    expect(
      cacheOptions(
        config({
          CACHE_SIZE: '11',
          CACHE_TTL: '60',
          CACHE_NAMESPACE: 'c2',
          REDIS_COMMAND_TIMEOUT_MS: '345',
        }),
      ),
    ).toMatchObject({ maxEntries: 11, ttlSeconds: 60, namespace: 'c2', l2TimeoutMs: 345 });
  });

  it('a resource profile reaches the options through the validated configuration', () => {
    const small = config({ RESOURCE_PROFILE: 'small' });
    expect(databaseOptions(small).poolSize).toBe(10);
    expect(redisOptions(small).poolSize).toBe(10);
    expect(httpPoolOptions(small).maxConnections).toBe(50);
    expect(cacheOptions(small).maxEntries).toBe(5000);
  });
});
