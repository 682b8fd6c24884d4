/**
 * Where the thread entry is, and how a thread can run it. Compiled (`node dist/main.js`) it is
 * `model-worker.js`; from sources (jest, `node -r @swc-node/register` for the benches) it is
 * `model-worker.ts`, and a thread needs the swc hook to load TypeScript: a worker does not
 * inherit jest's transformer, and its execArgv replaces the process's.
 */
import { extname, join } from 'node:path';

/** Absolute path of the thread entry, in the form this process runs (.js or .ts). */
export const MODEL_WORKER_FILE = join(__dirname, `model-worker${extname(__filename)}`);

/** execArgv for threads that load `files`: the swc hook when any is TypeScript, else inherited. */
export function workerExecArgv(...files: string[]): string[] | undefined {
  if (!files.some((f) => f.endsWith('.ts'))) return undefined;
  return ['--require', require.resolve('@swc-node/register')];
}
