import { Logger } from '@nestjs/common';
import {
  IllegalStateTransitionError,
  ResourceUnavailableError,
} from '../../common/errors/app-errors';
import { ResourceRegistry } from './resource-registry.service';
import { ResourceState, ResourceType, canTransition } from './resource-state';
import { RecordingResource } from './testing/recording-resource';

Logger.overrideLogger(false);

describe('ManagedResourceBase', () => {
  it('coalesces concurrent init calls and treats a second init as a no-op', async () => {
    const r = new RecordingResource();
    await Promise.all([r.init(), r.init(), r.init()]);
    await r.init();
    expect(r.opens).toBe(1);
    expect(r.state).toBe(ResourceState.READY);
  });

  it('shuts down once, however often asked, and refuses use afterwards with a typed error', async () => {
    const r = new RecordingResource();
    await r.init();
    await Promise.all([r.shutdown(), r.shutdown()]);
    await r.shutdown();
    expect(r.closes).toBe(1);
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(() => r.use()).toThrow(ResourceUnavailableError);
    expect((await r.health()).status).toBe('unhealthy');
  });

  it('re-initializes after shutdown', async () => {
    const r = new RecordingResource();
    await r.init();
    await r.shutdown();
    await r.init();
    expect(r.state).toBe(ResourceState.READY);
    expect(r.use()).toBe('ok');
  });

  it('moves to error when init fails and can be initialized again', async () => {
    const r = new RecordingResource();
    r.openFailure = new Error('backend down');
    await expect(r.init()).rejects.toThrow('backend down');
    expect(r.state).toBe(ResourceState.ERROR);
    r.openFailure = undefined;
    await r.init();
    expect(r.state).toBe(ResourceState.READY);
  });

  it('records runtime errors and recovery, counting every transition', async () => {
    const r = new RecordingResource();
    await r.init();
    r.fail('connection lost');
    expect(r.state).toBe(ResourceState.ERROR);
    expect(r.use()).toBe('ok'); // calls may still try: that is how recovery is noticed
    r.recover();
    r.saturate(true);
    r.saturate(false);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->ready': 1,
      'ready->error': 1,
      'error->ready': 1,
      'ready->busy': 1,
      'busy->ready': 1,
    });
  });

  it('rejects illegal transitions', async () => {
    const r = new RecordingResource();
    expect(() => r.forceMove(ResourceState.READY)).toThrow(IllegalStateTransitionError);
    expect(canTransition(ResourceState.CLOSED, ResourceState.BUSY)).toBe(false);
    expect(canTransition(ResourceState.ERROR, ResourceState.READY)).toBe(true);
  });

  it('is disabled when not configured, and reports so in health', async () => {
    const r = new RecordingResource();
    r.disabled = true;
    await r.init();
    expect(r.state).toBe(ResourceState.DISABLED);
    expect((await r.health()).status).toBe('disabled');
  });
});

describe('ResourceRegistry', () => {
  it('initializes in order of declared dependence and shuts down in reverse', async () => {
    const order: string[] = [];
    const registry = new ResourceRegistry();
    const make = (name: string, type: ResourceType, dependsOn: string[] = []) => {
      const r = new RecordingResource(name, type, { dependsOn });
      const init = r.init.bind(r);
      const shutdown = r.shutdown.bind(r);
      r.init = async () => (order.push(`init:${name}`), init());
      r.shutdown = async () => (order.push(`stop:${name}`), shutdown());
      return r;
    };
    registry.register(make('models', ResourceType.AI_MODEL, ['redis']));
    registry.register(make('db', ResourceType.DATABASE));
    registry.register(make('redis', ResourceType.REDIS));
    expect(registry.startupPending()).toEqual({
      db: ['state closed'],
      redis: ['state closed'],
      models: ['state closed'],
    });
    await registry.initializeAll();
    expect(registry.startupPending()).toEqual({});
    await registry.shutdownAll();
    expect(order).toEqual([
      'init:db',
      'init:redis',
      'init:models',
      'stop:models',
      'stop:redis',
      'stop:db',
    ]);
    expect(registry.states()).toEqual({ db: 'closed', redis: 'closed', models: 'closed' });
  });
});

describe('startup with an optional resource down', () => {
  it('waits for a required resource until usable, an optional one only until its attempt ends', async () => {
    const registry = new ResourceRegistry();
    const db = new RecordingResource('db', ResourceType.DATABASE);
    const redis = new RecordingResource('redis', ResourceType.REDIS, { required: false });
    registry.register(db);
    registry.register(redis);
    redis.down = true;
    db.down = true;
    await registry.initializeAll();
    expect(redis.state).toBe(ResourceState.ERROR);
    expect(db.state).toBe(ResourceState.ERROR);
    // Redis in error no longer holds startup back; the database still does.
    expect(registry.startupPending()).toEqual({ db: ['state error'] });

    db.down = false;
    await db.init();
    expect(registry.startupPending()).toEqual({});
    expect(redis.startupPending()).toEqual([]);
  });

  it('an optional resource still initializing holds startup back', async () => {
    const redis = new RecordingResource('redis', ResourceType.REDIS, { required: false });
    const opening = redis.init();
    expect(redis.startupPending()).toEqual(['state initializing']);
    await opening;
    expect(redis.startupPending()).toEqual([]);
  });
});

describe('state changes that must not happen', () => {
  it('recovery only leaves error: a busy resource stays busy, a closed one stays closed', async () => {
    const r = new RecordingResource();
    r.recover();
    expect(r.state).toBe(ResourceState.CLOSED);
    await r.init();
    r.saturate(true);
    r.recover();
    expect(r.state).toBe(ResourceState.BUSY);
    expect(r.transitionCounts()).not.toHaveProperty(['busy->ready']);
  });

  it('draining only leaves busy: a resource in error stays in error', async () => {
    const r = new RecordingResource();
    await r.init();
    r.fail('connection reset');
    r.saturate(false);
    expect(r.state).toBe(ResourceState.ERROR);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->ready': 1,
      'ready->error': 1,
    });
  });

  it('a move to the current state is no transition: not counted, never refused', async () => {
    const r = new RecordingResource();
    await r.init();
    r.forceMove(ResourceState.READY);
    expect(r.state).toBe(ResourceState.READY);
    expect(r.transitionCounts()).toEqual({ 'closed->initializing': 1, 'initializing->ready': 1 });
  });
});

describe('what a resource logs about its state', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a move to error is a warning with the reason, other moves are plain lines', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const r = new RecordingResource();
    await r.init();
    r.saturate(true);
    r.fail('connection reset');
    expect(warn.mock.calls).toEqual([['state busy -> error (connection reset)']]);
    expect(log.mock.calls).toEqual([
      ['state closed -> initializing'],
      ['state initializing -> ready'],
      ['state ready -> busy (saturated)'],
    ]);
    r.recover();
    r.saturate(true);
    r.saturate(false);
    expect(log.mock.calls.slice(3)).toEqual([
      ['state error -> ready (recovered)'],
      ['state ready -> busy (saturated)'],
      ['state busy -> ready (drained)'],
    ]);
    // Each line is logged under the resource's own context.
    expect(log.mock.contexts[0]).toMatchObject({ context: 'Resource:fake' });
  });
});
