import { AlertTracker, RateWindow, Reading, evaluateAlerts } from './alerts';

const quiet = { poolUsagePercent: {} };

describe('evaluateAlerts', () => {
  it('misses each v14 target just past its threshold, and meets it at the threshold', () => {
    const missed = evaluateAlerts({
      cacheHitRate: { rate: 0.79, total: 100 },
      poolUsagePercent: { database: 90.1, http: 95 },
      memoryUsagePercent: 80.5,
      errorRate: { rate: 0.02, total: 100 },
      cachedP95Ms: 101,
    });
    expect(missed.filter((r) => r.missed).map((r) => r.metric)).toEqual([
      'cache_hit_rate',
      'database_pool_usage_percent',
      'http_pool_usage_percent',
      'memory_usage_percent',
      'error_rate',
      'cached_response_p95_ms',
    ]);
    const met = evaluateAlerts({
      cacheHitRate: { rate: 0.8, total: 100 },
      poolUsagePercent: { database: 90, http: 0 },
      memoryUsagePercent: 80,
      errorRate: { rate: 0.01, total: 100 },
      cachedP95Ms: 100,
    });
    expect(met).toHaveLength(6);
    expect(met.some((r) => r.missed)).toBe(false);
  });

  it('does not judge a hit rate or an error rate on too few events', () => {
    const readings = evaluateAlerts({
      ...quiet,
      cacheHitRate: { rate: 0, total: 19 },
      errorRate: { rate: 1, total: 19 },
    });
    expect(readings).toEqual([]);
    const judged = evaluateAlerts({ ...quiet, cacheHitRate: { rate: 0, total: 20 } });
    expect(judged).toEqual([{ metric: 'cache_hit_rate', value: 0, threshold: 0.8, missed: true }]);
  });

  it('leaves out a pool that is not measured', () => {
    const readings = evaluateAlerts({ poolUsagePercent: { http: 99 } });
    expect(readings.map((r) => r.metric)).toEqual(['http_pool_usage_percent']);
  });
});

describe('AlertTracker', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  const reading = (value: number): Reading => ({
    metric: 'cache_hit_rate',
    value,
    threshold: 0.8,
    missed: value < 0.8,
  });

  it('logs an alert once when it starts and once when it clears, however often it is evaluated', () => {
    const logger = { warn: jest.fn(), log: jest.fn() };
    const tracker = new AlertTracker(logger);

    expect(tracker.update([reading(0.9)])).toEqual([]);
    const started = tracker.update([reading(0.5)]);
    expect(started).toEqual([
      { metric: 'cache_hit_rate', value: 0.5, threshold: 0.8, since: '2025-01-01T00:00:00.000Z' },
    ]);
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(1000);
      const alerts = tracker.update([reading(0.6)]);
      expect(alerts[0]).toMatchObject({ value: 0.6, since: '2025-01-01T00:00:00.000Z' });
    }
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toBe(
      'alert started: cache_hit_rate is 0.5 (threshold 0.8)',
    );
    expect(logger.log).not.toHaveBeenCalled();

    jest.advanceTimersByTime(5000);
    expect(tracker.update([reading(0.85)])).toEqual([]);
    tracker.update([reading(0.95)]);
    expect(logger.log).toHaveBeenCalledTimes(1);
    expect(logger.log.mock.calls[0][0]).toBe(
      'alert cleared: cache_hit_rate is 0.85 (threshold 0.8) after 15 s',
    );
    expect(tracker.isActive('cache_hit_rate')).toBe(false);

    // A second episode is a new start, with a new `since`.
    jest.advanceTimersByTime(1000);
    expect(tracker.update([reading(0.1)])[0].since).toBe('2025-01-01T00:00:16.000Z');
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('clears an alert whose target can no longer be judged (an idle cache)', () => {
    const logger = { warn: jest.fn(), log: jest.fn() };
    const tracker = new AlertTracker(logger);
    tracker.update([reading(0.2)]);
    expect(tracker.update([])).toEqual([]);
    expect(logger.log).toHaveBeenCalledWith(
      'alert cleared: cache_hit_rate is no longer measured (threshold 0.8) after 0 s',
    );
  });

  it('tracks several alerts independently', () => {
    const logger = { warn: jest.fn(), log: jest.fn() };
    const tracker = new AlertTracker(logger);
    const memory = (value: number): Reading => ({
      metric: 'memory_usage_percent',
      value,
      threshold: 80,
      missed: value > 80,
    });
    tracker.update([reading(0.5), memory(85)]);
    const after = tracker.update([reading(0.9), memory(86)]);
    expect(after.map((a) => a.metric)).toEqual(['memory_usage_percent']);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.log).toHaveBeenCalledTimes(1);
  });
});

describe('RateWindow', () => {
  it('computes the rate since start while the process is younger than the window', () => {
    let now = 0;
    const window = new RateWindow(300_000, () => now);
    expect(window.observe(0, 0)).toEqual({ rate: 0, total: 0 });
    now = 10_000;
    expect(window.observe(30, 40)).toEqual({ rate: 0.75, total: 40 });
  });

  it('judges only the last window once samples are old enough', () => {
    let now = 0;
    const window = new RateWindow(300_000, () => now);
    window.observe(10, 100); // 10 % early on
    now = 300_000;
    window.observe(10, 100);
    now = 400_000;
    // 90 more events out of 100 more lookups since the sample at least 300 s old (t=0).
    expect(window.observe(100, 200)).toEqual({ rate: 0.9, total: 100 });
    now = 650_000;
    // The baseline is now the t=300 s sample.
    expect(window.observe(190, 300)).toEqual({ rate: 0.9, total: 200 });
  });

  it('starts again from zero when a counter goes backwards', () => {
    let now = 0;
    const window = new RateWindow(1000, () => now);
    window.observe(50, 100);
    now = 2000;
    window.observe(60, 120);
    now = 3000;
    expect(window.observe(3, 4)).toEqual({ rate: 0.75, total: 4 });
  });

  it('keeps a bounded number of samples however often it is called', () => {
    let now = 0;
    const window = new RateWindow(300_000, () => now);
    for (let i = 0; i < 100_000; i++) {
      now += 10;
      window.observe(i, i);
    }
    const samples = (window as unknown as { samples: unknown[] }).samples;
    expect(samples.length).toBeLessThanOrEqual(302);
  });
});
