import { LivenessFigures, LivenessReport, readLivenessFigures } from './liveness';

describe('liveness figures', () => {
  afterEach(() => jest.useRealTimers());

  it('reads the process: uptime, event loop delay, heap and resident memory in MB', () => {
    const figures = readLivenessFigures();
    expect(figures).toEqual({
      status: 'ok',
      uptime_s: expect.any(Number),
      event_loop_delay_ms: { p50: expect.any(Number), p99: expect.any(Number) },
      heap_used_mb: expect.any(Number),
      rss_mb: expect.any(Number),
    });
    expect(Math.abs(figures.uptime_s - process.uptime())).toBeLessThanOrEqual(1);
    expect(figures.rss_mb).toBeGreaterThanOrEqual(figures.heap_used_mb);
    expect(figures.heap_used_mb).toBeGreaterThan(0);
    expect(figures.event_loop_delay_ms.p99).toBeGreaterThanOrEqual(figures.event_loop_delay_ms.p50);
  });

  it('reports the loop lateness since the last reading: a stall shows once, then an idle loop reads near 0', async () => {
    readLivenessFigures();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const stallUntil = Date.now() + 150;
    while (Date.now() < stallUntil); // blocks the loop
    await new Promise((resolve) => setTimeout(resolve, 60));
    const stalled = readLivenessFigures().event_loop_delay_ms.p99;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = readLivenessFigures().event_loop_delay_ms.p99;
    expect(stalled).toBeGreaterThan(after);
    expect(after).toBeLessThan(stalled / 2);
  });

  it('reads the process once per max age, and again once it has passed', () => {
    jest.useFakeTimers();
    let reads = 0;
    const read = (): LivenessFigures => ({
      status: 'ok',
      uptime_s: ++reads,
      event_loop_delay_ms: { p50: 0, p99: 0 },
      heap_used_mb: 1,
      rss_mb: 2,
    });
    const report = new LivenessReport(read, 1000);
    expect(report.figures().uptime_s).toBe(1);
    jest.advanceTimersByTime(999);
    expect(report.figures().uptime_s).toBe(1);
    expect(reads).toBe(1);
    jest.advanceTimersByTime(1);
    expect(report.figures().uptime_s).toBe(2);
    expect(reads).toBe(2);
  });
});
