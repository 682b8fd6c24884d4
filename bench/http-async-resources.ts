/**
 * `npm run bench:http -- --async-resources`: how many async resources (promises, ticks, timers,
 * ...) each target's server creates per request, by type. Every server runs with
 * bench/async-resource-counter.ts preloaded; each target gets WARMUP_REQUESTS, then the
 * server's totals are read before and after exactly COUNTED_REQUESTS. A count, not a time: the
 * same on a busy machine as on a quiet one, and what an AsyncLocalStorage on Node 20 makes every
 * request pay for (async hooks run for each).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Running, ServerName, Specs, startServers } from './http-servers';
import { sleep, table } from './lib';

const WARMUP_REQUESTS = 2000;
const COUNTED_REQUESTS = 5000;
const CONNECTIONS = 10;
/** Types shown in columns of their own; the rest are summed under "other". */
const COLUMNS = ['PROMISE', 'TickObject', 'Timeout', 'Immediate'];

/** A target as http.bench.ts declares it. */
export interface CountedTarget {
  name: string;
  server: ServerName;
  options: (baseUrl: string, captionId: string) => autocannon.Options;
}

type Counts = Record<string, number>;

/** The flag: `--async-resources` (or BENCH_ASYNC_RESOURCES=1). */
export function asyncResourcesRequested(argv: string[]): boolean {
  return argv.includes('--async-resources') || process.env.BENCH_ASYNC_RESOURCES === '1';
}

/** Starts the servers with the counter preloaded, counts every target, prints the table. */
export async function countAsyncResources(
  specs: Specs,
  servers: ServerName[],
  targets: CountedTarget[],
  running: Running,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'captions-async-counts-'));
  try {
    for (const name of servers) {
      specs[name].env = { ...specs[name].env, BENCH_ASYNC_COUNTS_FILE: join(dir, `${name}.json`) };
    }
    const preload = [
      '-r',
      '@swc-node/register',
      '-r',
      join(__dirname, 'async-resource-counter.ts'),
    ];
    await startServers(specs, servers, running, preload);
    const rows: string[][] = [];
    for (const target of targets) {
      const perRequest = await countTarget(target, specs, running);
      rows.push([target.name, ...columnsOf(perRequest)]);
    }
    console.log(
      `\nasync resources created per request (autocannon ${CONNECTIONS} connections, ` +
        `${COUNTED_REQUESTS} requests after ${WARMUP_REQUESTS}; node ${process.version})\n`,
    );
    console.log(table(['target', ...COLUMNS, 'other', 'total'], rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function countTarget(target: CountedTarget, specs: Specs, running: Running): Promise<Counts> {
  const child = running.children.get(target.server)!;
  const options = target.options(running.urls.get(target.server)!, running.captionId);
  const file = specs[target.server].env.BENCH_ASYNC_COUNTS_FILE;
  const send = async (amount: number) => {
    const result = await autocannon({ connections: CONNECTIONS, amount, timeout: 10, ...options });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
  };
  await send(WARMUP_REQUESTS);
  const before = await snapshot(child.process.pid!, file);
  await send(COUNTED_REQUESTS);
  const after = await snapshot(child.process.pid!, file);
  const perRequest: Counts = {};
  for (const type of Object.keys(after)) {
    perRequest[type] = ((after[type] ?? 0) - (before[type] ?? 0)) / COUNTED_REQUESTS;
  }
  return perRequest;
}

/** Asks the server for its totals (SIGUSR2) and reads them once the file is rewritten. */
async function snapshot(pid: number, file: string): Promise<Counts> {
  const previous = modifiedAt(file);
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 5000; waited += 20) {
    await sleep(20);
    if (modifiedAt(file) !== previous) return JSON.parse(readFileSync(file, 'utf8')) as Counts;
  }
  throw new Error(`no async resource counts from ${pid} in ${file}`);
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function columnsOf(perRequest: Counts): string[] {
  const shown = COLUMNS.map((type) => perRequest[type] ?? 0);
  const total = Object.values(perRequest).reduce((a, b) => a + b, 0);
  const other = total - shown.reduce((a, b) => a + b, 0);
  return [...shown, other, total].map((n) => n.toFixed(1));
}
