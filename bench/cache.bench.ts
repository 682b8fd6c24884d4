/**
 * L1 hit path of the shared cache, side by side with its baselines, in one run:
 *
 *   node -r @swc-node/register bench/cache.bench.ts
 *
 * Every candidate reads 1,024 keys round-robin from a cache holding 1,000 entries, so every
 * read is a hit. Candidates run interleaved, 5 rounds each; the median round is reported. The
 * raw lru-cache has the same options as the cache's L1 (max, maxSize, ttl). bentocache is not
 * installed in this project, so it is not measured. No Redis: L2 is not on the hit path.
 */
import { createCache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import { validateConfig } from '../src/config/app-config';
import { cacheOptions } from '../src/config/resource-options';
import { CacheService } from '../src/resources/cache/cache.service';
import { TieredCache } from '../src/resources/cache/tiered-cache';
import { ResourceRegistry } from '../src/resources/registry/resource-registry.service';

const OPS = 400_000;
const ROUNDS = 5;
const ENTRIES = 1_000;
const keys = Array.from({ length: 1024 }, (_, i) => `key:${i % ENTRIES}`);
const value = { caption: 'Sunset over the bay', hashtags: ['#sunset', '#bay'] };
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

const raw = new LRUCache<string, object>({
  max: 10_000,
  maxSize: 64 * 1024 * 1024,
  ttl: 3_600_000,
  sizeCalculation: () => 64,
});
const tiered = new TieredCache({ sweepIntervalMs: 0, logger: quiet });
/** Entries written with a grace period: each hit also reads the clock to tell fresh from stale. */
const graced = new TieredCache({ sweepIntervalMs: 0, logger: quiet });
const graceOptions = { ttl: 3600, grace: 60 };
const service = new CacheService(
  cacheOptions(validateConfig({ NODE_ENV: 'test' })),
  new ResourceRegistry(),
);
const manager = createCache();
const loader = async () => value;
const options = { ttl: 3600 };

let sink = 0;

function syncRaw(): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if (raw.get(keys[i & 1023]) !== undefined) sink++;
  return elapsed(started);
}

async function awaitedRaw(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if ((await raw.get(keys[i & 1023])) !== undefined) sink++;
  return elapsed(started);
}

async function tieredGet(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if ((await tiered.get(keys[i & 1023])) !== undefined) sink++;
  return elapsed(started);
}

async function tieredGetOrSet(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    if ((await tiered.getOrSet(keys[i & 1023], loader, options)) !== undefined) sink++;
  }
  return elapsed(started);
}

async function tieredGetOrSetGrace(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    if ((await graced.getOrSet(keys[i & 1023], loader, graceOptions)) !== undefined) sink++;
  }
  return elapsed(started);
}

async function serviceGet(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if ((await service.get(keys[i & 1023])) !== undefined) sink++;
  return elapsed(started);
}

async function serviceGetOrSet(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) {
    if ((await service.getOrSet(keys[i & 1023], loader, options)) !== undefined) sink++;
  }
  return elapsed(started);
}

async function managerGet(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if ((await manager.get(keys[i & 1023])) !== undefined) sink++;
  return elapsed(started);
}

function elapsed(started: bigint): number {
  return OPS / (Number(process.hrtime.bigint() - started) / 1e9);
}

const candidates: [string, () => number | Promise<number>][] = [
  ['lru-cache get, sync (physical limit)', syncRaw],
  ['lru-cache get, awaited (async floor)', awaitedRaw],
  ['TieredCache.get', tieredGet],
  ['TieredCache.getOrSet', tieredGetOrSet],
  ['TieredCache.getOrSet, grace entries', tieredGetOrSetGrace],
  ['CacheService.get', serviceGet],
  ['CacheService.getOrSet', serviceGetOrSet],
  ['cache-manager 7 get (memory)', managerGet],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const format = (opsPerSecond: number) => `${(opsPerSecond / 1e6).toFixed(2)} M/s`;

async function main(): Promise<void> {
  for (let i = 0; i < ENTRIES; i++) {
    const key = `key:${i}`;
    raw.set(key, value);
    await tiered.set(key, value);
    await graced.set(key, value, graceOptions);
    await service.set(key, value);
    await manager.set(key, value);
  }
  const results = new Map<string, number[]>(candidates.map(([name]) => [name, []]));
  for (const [, run] of candidates) await run(); // warm-up, not counted
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of candidates) results.get(name)?.push(await run());
  }
  const rate = new Map([...results].map(([name, runs]) => [name, median(runs)]));
  const of = (name: string) => rate.get(name) ?? NaN;
  const asyncFloor = of('lru-cache get, awaited (async floor)');
  const syncLimit = of('lru-cache get, sync (physical limit)');
  const manager7 = of('cache-manager 7 get (memory)');

  console.log(`node ${process.version}, ${OPS} hits per round, median of ${ROUNDS} rounds\n`);
  console.log(
    `${'candidate'.padEnd(40)}${'rate'.padStart(12)}${'vs awaited'.padStart(12)}${'vs sync'.padStart(10)}${'vs c-m 7'.padStart(10)}`,
  );
  for (const [name] of candidates) {
    const r = of(name);
    console.log(
      `${name.padEnd(40)}${format(r).padStart(12)}${`${(r / asyncFloor).toFixed(2)}x`.padStart(12)}${`${(r / syncLimit).toFixed(2)}x`.padStart(10)}${`${(r / manager7).toFixed(2)}x`.padStart(10)}`,
    );
  }
  console.log('\nbentocache: not installed in this project, not measured.');
  const goal = (name: string) =>
    `${name}: ${(of(name) / asyncFloor).toFixed(2)}x awaited lru-cache (goal >= 0.7), ${(of(name) / manager7).toFixed(2)}x cache-manager (goal >= 2)`;
  console.log(goal('TieredCache.get'));
  console.log(goal('TieredCache.getOrSet'));
  console.log(goal('TieredCache.getOrSet, grace entries'));
  console.log(goal('CacheService.get'));
  if (sink === 0) console.log('(no hits: the benchmark is broken)');
  await service.shutdown();
}

void main();
