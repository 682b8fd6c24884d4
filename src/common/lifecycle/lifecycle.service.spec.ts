import { LifecycleService } from './lifecycle.service';

describe('LifecycleService', () => {
  it('counts requests in flight, totals and server errors', () => {
    const lifecycle = new LifecycleService();
    lifecycle.requestStarted();
    lifecycle.requestStarted();
    lifecycle.requestFinished(200);
    expect(lifecycle.requestsInFlight).toBe(1);
    lifecycle.requestFinished(503);
    expect(lifecycle.requestsInFlight).toBe(0);
    expect(lifecycle.totalRequests).toBe(2);
    expect(lifecycle.totalServerErrors).toBe(1);
  });

  it("counts the platform's requests (probes, scrapes) in flight only, never as traffic or errors", () => {
    const lifecycle = new LifecycleService();
    lifecycle.requestStarted(false);
    expect(lifecycle.requestsInFlight).toBe(1);
    lifecycle.requestFinished(503, false); // a readiness probe while draining
    expect(lifecycle.requestsInFlight).toBe(0);
    expect(lifecycle.totalRequests).toBe(0);
    expect(lifecycle.totalServerErrors).toBe(0);
  });

  it('waitForIdle resolves true once requests finish', async () => {
    const lifecycle = new LifecycleService();
    lifecycle.requestStarted();
    const drained = lifecycle.waitForIdle(10_000);
    lifecycle.requestFinished(200);
    await expect(drained).resolves.toBe(true);
  });

  it('waitForIdle gives up at its timeout', async () => {
    jest.useFakeTimers();
    try {
      const lifecycle = new LifecycleService();
      lifecycle.requestStarted();
      const drained = lifecycle.waitForIdle(300);
      await jest.advanceTimersByTimeAsync(400);
      await expect(drained).resolves.toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports draining between beginDrain and endDrain', () => {
    const lifecycle = new LifecycleService();
    expect(lifecycle.shuttingDown).toBe(false);
    lifecycle.beginDrain('test');
    expect(lifecycle.shuttingDown).toBe(true);
    lifecycle.endDrain();
    expect(lifecycle.shuttingDown).toBe(false);
  });
});
