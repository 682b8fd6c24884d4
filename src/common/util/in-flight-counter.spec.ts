import { InFlightCounter } from './in-flight-counter';

describe('InFlightCounter', () => {
  it('counts starts and finishes, never below zero', () => {
    const counter = new InFlightCounter();
    counter.start();
    counter.start();
    counter.finish();
    expect(counter.count).toBe(1);
    counter.finish();
    counter.finish(); // a finish without its start
    expect(counter.count).toBe(0);
    counter.start();
    expect(counter.count).toBe(1);
  });

  it('resolves true at once when already drained', async () => {
    const counter = new InFlightCounter();
    counter.start();
    await expect(counter.waitUntilAtMost(1, 0)).resolves.toBe(true);
  });

  it('wakes a waiter when the count falls to its allowance, not before', async () => {
    const counter = new InFlightCounter();
    counter.start();
    counter.start();
    counter.start();
    const woken: boolean[] = [];
    const drained = counter.waitUntilAtMost(1, 10_000).then((result) => woken.push(result));
    counter.finish();
    await Promise.resolve();
    expect(woken).toEqual([]);
    counter.finish();
    await drained;
    expect(woken).toEqual([true]);
  });

  it('wakes each waiter at its own allowance', async () => {
    const counter = new InFlightCounter();
    counter.start();
    counter.start();
    const toZero = counter.waitUntilAtMost(0, 10_000);
    const toOne = counter.waitUntilAtMost(1, 10_000);
    counter.finish();
    await expect(toOne).resolves.toBe(true);
    counter.finish();
    await expect(toZero).resolves.toBe(true);
  });

  it('resolves false when the timeout passes before the count falls far enough', async () => {
    const counter = new InFlightCounter();
    counter.start();
    counter.start();
    const drained = counter.waitUntilAtMost(0, 0);
    counter.finish(); // one still in flight when the timer fires
    await expect(drained).resolves.toBe(false);
  });
});
