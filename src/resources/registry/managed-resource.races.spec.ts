import { Logger } from '@nestjs/common';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { ResourceState, ResourceType } from './resource-state';
import { gate } from './testing/gate';
import { RecordingResource } from './testing/recording-resource';

Logger.overrideLogger(false);

/** Records when each open and close starts and ends, so overlapping calls can be interleaved. */
function gated(): RecordingResource {
  return new RecordingResource('gated', ResourceType.DATABASE, { recordEnds: true });
}

/** Lets every pending promise callback run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ManagedResourceBase with overlapping and repeated init and shutdown', () => {
  it('goes through a second init -> shutdown cycle like the first, closing the backend each time', async () => {
    const r = gated();
    for (let cycle = 1; cycle <= 2; cycle += 1) {
      await r.init();
      expect(r.state).toBe(ResourceState.READY);
      expect(r.use()).toBe('ok');
      await r.shutdown();
      expect(r.state).toBe(ResourceState.CLOSED);
      expect(() => r.use()).toThrow(ResourceUnavailableError);
    }
    expect(r.events).toEqual([
      'open:gated',
      'opened:gated',
      'close:gated',
      'closed:gated',
      'open:gated',
      'opened:gated',
      'close:gated',
      'closed:gated',
    ]);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 2,
      'initializing->ready': 2,
      'ready->shutting_down': 2,
      'shutting_down->closed': 2,
    });
  });

  it('init called during a shutdown waits for the close to finish, then opens again', async () => {
    const r = gated();
    await r.init();
    r.closeGate = gate();
    const closing = r.shutdown();
    await settle();
    expect(r.state).toBe(ResourceState.SHUTTING_DOWN);
    expect(await r.health()).toEqual({ status: 'unhealthy', details: { state: 'shutting_down' } });

    const reopening = r.init();
    await settle();
    expect(r.events).toEqual(['open:gated', 'opened:gated', 'close:gated']); // not reopened yet
    expect(r.state).toBe(ResourceState.SHUTTING_DOWN);

    r.closeGate.open();
    await Promise.all([closing, reopening]);
    expect(r.state).toBe(ResourceState.READY);
    expect(r.use()).toBe('ok');
    expect(r.events).toEqual([
      'open:gated',
      'opened:gated',
      'close:gated',
      'closed:gated',
      'open:gated',
      'opened:gated',
    ]);
  });

  it('shutdown called during an init waits for the open to finish, then closes', async () => {
    const r = gated();
    r.openGate = gate();
    const opening = r.init();
    await settle();
    expect(r.state).toBe(ResourceState.INITIALIZING);

    const closing = r.shutdown();
    await settle();
    expect(r.events).toEqual(['open:gated']); // the close has not started under the open
    expect(r.state).toBe(ResourceState.INITIALIZING);

    r.openGate.open();
    await Promise.all([opening, closing]);
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.events).toEqual(['open:gated', 'opened:gated', 'close:gated', 'closed:gated']);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->ready': 1,
      'ready->shutting_down': 1,
      'shutting_down->closed': 1,
    });
  });

  it('shutdown called during an init that fails still closes, and only init reports the failure', async () => {
    const r = gated();
    r.openGate = gate();
    const opening = r.init();
    const closing = r.shutdown();
    await settle();

    r.openGate.fail(new Error('connection refused'));
    await expect(opening).rejects.toThrow('connection refused');
    await expect(closing).resolves.toBeUndefined();
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.events).toEqual(['open:gated', 'opened:gated', 'close:gated', 'closed:gated']);
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->error': 1,
      'error->shutting_down': 1,
      'shutting_down->closed': 1,
    });
  });

  it('concurrent shutdowns during an init share one close', async () => {
    const r = gated();
    r.openGate = gate();
    const opening = r.init();
    const closings = [r.shutdown(), r.shutdown()];
    r.openGate.open();
    await Promise.all([opening, ...closings]);
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.events.filter((e) => e === 'close:gated')).toHaveLength(1);
  });
});
