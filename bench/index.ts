/**
 * Runs every benchmark in sequence, each in its own process (a crash or hang in one does not
 * stop the rest), then prints a summary table:
 *
 *   npm run bench      (npm run build, then node -r @swc-node/register bench/index.ts)
 *
 * Order: pools, models, http, and cache when bench/cache.bench.ts exists. A bench prints its
 * summary rows on a line starting with SUMMARY_MARK; one that prints none (cache.bench.ts) is
 * summarised by its lines mentioning a goal.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SUMMARY_MARK, SummaryRow, table } from './lib';

/** Longest a single bench may run before it is killed. */
const BENCH_TIMEOUT_MS = 150_000;
/** Benches that run longer: models boots three app processes for its saturation rounds. */
const TIMEOUT_MS: Record<string, number> = { models: 450_000 };
const BENCHES = ['pools', 'models', 'http', 'cache'];

interface Outcome {
  name: string;
  status: string;
  seconds: number;
  rows: SummaryRow[];
}

function runBench(name: string, file: string): Promise<Outcome> {
  const started = Date.now();
  const timeoutMs = TIMEOUT_MS[name] ?? BENCH_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = output.split('\n');
      const marked = lines.filter((l) => l.startsWith(SUMMARY_MARK));
      const rows: SummaryRow[] = marked.flatMap((l) => {
        try {
          return JSON.parse(l.slice(SUMMARY_MARK.length)) as SummaryRow[];
        } catch {
          return [];
        }
      });
      if (marked.length === 0) {
        for (const line of lines.filter((l) => /goal/i.test(l)))
          rows.push({ bench: name, metric: line.trim(), value: '' });
      }
      const status = timedOut
        ? `timed out after ${timeoutMs / 1000} s`
        : code === 0
          ? 'ok'
          : `failed (${signal ?? `exit ${code}`})`;
      resolve({ name, status, seconds: (Date.now() - started) / 1000, rows });
    });
  });
}

async function main(): Promise<void> {
  const outcomes: Outcome[] = [];
  for (const name of BENCHES) {
    const file = join('bench', `${name}.bench.ts`);
    if (!existsSync(file)) continue;
    console.log(`\n=== ${file} ===\n`);
    outcomes.push(await runBench(name, file));
  }

  console.log(`\n=== summary (${new Date().toISOString()}, node ${process.version}) ===\n`);
  console.log(
    table(
      ['bench', 'status', 'time'],
      outcomes.map((o) => [o.name, o.status, `${o.seconds.toFixed(0)} s`]),
    ),
  );
  console.log(
    '\nratio: median of per-round ratios, service path / baseline measured in the same run\n',
  );
  console.log(
    table(
      ['bench', 'metric', 'value', 'baseline (same run)', 'ratio', 'goal'],
      outcomes.flatMap((o) =>
        o.rows.map((r) => [
          r.bench,
          r.metric,
          r.value,
          r.baseline ?? '',
          r.ratio ?? '',
          r.goal ?? '',
        ]),
      ),
      6,
    ),
  );
  process.exitCode = outcomes.every((o) => o.status === 'ok') ? 0 : 1;
}

void main();
