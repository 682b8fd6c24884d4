import { Logger } from '@nestjs/common';
import { GracefulShutdown, RESOURCE_CLOSE_BUDGET_MS, ShutdownTarget } from './graceful-shutdown';
import { LifecycleService } from './lifecycle.service';

/** A fake app that records what the shutdown did to it, and when (fake time). */
function fakeApp(lifecycle: LifecycleService) {
  const events: string[] = [];
  const at = () => Date.now();
  const server = {
    close: jest.fn(() => events.push(`server.close@${at()}`)),
    closeAllConnections: jest.fn(() => events.push(`closeAll@${at()}`)),
  };
  const app = {
    get: (() => lifecycle) as unknown as ShutdownTarget['get'],
    getHttpServer: () => server,
    close: jest.fn(async (): Promise<void> => void events.push(`app.close@${at()}`)),
  };
  return { app, server, events };
}

describe('GracefulShutdown', () => {
  const config = { SHUTDOWN_DELAY_MS: 3000, SHUTDOWN_GRACE_MS: 5000 };
  let exit: jest.Mock;
  let lifecycle: LifecycleService;

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    exit = jest.fn();
    lifecycle = new LifecycleService();
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('turns readiness 503 at once, keeps accepting for the delay, then drains, closes and exits 0', async () => {
    const { app, server, events } = fakeApp(lifecycle);
    const shutdown = new GracefulShutdown(app, config, exit);
    lifecycle.requestStarted(); // a request in flight when the signal arrives

    const done = shutdown.run('SIGTERM');
    expect(lifecycle.shuttingDown).toBe(true);
    expect(lifecycle.closingConnections).toBe(true);

    await jest.advanceTimersByTimeAsync(2999);
    expect(server.close).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(server.close).toHaveBeenCalledTimes(1);
    expect(app.close).not.toHaveBeenCalled(); // still waiting for the request in flight

    await jest.advanceTimersByTimeAsync(1000);
    lifecycle.requestFinished(200);
    await done;
    expect(events).toEqual(['server.close@3000', 'app.close@4000']);
    expect(server.closeAllConnections).not.toHaveBeenCalled();
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('closes the remaining connections once the grace period runs out', async () => {
    const { app, server, events } = fakeApp(lifecycle);
    lifecycle.requestStarted(); // never finishes
    const done = new GracefulShutdown(app, config, exit).run('SIGTERM');
    await jest.advanceTimersByTimeAsync(3000 + 5000);
    await done;
    expect(server.closeAllConnections).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['server.close@3000', 'closeAll@8000', 'app.close@8000']);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('ignores a second signal: one sequence, one exit', async () => {
    const { app, server } = fakeApp(lifecycle);
    const shutdown = new GracefulShutdown(app, config, exit);
    const first = shutdown.run('SIGTERM');
    await jest.advanceTimersByTimeAsync(100);
    await shutdown.run('SIGTERM');
    await shutdown.run('SIGINT');
    await jest.advanceTimersByTimeAsync(3000);
    await first;
    expect(server.close).toHaveBeenCalledTimes(1);
    expect(app.close).toHaveBeenCalledTimes(1);
    expect(exit.mock.calls).toEqual([[0]]);
    expect(Logger.prototype.warn).toHaveBeenCalledWith(
      'SIGTERM received again: shutdown already under way',
    );
  });

  it('exits 1 at the hard deadline when closing hangs', async () => {
    const { app } = fakeApp(lifecycle);
    app.close.mockImplementation(() => new Promise<void>(() => undefined));
    const shutdown = new GracefulShutdown(app, config, exit);
    void shutdown.run('SIGTERM');
    expect(shutdown.hardDeadlineMs).toBe(3000 + 5000 + RESOURCE_CLOSE_BUDGET_MS);
    await jest.advanceTimersByTimeAsync(shutdown.hardDeadlineMs - 1);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('an admin initialize cannot end the drain of a process that is exiting', () => {
    lifecycle.beginExit('SIGTERM');
    lifecycle.endDrain();
    expect(lifecycle.shuttingDown).toBe(true);
  });
});
