import { Cluster, Redis, RedisOptions as IoRedisOptions } from 'ioredis';
import { RedisOptions } from './redis.options';

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';
export type RedisConnection = Redis | Cluster;

export function redisMode(options: RedisOptions): RedisMode {
  if (options.clusterNodes?.length) return 'cluster';
  if (options.sentinels?.length) return 'sentinel';
  return 'standalone';
}

/** Reconnect forever with capped, jittered exponential backoff: Redis coming back is noticed by itself. */
export function reconnectDelay(times: number): number {
  const base = Math.min(100 * 2 ** Math.min(times, 10), 5000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

function hostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
}

/**
 * Builds one ioredis connection for the configured mode. Commands fail fast rather than queue
 * while the connection is down (`enableOfflineQueue: false`, i.e. an offline queue bounded at
 * zero once connected): a cache that waits on a dead Redis stalls requests, which is the bug
 * users of @nestjs/cache-manager report. `commandTimeout` bounds a command on a live but slow
 * server.
 */
export function createRedisConnection(
  settings: RedisOptions,
  role: 'command' | 'subscriber',
): RedisConnection {
  const options: IoRedisOptions = {
    lazyConnect: true,
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: role === 'command' ? settings.commandTimeoutMs : undefined,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: role === 'subscriber',
    enableAutoPipelining: role === 'command',
    retryStrategy: reconnectDelay,
    connectionName: `captions-api:${role}`,
  };
  const url = settings.url ? new URL(settings.url) : undefined;
  const auth = url
    ? {
        username: decodeURIComponent(url.username) || undefined,
        password: decodeURIComponent(url.password) || undefined,
      }
    : {};
  const tls = url?.protocol === 'rediss:' ? { tls: {} } : {};
  switch (redisMode(settings)) {
    case 'cluster':
      return new Cluster((settings.clusterNodes ?? []).map(hostPort), {
        lazyConnect: true,
        enableOfflineQueue: options.enableOfflineQueue,
        enableAutoPipelining: options.enableAutoPipelining,
        clusterRetryStrategy: reconnectDelay,
        redisOptions: { ...options, ...auth, ...tls, lazyConnect: true },
      });
    case 'sentinel':
      return new Redis({
        ...options,
        ...auth,
        ...tls,
        sentinels: (settings.sentinels ?? []).map(hostPort),
        name: settings.sentinelName ?? 'mymaster',
        sentinelRetryStrategy: reconnectDelay,
      });
    default:
      return new Redis(settings.url as string, options);
  }
}
