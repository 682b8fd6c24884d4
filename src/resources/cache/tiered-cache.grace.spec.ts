import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

describe('TieredCache grace (stale-while-revalidate, stale-if-error)', () => {
  let cache: TieredCache;

  beforeEach(() => {
    jest.useFakeTimers();
    cache = new TieredCache({
      sweepIntervalMs: 0,
      graceBackoffMs: 5_000,
      logger: new RecordingLogger(),
    });
  });

  afterEach(() => jest.useRealTimers());

  const options = { ttl: 10, grace: 60 };

  async function warm(value: string): Promise<void> {
    await cache.getOrSet('k', async () => value, options);
    jest.advanceTimersByTime(11_000); // stale, inside grace
  }

  it('serves the stale value at once while exactly one refresh runs in the background', async () => {
    await warm('old');
    let finish!: (v: string) => void;
    const refresh = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));

    await expect(cache.getOrSet('k', refresh, options)).resolves.toBe('old');
    await expect(cache.getOrSet('k', refresh, options)).resolves.toBe('old');
    await expect(cache.getOrSet('k', refresh, options)).resolves.toBe('old');
    expect(refresh).toHaveBeenCalledTimes(1);

    finish('new');
    await jest.advanceTimersByTimeAsync(0);
    await expect(cache.getOrSet('k', refresh, options)).resolves.toBe('new');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ grace_hits: 3, coalesced: 2 });
  });

  it('serves the stale value when the loader fails, and backs off before trying again', async () => {
    await warm('old');
    const failing = jest.fn().mockRejectedValue(new Error('database down'));

    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('old');
    await jest.advanceTimersByTimeAsync(0);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ load_errors: 1 });

    // inside the back-off: stale, no new attempt
    jest.advanceTimersByTime(4_000);
    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('old');
    expect(failing).toHaveBeenCalledTimes(1);

    // after it: one new attempt
    jest.advanceTimersByTime(1_001);
    await expect(cache.getOrSet('k', failing, options)).resolves.toBe('old');
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('with a soft timeout, a failing loader still answers with the stale value', async () => {
    await warm('old');
    const failing = jest.fn().mockRejectedValue(new Error('boom'));
    await expect(cache.getOrSet('k', failing, { ...options, softTimeoutMs: 1_000 })).resolves.toBe(
      'old',
    );
  });

  it('drops the value once the grace period is over too', async () => {
    await warm('old');
    jest.advanceTimersByTime(60_000);
    const loader = jest.fn().mockResolvedValue('fresh');
    await expect(cache.getOrSet('k', loader, options)).resolves.toBe('fresh');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats().grace_hits).toBe(0);
  });

  it('without grace, a failing loader fails the call', async () => {
    await cache.getOrSet('k', async () => 'old', { ttl: 10 });
    jest.advanceTimersByTime(11_000);
    await expect(
      cache.getOrSet('k', () => Promise.reject(new Error('down')), { ttl: 10 }),
    ).rejects.toThrow('down');
  });

  it('plain get does not return a stale value', async () => {
    await warm('old');
    await expect(cache.get('k')).resolves.toBeUndefined();
    await expect(cache.inspect('k')).resolves.toBeUndefined();
  });
});
