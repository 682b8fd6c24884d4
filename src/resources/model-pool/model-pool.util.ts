/**
 * Small helpers shared by the pool's files: the load/drain/queue deadlines, error text and
 * date formatting. Kept apart so every collaborator formats and times out the same way.
 */

export const MB = 1024 * 1024;
export const noop = (): void => undefined;

/** Heap plus external (Buffers, native) memory of the process, bytes. */
export function defaultMeasureMemoryBytes(): number {
  // With --expose-gc, collect first so garbage made by the load is not counted as its footprint.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** Settles like `promise`, or rejects with `onTimeout()` after `ms` (an unref'd timer). */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
