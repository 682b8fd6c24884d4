import { CacheRedis } from './cache.types';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/** A RedisService-shaped fake whose commands fail or answer as the test decides. */
function fakeRedis() {
  const state = { available: true, failing: true, store: new Map<string, string>() };
  const client = {
    get: async (key: string) => state.store.get(key) ?? null,
    pttl: async (key: string) => (state.store.has(key) ? 60_000 : -2),
    set: async (key: string, value: string) => {
      state.store.set(key, value);
      return 'OK';
    },
    unlink: async (key: string) => Number(state.store.delete(key)),
  };
  const run = jest.fn(async (fn: (c: typeof client) => Promise<unknown>) => {
    if (state.failing) throw new Error('connect ECONNREFUSED');
    return fn(client);
  });
  const redis = {
    enabled: true,
    get available() {
      return state.available;
    },
    key: (...parts: string[]) => `t:${parts.join(':')}`,
    run,
    publish: jest.fn(async () => {
      if (state.failing) throw new Error('connect ECONNREFUSED');
      return 1;
    }),
    subscribe: async () => async () => undefined,
  };
  return { state, run, redis: redis as unknown as CacheRedis };
}

describe('TieredCache with L2 failing', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps serving from L1, counts errors, opens the breaker, logs the outage once, and resumes', async () => {
    const { state, run, redis } = fakeRedis();
    const logger = new RecordingLogger();
    const cache = new TieredCache({
      redis,
      breakerThreshold: 3,
      breakerHalfOpenMs: 1_000,
      sweepIntervalMs: 0,
      logger,
    });

    // writes and reads carry on from L1 while every L2 call fails
    await cache.set('a', 1);
    await expect(cache.get('a')).resolves.toBe(1);
    await expect(cache.get('missing')).resolves.toBeUndefined();
    await expect(cache.getOrSet('b', async () => 2)).resolves.toBe(2);
    await expect(cache.get('b')).resolves.toBe(2);

    const afterThree = cache.stats().l2;
    expect(afterThree.errors).toBe(3); // set, get(missing), getOrSet's L2 read
    expect(afterThree.state).toBe('down');
    expect(afterThree.breaker).toBe('open');

    // breaker open: L2 is skipped without being called
    const calls = run.mock.calls.length;
    await expect(cache.get('missing-2')).resolves.toBeUndefined();
    await cache.set('c', 3);
    expect(run.mock.calls.length).toBe(calls);
    expect(cache.stats().l2.skipped).toBeGreaterThanOrEqual(2);
    expect(logger.count('warn', 'L2 (Redis) unavailable')).toBe(1);

    // Redis comes back; after the half-open delay one trial call closes the breaker
    state.failing = false;
    jest.advanceTimersByTime(1_001);
    await cache.set('d', 4);
    expect(cache.stats().l2).toMatchObject({ state: 'up', breaker: 'closed', outages: 1 });
    expect(state.store.get('t:cache:d')).toBe('{"g":0,"v":4}');
    expect(logger.count('log', 'L2 (Redis) is back')).toBe(1);
    expect(logger.count('warn', 'L2 (Redis) unavailable')).toBe(1);
  });

  it('skips L2 without calling it while Redis reports itself unavailable', async () => {
    const { state, run, redis } = fakeRedis();
    state.available = false;
    const logger = new RecordingLogger();
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger });
    await cache.set('a', 1);
    await expect(cache.get('a')).resolves.toBe(1);
    await expect(cache.get('b')).resolves.toBeUndefined();
    expect(run).not.toHaveBeenCalled();
    expect(cache.stats().l2).toMatchObject({ state: 'down', errors: 0 });
    expect(cache.stats().l2.skipped).toBeGreaterThanOrEqual(2);
    expect(logger.count('warn', 'L2 (Redis) unavailable')).toBe(1);

    state.available = true;
    state.failing = false;
    await cache.set('c', 3);
    expect(state.store.has('t:cache:c')).toBe(true);
    expect(cache.stats().l2.state).toBe('up');
  });

  it('re-applies deletes made during the outage once L2 is back', async () => {
    const { state, redis } = fakeRedis();
    state.failing = false;
    const cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    await cache.set('a', 1);
    expect(state.store.has('t:cache:a')).toBe(true);

    state.available = false;
    await cache.del('a');
    expect(state.store.has('t:cache:a')).toBe(true); // could not reach L2

    state.available = true;
    await cache.get('other'); // first successful L2 call notices the recovery
    await jest.advanceTimersByTimeAsync(0);
    expect(state.store.has('t:cache:a')).toBe(false);
    expect(redis.publish).toHaveBeenLastCalledWith(
      't:cache:invalidate',
      expect.stringContaining('"k":["a"]'),
    );
  });

  it('bounds a hanging L2 call by the L2 timeout', async () => {
    const { state, redis } = fakeRedis();
    state.failing = false;
    const hanging = {
      ...redis,
      enabled: true,
      available: true,
      key: redis.key,
      run: () => new Promise<never>(() => undefined),
    } as CacheRedis;
    const cache = new TieredCache({
      redis: hanging,
      l2TimeoutMs: 300,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
    const write = cache.set('a', 1); // set waits for L2: bounded too
    await jest.advanceTimersByTimeAsync(300);
    await expect(write).resolves.toBeUndefined();
    await expect(cache.get('a')).resolves.toBe(1);
    let answer: unknown = 'pending';
    const read = cache.get('missing').then((v) => (answer = v));
    await jest.advanceTimersByTimeAsync(299);
    expect(answer).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    await read;
    expect(answer).toBeUndefined();
    expect(cache.stats().l2.errors).toBeGreaterThanOrEqual(1);
  });
});
