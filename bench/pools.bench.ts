/**
 * Shared pools against their raw drivers, side by side in one run (issue 3):
 *
 *   npm run bench:pools      (node -r @swc-node/register bench/pools.bench.ts)
 *
 * - `SELECT 1` through DatabaseService.query (TypeORM over pg, pool 10, no overflow) against a
 *   raw pg Pool of 10, both on a scratch database, 50 in flight.
 * - Redis GET of one small key through RedisService.run against one raw ioredis client with
 *   auto-pipelining, 50 in flight. RedisService is measured at the default REDIS_POOL_SIZE (20,
 *   the app booted here) and with a pool of 1 (a second RedisService), to separate the
 *   service's own overhead from the effect of spreading commands over many connections.
 *
 * Each candidate runs ROUND_MS per round, ROUNDS rounds in alternating order; the figure is the
 * median round, the ratio the median of per-round ratios. Goal: >= 0.8x pg, >= 0.9x ioredis.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { createApp } from '../src/app.factory';
import { validateConfig } from '../src/config/app-config';
import { redisOptions } from '../src/config/resource-options';
import { DatabaseService } from '../src/resources/database/database.service';
import { RedisService } from '../src/resources/redis/redis.service';
import { ResourceRegistry } from '../src/resources/registry/resource-registry.service';
import {
  REDIS_URL,
  closedLoop,
  removeScratch,
  runBench,
  emitSummary,
  median,
  pairedRatio,
  rate,
  ratio,
  rounds,
  scratchDatabase,
  table,
  uniqueSuffix,
  watchdog,
} from './lib';

const ROUNDS = 3;
const ROUND_MS = 2500;
const WARMUP_MS = 500;
const IN_FLIGHT = 50;
const MAX_OPS = 2_000_000;
const DB_POOL = 10;
const REDIS_POOL_DEFAULT = 20;

async function main(): Promise<void> {
  watchdog(110_000, 'pools.bench');
  const db = await scratchDatabase('pools');
  const prefix = `bench${uniqueSuffix()}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'captions-bench-'));
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    ENABLE_MONITORING: 'false',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: String(DB_POOL),
    DATABASE_MAX_OVERFLOW: '0',
    REDIS_URL,
    REDIS_POOL_SIZE: String(REDIS_POOL_DEFAULT),
    REDIS_KEY_PREFIX: prefix,
  };
  let app: NestFastifyApplication | undefined;
  const redisOne = new RedisService(
    redisOptions(validateConfig({ ...env, REDIS_POOL_SIZE: '1' })),
    new ResourceRegistry(),
  );
  const rawPg = new Pool({ connectionString: db.url, max: DB_POOL });
  const rawRedis = new Redis(REDIS_URL, { enableAutoPipelining: true, lazyConnect: true });
  // Without listeners a dropped idle connection would crash the bench instead of being reported.
  rawPg.on('error', (error) => console.error(`raw pg pool: ${error.message}`));
  rawRedis.on('error', (error: Error) => console.error(`raw ioredis: ${error.message}`));
  try {
    app = await createApp(validateConfig(env));
    const database = app.get(DatabaseService);
    const redis = app.get(RedisService);
    await redisOne.init();
    await rawRedis.connect();
    const key = redis.key('bench', 'get');
    await rawRedis.set(key, 'a small cached value, about the size of a short caption');

    const load = (op: () => Promise<unknown>, durationMs: number) =>
      closedLoop(op, { inFlight: IN_FLIGHT, durationMs, maxOps: MAX_OPS });
    const ops: Record<string, () => Promise<unknown>> = {
      'DatabaseService.query SELECT 1': () => database.query('SELECT 1'),
      [`raw pg Pool(${DB_POOL}) SELECT 1`]: () => rawPg.query('SELECT 1'),
      [`RedisService GET (pool ${REDIS_POOL_DEFAULT})`]: () => redis.run((c) => c.get(key)),
      'RedisService GET (pool 1)': () => redisOne.run((c) => c.get(key)),
      'raw ioredis GET, auto-pipelining': () => rawRedis.get(key),
    };
    const names = Object.keys(ops);
    for (const name of names) await load(ops[name], WARMUP_MS); // fills pools, warms the JIT

    const errors = new Map<string, string>();
    const results = await rounds(
      names.map((name) => ({
        name,
        run: async () => {
          const result = await load(ops[name], ROUND_MS);
          if (result.errors > 0) errors.set(name, `${result.errors} errors: ${result.firstError}`);
          return result.perSecond;
        },
      })),
      ROUNDS,
      (round) => console.log(`round ${round}/${ROUNDS}`),
    );

    const of = (name: string) => results.get(name) ?? [];
    const baselineOf: Record<string, [string, number]> = {
      [names[0]]: [names[1], 0.8],
      [names[2]]: [names[4], 0.9],
      [names[3]]: [names[4], 0.9],
    };
    const rows = names.map((name) => {
      const [baseline, goal] = baselineOf[name] ?? [];
      return [
        name,
        rate(median(of(name))),
        of(name)
          .map((v) => (v / 1000).toFixed(1))
          .join(' / '),
        baseline ? ratio(pairedRatio(of(name), of(baseline))) : '',
        goal ? `>= ${goal}x` : '',
      ];
    });
    console.log(
      `\nnode ${process.version}, ${IN_FLIGHT} in flight, ${ROUNDS} rounds of ${ROUND_MS} ms, median round\n`,
    );
    console.log(table(['candidate', 'median', 'rounds (k/s)', 'vs raw', 'goal'], rows));
    for (const [name, error] of errors) console.log(`! ${name}: ${error}`);

    emitSummary(
      Object.entries(baselineOf).map(([name, [baseline, goal]]) => ({
        bench: 'pools',
        metric: name,
        value: rate(median(of(name))),
        baseline: `${rate(median(of(baseline)))} (${baseline})`,
        ratio: ratio(pairedRatio(of(name), of(baseline))),
        goal: `>= ${goal}x`,
      })),
    );
  } finally {
    await app?.close().catch((e: Error) => console.error(`app close: ${e.message}`));
    await redisOne.shutdown().catch(() => undefined);
    await rawPg.end().catch(() => undefined);
    await rawRedis.quit().catch(() => rawRedis.disconnect());
    await removeScratch({ prefix, db, dataDir });
  }
}

runBench('pools.bench', main);
