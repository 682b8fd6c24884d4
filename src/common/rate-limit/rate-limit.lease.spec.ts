import { LeaseGrant, LeaseSource, LeasedWindows, leaseSlice } from './rate-limit.lease';
import type { RateLimitName } from './rate-limits';

/** A clock the tests move by hand. */
class Clock {
  ms = 1_000_000;
  readonly now = () => this.ms;
}

/**
 * The Redis lease script in memory: one fixed window per key, grants min(slice, max - count),
 * the window starting with its first grant. `latencyMs` moves the clock while a call is out.
 */
class FakeCounter {
  readonly windows = new Map<string, { count: number; endsAt: number }>();
  calls = 0;
  latencyMs = 0;

  constructor(private readonly clock: Clock) {}

  readonly source: LeaseSource = async (key, slice, max, windowMs) => {
    this.calls += 1;
    this.clock.ms += this.latencyMs;
    await Promise.resolve();
    return this.grant(key, slice, max, windowMs);
  };

  private grant(key: string, slice: number, max: number, windowMs: number): LeaseGrant {
    const now = this.clock.ms;
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) window = { count: 0, endsAt: now + windowMs };
    const granted = Math.max(0, Math.min(slice, max - window.count));
    window.count += granted;
    if (window.count > 0) this.windows.set(key, window);
    return { granted, total: window.count, ttl: window.count > 0 ? window.endsAt - now : 0 };
  }
}

const WINDOW_MS = 60_000;

function setUp(slice: number) {
  const clock = new Clock();
  const counter = new FakeCounter(clock);
  const windows = new LeasedWindows(counter.source, slice, clock.now);
  return { clock, counter, windows };
}

describe('leaseSlice', () => {
  const rule = (name: RateLimitName, max: number) => ({ name, max, windowMs: WINDOW_MS });

  it('is a tenth of the limit, 1 for small limits and admin failures, at most 1000', () => {
    expect(leaseSlice(rule('captions', 5))).toBe(1);
    expect(leaseSlice(rule('captions', 19))).toBe(1);
    expect(leaseSlice(rule('captions', 120))).toBe(12);
    expect(leaseSlice(rule('batch', 60))).toBe(6);
    expect(leaseSlice(rule('captions', 1_000_000_000))).toBe(1000);
    expect(leaseSlice(rule('admin_failures', 500))).toBe(1);
  });
});

describe('LeasedWindows', () => {
  it('with a slice of 1 asks the counter for every hit and refuses past the limit', async () => {
    const { counter, windows } = setUp(1);
    const currents: number[] = [];
    for (let i = 0; i < 6; i++) currents.push((await windows.hit('a', 5, WINDOW_MS)).current);
    expect(currents).toEqual([1, 2, 3, 4, 5, 6]);
    expect(counter.calls).toBe(6);
    expect(counter.windows.get('a')?.count).toBe(5);
  });

  it('serves a slice from memory: one counter call per slice, the count and ttl going on', async () => {
    const { clock, counter, windows } = setUp(10);
    const first = await windows.hit('a', 100, WINDOW_MS);
    expect(first).toEqual({ current: 1, ttl: WINDOW_MS });
    clock.ms += 1000;
    for (let i = 2; i <= 10; i++) {
      expect(windows.hitLocally('a')).toEqual({ current: i, ttl: WINDOW_MS - 1000 });
    }
    expect(counter.calls).toBe(1);
    expect(windows.hitLocally('a')).toBeUndefined();
    expect((await windows.hit('a', 100, WINDOW_MS)).current).toBe(11);
    expect(counter.calls).toBe(2);
  });

  it('keeps clients apart', async () => {
    const { windows } = setUp(10);
    await windows.hit('a', 100, WINDOW_MS);
    expect(windows.hitLocally('b')).toBeUndefined();
    expect((await windows.hit('b', 100, WINDOW_MS)).current).toBe(1);
    expect(windows.hitLocally('a')?.current).toBe(2);
  });

  it('never lets instances sharing a counter admit more than the limit in a window', async () => {
    const clock = new Clock();
    const counter = new FakeCounter(clock);
    const slice = 7;
    const max = 100;
    const fleet = [0, 1, 2].map(() => new LeasedWindows(counter.source, slice, clock.now));
    let admitted = 0;
    // An uneven spread: the client reaches instance 0 most, instance 2 least.
    const order = [0, 0, 1, 0, 2, 1];
    for (let i = 0; i < 400; i++) {
      const state = await fleet[order[i % order.length]].hit('a', max, WINDOW_MS);
      if (state.current <= max) admitted += 1;
    }
    expect(admitted).toBeLessThanOrEqual(max);
    // Unused slices held by the other instances are the only loss.
    expect(admitted).toBeGreaterThanOrEqual(max - (fleet.length - 1) * (slice - 1));
    expect(counter.windows.get('a')?.count).toBe(max);
  });

  it('drops a lease when its window ends and counts the next window from 1', async () => {
    const { clock, counter, windows } = setUp(10);
    await windows.hit('a', 100, WINDOW_MS);
    clock.ms += WINDOW_MS;
    expect(windows.hitLocally('a')).toBeUndefined();
    expect(await windows.hit('a', 100, WINDOW_MS)).toEqual({ current: 1, ttl: WINDOW_MS });
    expect(counter.calls).toBe(2);
  });

  it('ends a lease by the clock before the call, never after the counter window ends', async () => {
    const { clock, counter, windows } = setUp(10);
    counter.latencyMs = 40;
    const first = await windows.hit('a', 100, WINDOW_MS);
    // The counter's window began 40 ms after the ask; the lease counts from the ask.
    expect(first.ttl).toBe(WINDOW_MS - 40);
    clock.ms += WINDOW_MS - 40;
    expect(windows.hitLocally('a')).toBeUndefined();
  });

  it('answers hits that arrive while a lease is asked for from that one lease', async () => {
    const { counter, windows } = setUp(10);
    const states = await Promise.all(
      Array.from({ length: 25 }, () => windows.hit('a', 100, WINDOW_MS)),
    );
    expect(states.map((s) => s.current).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    // 25 hits, slices of 10: three calls, not 25.
    expect(counter.calls).toBe(3);
  });

  it('refuses every waiting hit from one refusal, and asks again at the next hit', async () => {
    const { counter, windows } = setUp(1);
    for (let i = 0; i < 3; i++) await windows.hit('a', 3, WINDOW_MS);
    const refused = await Promise.all([1, 2, 3].map(() => windows.hit('a', 3, WINDOW_MS)));
    expect(refused.every((s) => s.current > 3 && s.ttl > 0)).toBe(true);
    expect(counter.calls).toBe(4);
    // The counter forgot the window (Redis restarted): the counter decides, not a cached refusal.
    counter.windows.clear();
    expect((await windows.hit('a', 3, WINDOW_MS)).current).toBe(1);
  });

  it('passes a failed lease call on to every hit waiting for it, and asks again afterwards', async () => {
    const clock = new Clock();
    const counter = new FakeCounter(clock);
    let fail = true;
    const source: LeaseSource = (...args) =>
      fail ? Promise.reject(new Error('redis down')) : counter.source(...args);
    const windows = new LeasedWindows(source, 10, clock.now);
    const outcomes = await Promise.allSettled([1, 2].map(() => windows.hit('a', 100, WINDOW_MS)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await windows.hit('a', 100, WINDOW_MS)).current).toBe(1);
  });
});
