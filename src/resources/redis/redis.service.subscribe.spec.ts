import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { validateConfig } from '../../config/app-config';
import { redisOptions } from '../../config/resource-options';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState } from '../registry/resource-state';
import { createRedisConnection } from './redis.connection-factory';
import { RedisService } from './redis.service';

/**
 * A Redis connection without Redis: records SUBSCRIBE / UNSUBSCRIBE, can be told to fail them,
 * and plays `ready`, `error` and `message` events as ioredis would.
 */
class FakeConnection extends EventEmitter {
  status = 'wait';
  subscribeCalls: string[][] = [];
  unsubscribeCalls: string[][] = [];
  failSubscribe = false;

  async connect(): Promise<void> {
    this.becomeReady();
  }

  becomeReady(): void {
    this.status = 'ready';
    this.emit('ready');
  }

  drop(message = 'connect ECONNREFUSED 127.0.0.1:6379'): void {
    this.status = 'reconnecting';
    this.emit('error', new Error(message));
  }

  async subscribe(...channels: string[]): Promise<number> {
    this.subscribeCalls.push(channels);
    if (this.failSubscribe) throw new Error('Connection is closed.');
    return channels.length;
  }

  async unsubscribe(...channels: string[]): Promise<number> {
    this.unsubscribeCalls.push(channels);
    return 0;
  }

  async ping(): Promise<string> {
    return 'PONG';
  }

  async quit(): Promise<string> {
    this.status = 'end';
    return 'OK';
  }

  disconnect(): void {
    this.status = 'end';
  }
}

jest.mock('./redis.connection-factory', () => ({
  ...jest.requireActual<object>('./redis.connection-factory'),
  createRedisConnection: jest.fn(),
}));

