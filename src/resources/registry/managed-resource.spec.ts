import { Logger } from '@nestjs/common';
import {
  IllegalStateTransitionError,
  ResourceUnavailableError,
} from '../../common/errors/app-errors';
import { ManagedResourceBase, RESOURCE_DISABLED, ResourceHealth } from './managed-resource';
import { ResourceRegistry } from './resource-registry.service';
import { ResourceState, ResourceType, canTransition } from './resource-state';

Logger.overrideLogger(false);

/** A resource with a controllable backend. */
class FakeResource extends ManagedResourceBase {
  opens = 0;
  closes = 0;
  failNextInit = false;
  disabled = false;
  constructor(name = 'fake', type = ResourceType.CACHE, required = true, dependsOn: string[] = []) {
    super(name, type, { required, dependsOn });
  }
  use(): string {
    this.assertUsable();
    return 'ok';
  }
  fail(reason: string) {
    this.markError(reason);
  }
  recover() {
    this.markRecovered();
  }
  saturate(busy: boolean) {
    this.markBusy(busy);
  }
  forceMove(to: ResourceState) {
    this.moveTo(to);
  }
  observe() {
    return { operations: 0, errors: 0, figures: {} };
  }
  stats() {
    return { opens: this.opens };
  }
  protected async doInit() {
    this.opens += 1;
    await Promise.resolve();
    if (this.failNextInit) {
      this.failNextInit = false;
      throw new Error('backend down');
    }
    if (this.disabled) return RESOURCE_DISABLED;
  }
  protected async doShutdown() {
    this.closes += 1;
  }
  protected async probe(): Promise<ResourceHealth> {
    return { status: 'healthy' };
  }
}

describe('ManagedResourceBase', () => {
  it('coalesces concurrent init calls and treats a second init as a no-op', async () => {
    const r = new FakeResource();
    await Promise.all([r.init(), r.init(), r.init()]);
    await r.init();
    expect(r.opens).toBe(1);
    expect(r.state).toBe(ResourceState.READY);
  });

  it('shuts down once, however often asked, and refuses use afterwards with a typed error', async () => {
    const r = new FakeResource();
    await r.init();
    await Promise.all([r.shutdown(), r.shutdown()]);
    await r.shutdown();
    expect(r.closes).toBe(1);
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(() => r.use()).toThrow(ResourceUnavailableError);
    expect((await r.health()).status).toBe('unhealthy');
  });

  it('re-initializes after shutdown', async () => {
    const r = new FakeResource();
    await r.init();
    await r.shutdown();
    await r.init();
    expect(r.state).toBe(ResourceState.READY);
    expect(r.use()).toBe('ok');
  });

  it('moves to error when init fails and can be initialized again', async () => {
    const r = new FakeResource();
    r.failNextInit = true;
    await expect(r.init()).rejects.toThrow('backend down');
    expect(r.state).toBe(ResourceState.ERROR);
    await r.init();
    expect(r.state).toBe(ResourceState.READY);
  });

  it('records runtime errors and recovery, counting every transition', async () => {
    const r = new FakeResource();
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
    const r = new FakeResource();
    expect(() => r.forceMove(ResourceState.READY)).toThrow(IllegalStateTransitionError);
    expect(canTransition(ResourceState.CLOSED, ResourceState.BUSY)).toBe(false);
    expect(canTransition(ResourceState.ERROR, ResourceState.READY)).toBe(true);
  });

  it('is disabled when not configured, and reports so in health', async () => {
    const r = new FakeResource();
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
      const r = new FakeResource(name, type, true, dependsOn);
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
    const db = new FakeResource('db', ResourceType.DATABASE, true);
    const redis = new FakeResource('redis', ResourceType.REDIS, false);
    registry.register(db);
    registry.register(redis);
    redis.failNextInit = true;
    db.failNextInit = true;
    await registry.initializeAll();
    expect(redis.state).toBe(ResourceState.ERROR);
    expect(db.state).toBe(ResourceState.ERROR);
    // Redis in error no longer holds startup back; the database still does.
    expect(registry.startupPending()).toEqual({ db: ['state error'] });

    await db.init();
    expect(registry.startupPending()).toEqual({});
    expect(redis.startupPending()).toEqual([]);
  });

  it('an optional resource still initializing holds startup back', async () => {
    const redis = new FakeResource('redis', ResourceType.REDIS, false);
    const opening = redis.init();
    expect(redis.startupPending()).toEqual(['state initializing']);
    await opening;
    expect(redis.startupPending()).toEqual([]);
  });
});

describe('state changes that must not happen', () => {
  it('recovery only leaves error: a busy resource stays busy, a closed one stays closed', async () => {
    const r = new FakeResource();
    r.recover();
    expect(r.state).toBe(ResourceState.CLOSED);
    await r.init();
    r.saturate(true);
    r.recover();
    expect(r.state).toBe(ResourceState.BUSY);
    expect(r.transitionCounts()).not.toHaveProperty(['busy->ready']);
  });

  it('draining only leaves busy: a resource in error stays in error', async () => {
    const r = new FakeResource();
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
    const r = new FakeResource();
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
    const r = new FakeResource();
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
