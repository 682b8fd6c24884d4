import { Logger } from '@nestjs/common';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { ResourceState, ResourceType } from './resource-state';
import { RecordingResource } from './testing/recording-resource';

Logger.overrideLogger(false);

/** A resource about to fail in some way; once live, its probe answers degraded. */
function troubled(required = true): RecordingResource {
  const r = new RecordingResource('troubled', ResourceType.REDIS, { required });
  r.probeAnswer = { status: 'degraded', details: { probed: true } };
  return r;
}

describe('ManagedResourceBase failure paths', () => {
  it('refuses use before init and after shutdown with the typed 503 error naming the state', async () => {
    const r = troubled();
    const refusal = (() => {
      try {
        r.use();
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ResourceUnavailableError);
    expect(refusal).toMatchObject({
      code: 'E_RESOURCE_UNAVAILABLE',
      status: 503,
      resource: 'troubled',
      message: 'troubled is closed',
    });
    await r.init();
    await r.shutdown();
    expect(() => r.use()).toThrow(new ResourceUnavailableError('troubled', 'is closed'));
  });

  it('a failed open shows its reason until the next successful open, and is retried by init', async () => {
    const r = troubled();
    r.openFailure = new Error('ECONNREFUSED');
    await expect(r.init()).rejects.toThrow('ECONNREFUSED');
    expect(r.stats()).toEqual({ last_error: 'ECONNREFUSED' });
    expect(r.startupPending()).toEqual(['state error']);

    r.openFailure = undefined;
    await r.init();
    expect(r.state).toBe(ResourceState.READY);
    expect(r.stats()).toEqual({ last_error: null });
    expect(r.transitionCounts()).toMatchObject({ 'error->initializing': 1 });
  });

  it('a failed open that throws a non-Error still records a readable reason', async () => {
    const r = troubled();
    r.openFailure = 'socket hang up';
    await expect(r.init()).rejects.toBe('socket hang up');
    expect(r.state).toBe(ResourceState.ERROR);
    expect(r.stats()).toEqual({ last_error: 'socket hang up' });
  });

  it('a close that throws still ends closed, and shutdown resolves', async () => {
    const r = troubled();
    await r.init();
    r.closeFailure = new Error('QUIT timed out');
    const warn = jest.spyOn(Logger.prototype, 'warn');
    await expect(r.shutdown()).resolves.toBeUndefined();
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.closes).toBe(1);
    // The failure is not swallowed silently: one warning says what went wrong.
    expect(warn.mock.calls).toEqual([['shutdown did not finish cleanly: QUIT timed out']]);
    warn.mockRestore();
  });

  it('a runtime error keeps its reason until recovery; errors outside ready or busy change no state', async () => {
    const r = troubled();
    r.fail('before init');
    expect(r.state).toBe(ResourceState.CLOSED);

    await r.init();
    r.saturate(true);
    r.fail('connection reset');
    expect(r.state).toBe(ResourceState.ERROR);
    expect(r.stats()).toEqual({ last_error: 'connection reset' });
    expect(await r.health()).toEqual({ status: 'degraded', details: { probed: true } });

    r.recover();
    expect(r.state).toBe(ResourceState.READY);
    expect(r.stats()).toEqual({ last_error: null });
    r.recover(); // not in error: nothing to do
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->ready': 1,
      'ready->busy': 1,
      'busy->error': 1,
      'error->ready': 1,
    });
  });

  it('saturation moves only between ready and busy', async () => {
    const r = troubled();
    r.saturate(true);
    expect(r.state).toBe(ResourceState.CLOSED);
    await r.init();
    r.saturate(false);
    expect(r.state).toBe(ResourceState.READY);
    r.saturate(true);
    r.saturate(true);
    expect(r.state).toBe(ResourceState.BUSY);
    expect(r.use()).toBe('ok');
    expect(await r.init()).toBeUndefined(); // busy is usable: init is a no-op
    r.saturate(false);
    expect(r.state).toBe(ResourceState.READY);
    expect(r.transitionCounts()).toMatchObject({ 'ready->busy': 1, 'busy->ready': 1 });
    expect(r.transitionCounts()['closed->initializing']).toBe(1);
  });

  it('health is unhealthy with the state while closed or opening, and probed once live', async () => {
    const r = troubled();
    expect(await r.health()).toEqual({ status: 'unhealthy', details: { state: 'closed' } });
    const opening = r.init();
    expect(await r.health()).toEqual({ status: 'unhealthy', details: { state: 'initializing' } });
    await opening;
    expect(await r.health()).toEqual({ status: 'degraded', details: { probed: true } });
  });

  it('an unconfigured resource is disabled: started, not usable, and it shuts down and reopens', async () => {
    const r = troubled(true);
    r.disabled = true;
    await r.init();
    expect(r.state).toBe(ResourceState.DISABLED);
    expect(r.startupPending()).toEqual([]);
    expect(() => r.use()).toThrow(new ResourceUnavailableError('troubled', 'is disabled'));
    await r.init();
    expect(r.transitionCounts()).toEqual({
      'closed->initializing': 1,
      'initializing->disabled': 1,
    });

    await r.shutdown();
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.closes).toBe(1);
    await r.init();
    expect(r.state).toBe(ResourceState.DISABLED);
  });

  it('a required resource holds startup back until usable, an optional one until its attempt ends', async () => {
    const required = troubled(true);
    const optional = troubled(false);
    expect(required.startupPending()).toEqual(['state closed']);
    expect(optional.startupPending()).toEqual(['state closed']);
    required.openFailure = new Error('down');
    optional.openFailure = new Error('down');
    await expect(required.init()).rejects.toThrow('down');
    await expect(optional.init()).rejects.toThrow('down');
    expect(required.startupPending()).toEqual(['state error']);
    expect(optional.startupPending()).toEqual([]);
  });
});

describe('the boot open, shared by every resource', () => {
  it('a required resource that cannot open stops the start', async () => {
    const r = troubled(true);
    r.openFailure = new Error('ECONNREFUSED');
    await expect(r.startUp()).rejects.toThrow('ECONNREFUSED');
    expect(r.state).toBe(ResourceState.ERROR);
  });

  it('an optional resource that cannot open lets the start go on, in error until it recovers', async () => {
    const r = troubled(false);
    r.openFailure = new Error('ECONNREFUSED');
    await expect(r.startUp()).resolves.toBeUndefined();
    expect(r.state).toBe(ResourceState.ERROR);
    expect(r.stats()).toEqual({ last_error: 'ECONNREFUSED' });
  });

  it('opens at start-up and closes on shutdown', async () => {
    const r = troubled(false);
    await r.startUp();
    expect(r.state).toBe(ResourceState.READY);
    await r.shutdown();
    expect(r.state).toBe(ResourceState.CLOSED);
    expect(r.closes).toBe(1);
  });
});
