import { Logger } from '@nestjs/common';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { ManagedResourceBase, ResourceHealth } from './managed-resource';
import { ResourceState, ResourceType } from './resource-state';

Logger.overrideLogger(false);

/** A promise settled from outside, to hold a backend's open or close half-way. */
function gate(): { promise: Promise<void>; open: () => void; fail: (error: unknown) => void } {
  let open!: () => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/**
 * A resource whose open and close can be held at a gate, recording what the backend saw, so
 * overlapping init and shutdown calls can be interleaved deterministically.
 */
class GatedResource extends ManagedResourceBase {
  readonly events: string[] = [];
  initGate?: ReturnType<typeof gate>;
  shutdownGate?: ReturnType<typeof gate>;

  constructor() {
    super('gated', ResourceType.DATABASE, { required: true });
  }
  use(): string {
    this.assertUsable();
    return 'ok';
  }
  observe() {
    return { operations: 0, errors: 0, figures: {} };
  }
  stats() {
    return { last_error: this.lastError ?? null };
  }
  protected async doInit() {
    this.events.push('open:start');
    try {
      await this.initGate?.promise;
    } finally {
      this.events.push('open:end');
    }
  }
  protected async doShutdown() {
    this.events.push('close:start');
    await this.shutdownGate?.promise;
    this.events.push('close:end');
  }
  protected async probe(): Promise<ResourceHealth> {
    return { status: 'healthy' };
  }
}

/** Lets every pending promise callback run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ManagedResourceBase with overlapping and repeated init and shutdown', () => {
  it('goes through a second init -> shutdown cycle like the first, closing the backend each time', async () => {
    const r = new GatedResource();
    for (let cycle = 1; cycle <= 2; cycle += 1) {
      await r.init();
      expect(r.state).toBe(ResourceState.READY);
      expect(r.use()).toBe('ok');
      await r.shutdown();
      expect(r.state).toBe(ResourceState.CLOSED);
      expect(() => r.use()).toThrow(ResourceUnavailableError);
    }
    expect(r.events).toEqual([
      'open:start',
      'open:end',
      'close:start',
      'close:end',
      'open:start',
      'open:end',
      'close:start',
      'close:end',
    ]);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 2,
      'initializing->ready': 2,
      'ready->shutting_down': 2,
      'shutting_down->closed': 2,
    });
  });

  it('init called during a shutdown waits for the close to finish, then opens again', async () => {
    const r = new GatedResource();
    await r.init();
    r.shutdownGate = gate();
    const closing = r.shutdown();
    await settle();
    expect(r.state).toBe(ResourceState.SHUTTING_DOWN);
    expect(await r.health()).toEqual({ status: 'unhealthy', details: { state: 'shutting_down' } });

    const reopening = r.init();
    await settle();
    expect(r.events).toEqual(['open:start', 'open:end', 'close:start']); // not reopened yet
    expect(r.state).toBe(ResourceState.SHUTTING_DOWN);

    r.shutdownGate.open();
    await Promise.all([closing, reopening]);
    expect(r.state).toBe(ResourceState.READY);
    expect(r.use()).toBe('ok');
    expect(r.events).toEqual([
      'open:start',
      'open:end',
      'close:start',
      'close:end',
      'open:start',
      'open:end',
    ]);
  });

  it('shutdown called during an init waits for the open to finish, then closes', async () => {
    const r = new GatedResource();
    r.initGate = gate();
    const opening = r.init();
    await settle();
    expect(r.state).toBe(ResourceState.INITIALIZING);

    const closing = r.shutdown();
    await settle();
    expect(r.events).toEqual(['open:start']); // the close has not started under the open
    expect(r.state).toBe(ResourceState.INITIALIZING);

    r.initGate.open();
    await Promise.all([opening, closing]);
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.events).toEqual(['open:start', 'open:end', 'close:start', 'close:end']);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->ready': 1,
      'ready->shutting_down': 1,
      'shutting_down->closed': 1,
    });
  });

  it('shutdown called during an init that fails still closes, and only init reports the failure', async () => {
    const r = new GatedResource();
    r.initGate = gate();
    const opening = r.init();
    const closing = r.shutdown();
    await settle();

    r.initGate.fail(new Error('connection refused'));
    await expect(opening).rejects.toThrow('connection refused');
    await expect(closing).resolves.toBeUndefined();
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.events).toEqual(['open:start', 'open:end', 'close:start', 'close:end']);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->error': 1,
      'error->shutting_down': 1,
      'shutting_down->closed': 1,
    });
  });

  it('concurrent shutdowns during an init share one close', async () => {
    const r = new GatedResource();
    r.initGate = gate();
    const opening = r.init();
    const closings = [r.shutdown(), r.shutdown()];
    r.initGate.open();
    await Promise.all([opening, ...closings]);
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.events.filter((e) => e === 'close:start')).toHaveLength(1);
  });
});
