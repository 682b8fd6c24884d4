/**
 * Small helpers shared by the pool's files: error text and date formatting (the deadlines are
 * common/util/with-timeout's withDeadline). Kept apart so every collaborator formats the same way.
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

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
