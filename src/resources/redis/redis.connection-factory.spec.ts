import { Cluster, Redis } from 'ioredis';
import { validateConfig } from '../../config/app-config';
import { redisOptions } from '../../config/resource-options';
import { createRedisConnection, reconnectDelay, redisMode } from './redis.connection-factory';

/** The Redis options the app would build from these variables. */
const optionsFrom = (env: Record<string, string>) => redisOptions(validateConfig(env));

describe('redisMode', () => {
  it('is standalone with a REDIS_URL only', () => {
    expect(redisMode(optionsFrom({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe('standalone');
  });

  it('is sentinel when REDIS_SENTINELS is set', () => {
    expect(
      redisMode(optionsFrom({ REDIS_SENTINELS: 'a:26379,b:26379', REDIS_SENTINEL_NAME: 'm' })),
    ).toBe('sentinel');
  });

  it('is cluster when REDIS_CLUSTER_NODES is set, even with sentinels too', () => {
    expect(redisMode(optionsFrom({ REDIS_CLUSTER_NODES: 'a:7000,b:7001' }))).toBe('cluster');
    expect(
      redisMode(optionsFrom({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 'a:26379' })),
    ).toBe('cluster');
  });
});

describe('reconnectDelay', () => {
  afterEach(() => jest.restoreAllMocks());

  const withRandom = (value: number, times: number) => {
    jest.spyOn(Math, 'random').mockReturnValue(value);
    return reconnectDelay(times);
  };

  it.each([
    [0, 50, 100],
    [1, 100, 200],
    [3, 400, 800],
    [5, 1600, 3200],
  ])('grows exponentially: attempt %i waits between %i and %i ms', (times, low, high) => {
    expect(withRandom(0, times)).toBe(low);
    expect(withRandom(0.5, times)).toBe(Math.round((low + high) / 2));
    expect(withRandom(0.999_999, times)).toBe(high);
  });

  it.each([6, 10, 11, 50, 10_000])(
    'is capped at 5 s (2.5 to 5 s with jitter) from attempt 6 on: attempt %i',
    (times) => {
      expect(withRandom(0, times)).toBe(2500);
      expect(withRandom(0.999_999, times)).toBe(5000);
    },
  );

  it('never gives up: every attempt gets a delay, never null or an Error', () => {
    for (let times = 1; times <= 200; times++) {
      const delay = reconnectDelay(times);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(50);
      expect(delay).toBeLessThanOrEqual(5000);
    }
  });
});

describe('createRedisConnection', () => {
  const made: Array<Redis | Cluster> = [];
  const create = (env: Record<string, string>, role: 'command' | 'subscriber' = 'command') => {
    const connection = createRedisConnection(
      optionsFrom({ REDIS_CONNECT_TIMEOUT_MS: '1500', REDIS_COMMAND_TIMEOUT_MS: '700', ...env }),
      role,
    );
    made.push(connection);
    return connection;
  };
  afterEach(() => {
    for (const connection of made.splice(0)) connection.disconnect();
  });

  it('connects only when asked (lazyConnect): building a pool opens no socket', () => {
    const connection = create({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(connection.status).toBe('wait');
  });

  it('makes command connections fail fast while Redis is away, and bounds each command', () => {
    const { options } = create({ REDIS_URL: 'redis://127.0.0.1:6379' }) as Redis;
    expect(options).toMatchObject({
      enableOfflineQueue: false,
      commandTimeout: 700,
      connectTimeout: 1500,
      maxRetriesPerRequest: 1,
      retryStrategy: reconnectDelay,
      connectionName: 'captions-api:command',
    });
  });

  it('lets the subscriber queue its SUBSCRIBEs while reconnecting, with no command timeout', () => {
    const { options } = create({ REDIS_URL: 'redis://127.0.0.1:6379' }, 'subscriber') as Redis;
    expect(options.enableOfflineQueue).toBe(true);
    expect(options.commandTimeout).toBeUndefined();
    expect(options.connectionName).toBe('captions-api:subscriber');
  });

  it('takes host, port, user and percent-encoded password from the URL, and TLS from rediss:', () => {
    const { options } = create({
      REDIS_URL: 'rediss://app:p%40ss%3Aword@redis.example.com:6380/0',
    }) as Redis;
    expect(options).toMatchObject({
      host: 'redis.example.com',
      port: 6380,
      username: 'app',
      password: 'p@ss:word',
    });
    expect(options.tls).toBeTruthy();
  });

  it('uses no TLS for redis:', () => {
    const { options } = create({ REDIS_URL: 'redis://127.0.0.1:6379' }) as Redis;
    expect(options.tls).toBeUndefined();
  });

  it('in sentinel mode asks the sentinels for the named master', () => {
    const { options } = create({
      REDIS_SENTINELS: 'sentinel-a:26379,10.0.0.2:26380',
      REDIS_SENTINEL_NAME: 'captions',
    }) as Redis;
    expect(options.sentinels).toEqual([
      { host: 'sentinel-a', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
    ]);
    expect(options.name).toBe('captions');
    expect(options.sentinelRetryStrategy).toBe(reconnectDelay);
  });

  it('in cluster mode builds one Cluster client over the listed nodes', () => {
    const connection = create({ REDIS_CLUSTER_NODES: 'node-a:7000,node-b:7001' });
    expect(connection).toBeInstanceOf(Cluster);
    const cluster = connection as Cluster;
    expect(cluster.options).toMatchObject({
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: { commandTimeout: 700, lazyConnect: true },
    });
  });
});
