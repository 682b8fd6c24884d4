import { ProbeCache } from './probe-cache';

describe('ProbeCache', () => {
  afterEach(() => jest.useRealTimers());

  it('shares one in-flight probe among concurrent callers', async () => {
    const cache = new ProbeCache<number>(1000);
    const probe = jest.fn(async () => 42);
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get(probe)));
    expect(results.every((r) => r === 42)).toBe(true);
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('reuses the result within the TTL and probes again after it', async () => {
    jest.useFakeTimers();
    const cache = new ProbeCache<number>(2000);
    let n = 0;
    const probe = async () => ++n;
    expect(await cache.get(probe)).toBe(1);
    jest.advanceTimersByTime(1000);
    expect(await cache.get(probe)).toBe(1);
    jest.advanceTimersByTime(1500);
    expect(await cache.get(probe)).toBe(2);
    cache.reset();
    expect(await cache.get(probe)).toBe(3);
  });
});
