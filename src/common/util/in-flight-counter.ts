interface DrainWaiter {
  atMost: number;
  wake(drained: boolean): void;
}

/**
 * Counts work in flight (requests, outbound calls) and lets a shutdown wait for it to drain.
 * Waiters are woken as the count falls, so a drain ends as soon as the last piece of work does.
 */
export class InFlightCounter {
  private current = 0;
  private readonly waiters = new Set<DrainWaiter>();

  get count(): number {
    return this.current;
  }

  start(): void {
    this.current += 1;
  }

  /** Never below zero: a finish without its start must not hide work started later. */
  finish(): void {
    this.current = Math.max(0, this.current - 1);
    for (const waiter of this.waiters) if (this.current <= waiter.atMost) waiter.wake(true);
  }

  /**
   * Resolves true once at most `atMost` are in flight (1 when the caller is itself counted,
   * e.g. a request asking for shutdown), false when `timeoutMs` pass first (an unref'd timer).
   */
  waitUntilAtMost(atMost: number, timeoutMs: number): Promise<boolean> {
    if (this.current <= atMost) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter: DrainWaiter = {
        atMost,
        wake: (drained) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(drained);
        },
      };
      const timer = setTimeout(() => waiter.wake(false), Math.max(0, timeoutMs));
      timer.unref();
      this.waiters.add(waiter);
    });
  }
}
