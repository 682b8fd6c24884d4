import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

describe('TieredCache background sweep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('purges expired entries without anyone reading them', async () => {
    const cache = new TieredCache({ sweepIntervalMs: 1_000, logger: new RecordingLogger() });
    await cache.start();
    for (let i = 0; i < 5; i++) await cache.set(`short${i}`, i, { ttl: 1 });
    for (let i = 0; i < 5; i++) await cache.set(`long${i}`, i, { ttl: 100 });
    expect(cache.stats().size).toBe(10);

    jest.advanceTimersByTime(2_000);
    expect(cache.stats()).toMatchObject({ size: 5, expired: 5, bytes: 5 });

    jest.advanceTimersByTime(100_000);
    expect(cache.stats()).toMatchObject({ size: 0, expired: 10, bytes: 0 });
    await cache.close();
  });

  it('runs on an unref’d timer and stops on close', async () => {
    const cache = new TieredCache({ sweepIntervalMs: 1_000, logger: new RecordingLogger() });
    await cache.start();
    const timer = cache.sweepTimer;
    expect(timer).toBeDefined();
    expect(timer?.hasRef()).toBe(false);
    await cache.close();
    expect(cache.sweepTimer).toBeUndefined();
    const sweep = jest.spyOn(cache, 'sweep');
    jest.advanceTimersByTime(10_000);
    expect(sweep).not.toHaveBeenCalled();
  });

  it('does not start a second timer on a second start', async () => {
    const cache = new TieredCache({ sweepIntervalMs: 1_000, logger: new RecordingLogger() });
    await cache.start();
    const first = cache.sweepTimer;
    await cache.start();
    expect(cache.sweepTimer).toBe(first);
    await cache.close();
  });

  it('sweep() returns how many entries it dropped', async () => {
    const cache = new TieredCache({ sweepIntervalMs: 0, logger: new RecordingLogger() });
    await cache.set('a', 1, { ttl: 1 });
    await cache.set('b', 1, { ttl: 1, grace: 5 });
    jest.advanceTimersByTime(1_500);
    // b is stale but inside its grace: kept for getOrSet to serve.
    expect(cache.sweep()).toBe(1);
    jest.advanceTimersByTime(5_000);
    expect(cache.sweep()).toBe(1);
  });
});
