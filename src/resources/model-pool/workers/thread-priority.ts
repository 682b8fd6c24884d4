import { dirname } from 'node:path';

type Nice = { nice: (increment: number) => number };

/**
 * @napi-rs/nice, piscina's optional dependency (a native binary per platform), or undefined
 * where it cannot be loaded. Resolved from piscina's folder, where npm installs it.
 */
function loadNice(): Nice | undefined {
  try {
    const piscinaDir = dirname(require.resolve('piscina'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve('@napi-rs/nice', { paths: [piscinaDir] })) as Nice;
  } catch {
    return undefined;
  }
}

/** Whether a thread can lower its priority here (the pool warns once at start-up if not). */
export function canLowerThreadPriority(): boolean {
  return loadNice() !== undefined;
}

/**
 * Lowers the calling thread's priority by `increment` (Linux nice is per thread, so the main
 * thread keeps its own); without @napi-rs/nice the thread keeps its priority.
 */
export function lowerThreadPriority(increment: number): void {
  if (increment > 0) loadNice()?.nice(increment);
}
