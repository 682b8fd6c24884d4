/**
 * Helpers shared by the benchmarks: rounds in alternating order, medians, a bounded closed-loop
 * load generator, tables, a summary line for bench/index.ts, and scratch PostgreSQL / Redis
 * resources on 127.0.0.1 that are cleaned up afterwards.
 *
 * Benchmarks are not tests: nothing here asserts, and no figure fails a run.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/** The real services, loopback only. */
export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A line starting with this carries a bench's summary rows as JSON, for bench/index.ts. */
export const SUMMARY_MARK = '@@bench-summary ';

export interface SummaryRow {
  bench: string;
  metric: string;
  value: string;
  baseline?: string;
  ratio?: string;
  goal?: string;
}

export function emitSummary(rows: SummaryRow[]): void {
  console.log(`${SUMMARY_MARK}${JSON.stringify(rows)}`);
}

/** Median (upper middle for an even count); NaN for none. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Short and unique: pid plus random hex, safe in database names and key prefixes. */
export function uniqueSuffix(): string {
  return `${process.pid}_${randomBytes(3).toString('hex')}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs every candidate once per round; even rounds in the given order, odd rounds reversed, so
 * no candidate always runs first or last. Returns each candidate's figures, one per round.
 */
export async function rounds<T>(
  candidates: { name: string; run: () => Promise<T> }[],
  count: number,
  onRound?: (round: number) => void,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(candidates.map((c) => [c.name, []]));
  for (let round = 0; round < count; round++) {
    onRound?.(round + 1);
    const order = round % 2 === 0 ? candidates : [...candidates].reverse();
    for (const candidate of order) results.get(candidate.name)?.push(await candidate.run());
  }
  return results;
}

export interface LoadResult {
  ops: number;
  errors: number;
  perSecond: number;
  firstError?: string;
}

/**
 * Closed loop: `inFlight` workers each await `op` again and again until `durationMs` has passed
 * or `maxOps` operations (successful or not) were made, whichever comes first.
 */
export async function closedLoop(
  op: () => Promise<unknown>,
  { inFlight, durationMs, maxOps }: { inFlight: number; durationMs: number; maxOps: number },
): Promise<LoadResult> {
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (ops + errors < maxOps && performance.now() < deadline) {
      try {
        await op();
        ops++;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { ops, errors, perSecond: ops / seconds, firstError };
}

/** Median of per-round ratios a[i] / b[i]: both figures of a round were taken close together. */
export function pairedRatio(a: number[], b: number[]): number {
  return median(a.map((value, i) => value / b[i]));
}

export const rate = (perSecond: number) =>
  perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)} M/s`
    : perSecond >= 1e3
      ? `${(perSecond / 1e3).toFixed(1)} k/s`
      : `${perSecond.toFixed(1)} /s`;
export const ratio = (value: number) => `${value.toFixed(2)}x`;
export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

/** A plain-text table: the first `left` columns left-aligned, the others right-aligned. */
export function table(headers: string[], rows: string[][], left = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < left ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * Exits the process if the bench has not finished within limitMs, or on SIGTERM / SIGINT, after
 * calling `cleanup` (synchronous: kill child processes there). A hung bench must not hang the run.
 */
export function watchdog(limitMs: number, name: string, cleanup?: () => void): void {
  const abort = (why: string, code: number) => {
    console.error(`${name}: ${why}; exiting`);
    cleanup?.();
    process.exit(code);
  };
  setTimeout(() => abort(`did not finish within ${limitMs / 1000} s`, 2), limitMs).unref();
  process.once('SIGTERM', () => abort('SIGTERM', 143));
  process.once('SIGINT', () => abort('SIGINT', 130));
}

/** A fresh, empty database on the local server; `drop()` removes it (forcing out connections). */
export async function scratchDatabase(
  tag: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_${tag}_${uniqueSuffix()}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Deletes every Redis key under `prefix` (a plain prefix, no glob characters). Returns the count. */
export async function deleteRedisPrefix(prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9:_-]+$/.test(prefix)) throw new Error(`unsafe key prefix ${prefix}`);
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    for (let pass = 0; pass < 10_000; pass++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
  return deleted;
}

/** Runs a bench's main and exits 0, or 1 with the error (a crash must not look like a result). */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`${name} failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}

/** Removes a bench's scratch state: its Redis keys, its database and its data folder. */
export async function removeScratch(scratch: {
  prefix: string;
  db: { drop: () => Promise<void> };
  dataDir: string;
}): Promise<void> {
  await deleteRedisPrefix(scratch.prefix).catch((e: Error) =>
    console.error(`redis cleanup: ${e.message}`),
  );
  await scratch.db.drop().catch((e: Error) => console.error(`drop database: ${e.message}`));
  rmSync(scratch.dataDir, { recursive: true, force: true });
}
