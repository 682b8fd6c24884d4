/**
 * Benchmark only, preloaded into a server by `npm run bench:http -- --async-resources`
 * (`node -r @swc-node/register -r ./bench/async-resource-counter.ts ...`): counts the async
 * resources the process creates, by type (PROMISE, TickObject, Timeout, ...), and writes the
 * totals to BENCH_ASYNC_COUNTS_FILE on SIGUSR2. The bench reads them before and after a fixed
 * number of requests: resources per request, an exact count where CPU time is noisy.
 *
 * Why it matters: with an AsyncLocalStorage active (the request's log context), Node 20 runs
 * async hooks for every promise and every tick of the process, so each one a request creates
 * costs more than it would otherwise. The counting hook itself turns those hooks on, so this
 * mode measures counts, never time.
 */
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_ASYNC_COUNTS_FILE;
if (!file) throw new Error('async-resource-counter: BENCH_ASYNC_COUNTS_FILE is not set');

const counts: Record<string, number> = {};
createHook({
  init(_asyncId, type) {
    counts[type] = (counts[type] ?? 0) + 1;
  },
}).enable();

process.on('SIGUSR2', () => writeFileSync(file, JSON.stringify(counts)));