describe('RedisService subscriptions and outages (fake connections)', () => {
  let commands: FakeConnection[];
  let subscriber: FakeConnection;
  let redis: RedisService;

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    commands = [];
    jest.mocked(createRedisConnection).mockImplementation((_config, role) => {
      const connection = new FakeConnection();
      if (role === 'subscriber') subscriber = connection;
      else commands.push(connection);
      return connection as never;
    });
    redis = new RedisService(
      redisOptions(validateConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_POOL_SIZE: '2' })),
      { register: () => undefined } as unknown as ResourceRegistry,
    );
    await redis.init();
  });

  afterEach(async () => {
    await redis.shutdown();
    jest.restoreAllMocks();
  });

  /** A message from Redis on `channel`, as the subscriber connection delivers it. */
  const deliver = (channel: string, message: string) =>
    subscriber.emit('message', channel, message);

  it('opens REDIS_POOL_SIZE command connections and one subscriber, and is ready', () => {
    expect(commands).toHaveLength(2);
    expect(redis.state).toBe(ResourceState.READY);
    expect(redis.stats()).toMatchObject({
      pool_size: 2,
      connections: { ready: 2, connecting: 0, closed: 0 },
      subscriber: 'ready',
    });
  });

  it('records a channel only once Redis confirmed the SUBSCRIBE, so a retry subscribes for real', async () => {
    subscriber.failSubscribe = true;
    const handler = jest.fn();
    await expect(redis.subscribe('bus', handler)).rejects.toThrow('Connection is closed.');
    expect(redis.subscribedChannels()).toEqual([]);
    deliver('bus', 'lost');
    expect(handler).not.toHaveBeenCalled();

    subscriber.failSubscribe = false;
    await redis.subscribe('bus', handler);
    expect(subscriber.subscribeCalls).toEqual([['bus'], ['bus']]);
    expect(redis.subscribedChannels()).toEqual(['bus']);
    deliver('bus', 'hello');
    expect(handler).toHaveBeenCalledWith('hello');
  });

  it('sends one SUBSCRIBE per channel and delivers each message to every handler of that channel only', async () => {
    const first = jest.fn();
    const second = jest.fn();
    const other = jest.fn();
    await redis.subscribe('bus', first);
    await redis.subscribe('bus', second);
    await redis.subscribe('other', other);
    expect(subscriber.subscribeCalls).toEqual([['bus'], ['other']]);

    deliver('bus', 'm1');
    expect(first).toHaveBeenCalledWith('m1');
    expect(second).toHaveBeenCalledWith('m1');
    expect(other).not.toHaveBeenCalled();
    deliver('nobody-listens', 'm2');
    expect(first).toHaveBeenCalledTimes(1);
  });

  it('keeps delivering to the other handlers when one throws', async () => {
    const after = jest.fn();
    await redis.subscribe('bus', () => {
      throw new Error('handler bug');
    });
    await redis.subscribe('bus', after);
    expect(() => deliver('bus', 'm')).not.toThrow();
    expect(after).toHaveBeenCalledWith('m');
  });

  it('UNSUBSCRIBEs only when the last handler of a channel leaves', async () => {
    const offFirst = await redis.subscribe('bus', jest.fn());
    const second = jest.fn();
    const offSecond = await redis.subscribe('bus', second);

    await offFirst();
    expect(subscriber.unsubscribeCalls).toEqual([]);
    expect(redis.subscribedChannels()).toEqual(['bus']);
    deliver('bus', 'still');
    expect(second).toHaveBeenCalledWith('still');

    await offSecond();
    expect(subscriber.unsubscribeCalls).toEqual([['bus']]);
    expect(redis.subscribedChannels()).toEqual([]);
  });

  it('forgets a channel without UNSUBSCRIBE while the subscriber is down, and does not resubscribe it', async () => {
    const off = await redis.subscribe('bus', jest.fn());
    subscriber.drop();
    await off();
    expect(subscriber.unsubscribeCalls).toEqual([]);
    expect(redis.subscribedChannels()).toEqual([]);
    subscriber.becomeReady();
    expect(subscriber.subscribeCalls).toEqual([['bus']]);
  });

  it('an old unsubscribe does not remove a later subscription of the same channel', async () => {
    const offOld = await redis.subscribe('bus', jest.fn());
    await offOld();
    const current = jest.fn();
    await redis.subscribe('bus', current);
    await offOld();
    expect(redis.subscribedChannels()).toEqual(['bus']);
    deliver('bus', 'm');
    expect(current).toHaveBeenCalledWith('m');
    expect(subscriber.unsubscribeCalls).toEqual([['bus']]);
  });

  it('subscribes again to every recorded channel, in one SUBSCRIBE, after the subscriber reconnects', async () => {
    await redis.subscribe('bus', jest.fn());
    await redis.subscribe('other', jest.fn());
    subscriber.drop();
    subscriber.becomeReady();
    expect(subscriber.subscribeCalls).toEqual([['bus'], ['other'], ['bus', 'other']]);
  });

  it('survives a failed re-subscribe: the channels stay recorded for the next reconnect', async () => {
    await redis.subscribe('bus', jest.fn());
    subscriber.failSubscribe = true;
    subscriber.becomeReady();
    await new Promise((resolve) => setImmediate(resolve));
    expect(redis.subscribedChannels()).toEqual(['bus']);
    subscriber.failSubscribe = false;
    subscriber.becomeReady();
    expect(subscriber.subscribeCalls).toEqual([['bus'], ['bus'], ['bus']]);
  });

  it('goes to error when a connection fails, serves on the others, and is ready again when one is back', async () => {
    commands[0].drop('read ECONNRESET');
    expect(redis.state).toBe(ResourceState.ERROR);
    expect(redis.stats()).toMatchObject({ last_error: 'read ECONNRESET' });
    // The other connection still takes commands.
    await expect(redis.run((client) => client.ping())).resolves.toBe('PONG');

    commands[0].becomeReady();
    expect(redis.state).toBe(ResourceState.READY);
  });

  it('stays in error while only the subscriber is back, and refuses commands with no connection up', async () => {
    for (const connection of commands) connection.drop();
    subscriber.drop();
    expect(redis.available).toBe(false);
    const error = await redis.run((client) => client.ping()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceUnavailableError);
    expect(error).toMatchObject({
      code: 'E_RESOURCE_UNAVAILABLE',
      message: 'redis is not connected',
    });

    subscriber.becomeReady();
    expect(redis.state).toBe(ResourceState.ERROR);
    commands[1].becomeReady();
    expect(redis.state).toBe(ResourceState.READY);
    expect(redis.available).toBe(true);
    expect(redis.stats()).toMatchObject({ errors: 1, operations: 1 });
  });

  it('forgets every subscription on shutdown and refuses new ones', async () => {
    await redis.subscribe('bus', jest.fn());
    await redis.shutdown();
    expect(redis.subscribedChannels()).toEqual([]);
    await expect(redis.subscribe('bus', jest.fn())).rejects.toBeInstanceOf(
      ResourceUnavailableError,
    );
  });
});
