/**
 * The `caption-local` model through the model pool, side by side with wink-nlp used directly
 * (issue 5):
 *
 *   npm run bench:models      (npm run build, then node -r @swc-node/register bench/models.bench.ts)
 *
 * - Cold load: the first load in a fresh process (import of wink-nlp and its English model,
 *   building the NLP instance), through ModelPoolService.init() (MODEL_PRELOAD=caption-local)
 *   against the same steps done by hand; each in its own child process, COLD_ROUNDS each,
 *   alternating.
 * - Reload: unload + load in this process (the modules stay in Node's require cache), against
 *   building a wink-nlp instance by hand.
 * - Warm generations/s: CaptionWriter.generateCaption (through the pool) sequentially and with a few in flight,
 *   against the loaded model's generate() called directly (no pool), and wink-nlp readDoc alone
 *   (the NLP floor). Varied descriptions and styles, no cache anywhere on this path.
 * - Memory: the footprint the pool measured (status()), and this process's heap/RSS.
 */
import { spawnSync } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { validateConfig } from '../src/config/app-config';
import { modelPoolOptions } from '../src/config/resource-options';
import { CaptionWriter } from '../src/captions/caption-writer';
import { CAPTION_STYLES, CaptionRequest } from '../src/captions/models/caption-model.types';
import { CaptionModelsRegistrar } from '../src/captions/models/caption-models.registrar';
import { WinkCaptionLoader } from '../src/captions/models/wink-caption.loader';
import { ModelPoolService } from '../src/resources/model-pool/model-pool.service';
import { ModelSpec } from '../src/resources/model-pool/model-pool.types';
import { ResourceRegistry } from '../src/resources/registry/resource-registry.service';
import {
  closedLoop,
  emitSummary,
  median,
  ms,
  pairedRatio,
  rate,
  ratio,
  rounds,
  table,
  watchdog,
} from './lib';
import { killSaturationServers } from './app-model-saturation';
import { benchModelWorkers } from './model-workers.bench';

const MODEL = 'caption-local';
const COLD_ROUNDS = 3;
const RELOADS = 5;
const ROUNDS = 3;
const ROUND_MS = 1500;
const WARMUP_MS = 300;
const IN_FLIGHT = 4;
const MAX_OPS = 1_000_000;
const DESCRIPTIONS = [
  'Sunrise over the Dolomites with my dog on a cold morning hike',
  'Homemade sourdough bread fresh out of the oven, crispy crust and soft crumb',
  'Our team celebrating the launch of the new mobile app in Berlin last Friday',
  'A quiet afternoon at the beach in Malibu, reading a good book ☀️📚',
  'Trying the new matcha latte at the little coffee shop around the corner',
  'First marathon finished in 4 hours! Legs are sore but the heart is full',
  'Five tips for keeping your houseplants alive during the winter months',
  'Flash sale this weekend: 30% off every handmade ceramic mug in the shop',
];
const requests: CaptionRequest[] = DESCRIPTIONS.map((content_description, i) => ({
  content_description,
  style: CAPTION_STYLES[i % CAPTION_STYLES.length],
  hashtag_count: 5,
  language: 'en',
  max_length: 2200,
}));

type Load = { wallMs: number; loadMs?: number; memoryMb?: number };
const wall = (loads: Load[]) => loads.map((l) => l.wallMs);

// The production guard wants DATABASE_URL; the pool alone uses no database.
const benchConfig = () =>
  validateConfig({ NODE_ENV: 'production', ALLOW_EMBEDDED_DATABASE: 'true', MODEL_PRELOAD: MODEL });

/** The pool with the caption models registered, as CaptionsModule does it in the app. */
function poolService(): ModelPoolService {
  const config = benchConfig();
  const service = new ModelPoolService(modelPoolOptions(config), new ResourceRegistry());
  new CaptionModelsRegistrar(service, config);
  return service;
}

async function buildWinkByHand() {
  const [{ default: winkNLP }, { default: model }] = await Promise.all([
    import('wink-nlp'),
    import('wink-eng-lite-web-model'),
  ]);
  const nlp = winkNLP(model);
  nlp.readDoc('Warm up the tagger once, so its lazy tables count in the footprint.');
  return nlp;
}

/** Child mode: one cold load in this fresh process, printed as one JSON line. */
async function coldOnce(kind: string): Promise<void> {
  const started = performance.now();
  if (kind === 'pool') {
    const service = poolService();
    await service.init();
    const wallMs = performance.now() - started;
    const status = service.status().models.find((m) => m.name === MODEL);
    console.log(
      JSON.stringify({ wallMs, loadMs: status?.load_time_ms, memoryMb: status?.memory_mb }),
    );
    await service.shutdown();
  } else {
    await buildWinkByHand();
    console.log(JSON.stringify({ wallMs: performance.now() - started }));
  }
}

function coldInChild(kind: 'pool' | 'raw'): Load {
  const child = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', __filename, 'cold', kind],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const last = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`cold ${kind} child failed (${child.status}): ${child.stderr || child.stdout}`);
  }
}

/** Cold loads, each in a fresh process, pool and by hand alternating. */
async function measureCold(): Promise<{ pool: Load[]; raw: Load[] }> {
  const cold = await rounds(
    (['pool', 'raw'] as const).map((kind) => ({ name: kind, run: async () => coldInChild(kind) })),
    COLD_ROUNDS,
  );
  return { pool: cold.get('pool') ?? [], raw: cold.get('raw') ?? [] };
}

/** Unload + load through the pool, alternating with a wink-nlp instance built by hand. */
async function measureReload(service: ModelPoolService): Promise<{ pool: Load[]; raw: Load[] }> {
  const status = () => service.status().models.find((m) => m.name === MODEL);
  const reload = await rounds<Load>(
    [
      {
        name: 'pool',
        run: async () => {
          await service.unload(MODEL);
          const started = performance.now();
          await service.load(MODEL);
          const wallMs = performance.now() - started;
          return { wallMs, loadMs: status()?.load_time_ms ?? NaN, memoryMb: status()?.memory_mb };
        },
      },
      {
        name: 'raw',
        run: async () => {
          const started = performance.now();
          await buildWinkByHand();
          return { wallMs: performance.now() - started };
        },
      },
    ],
    RELOADS,
  );
  return { pool: reload.get('pool') ?? [], raw: reload.get('raw') ?? [] };
}

/** Warm generations/s: through the pool, the model directly, and the NLP step alone. */
async function measureWarm(service: ModelPoolService) {
  const direct = await new WinkCaptionLoader().load({} as ModelSpec, new AbortController().signal);
  const nlp = await buildWinkByHand();
  let next = 0;
  const nextRequest = () => requests[next++ % requests.length];
  const writer = new CaptionWriter(service, benchConfig());
  const pooled = () => writer.generateCaption(nextRequest());
  const candidates = [
    { name: 'pool generateCaption, sequential', inFlight: 1, op: pooled },
    { name: `pool generateCaption, ${IN_FLIGHT} in flight`, inFlight: IN_FLIGHT, op: pooled },
    {
      name: 'model.generate direct, sequential',
      inFlight: 1,
      op: () => direct.generate(nextRequest()),
    },
    {
      name: 'wink readDoc + POS only, sequential',
      inFlight: 1,
      op: async () => nlp.readDoc(nextRequest().content_description).tokens().out(nlp.its.pos),
    },
  ];
  const gen = (c: (typeof candidates)[number], durationMs: number) =>
    closedLoop(c.op, { inFlight: c.inFlight, durationMs, maxOps: MAX_OPS });
  for (const c of candidates) await gen(c, WARMUP_MS);
  const warm = await rounds(
    candidates.map((c) => ({ name: c.name, run: async () => (await gen(c, ROUND_MS)).perSecond })),
    ROUNDS,
  );
  await direct.unload();
  return candidates.map((c) => ({ name: c.name, rates: warm.get(c.name) ?? [] }));
}

async function main(): Promise<void> {
  // The app saturation (model-workers.bench.ts) alone takes about two minutes.
  watchdog(420_000, 'models.bench', killSaturationServers);
  const cold = await measureCold();
  // The pool boots in this process too: also a cold load here.
  const service = poolService();
  const bootStarted = performance.now();
  await service.init();
  const inProcessColdMs = performance.now() - bootStarted;
  const first = service.status().models.find((m) => m.name === MODEL);
  const reload = await measureReload(service);
  const warm = await measureWarm(service);
  const last = service.status().models.find((m) => m.name === MODEL);
  const { loads, evictions_by_reason: evictions } = service.status();
  const memory = process.memoryUsage();
  await service.shutdown();

  console.log(
    `node ${process.version}; cold: ${COLD_ROUNDS} fresh processes each; reload: ${RELOADS} each; warm: ${ROUNDS} rounds of ${ROUND_MS} ms\n`,
  );
  const loadRow = (label: string, pool: Load[], raw: Load[]) => [
    label,
    ms(median(wall(pool))),
    ms(median(pool.map((l) => l.loadMs ?? NaN))),
    ms(median(wall(raw))),
    ratio(pairedRatio(wall(pool), wall(raw))),
  ];
  const loadRows = [
    loadRow('cold, fresh process', cold.pool, cold.raw),
    loadRow('reload (unload + load)', reload.pool, reload.raw),
  ];
  loadRows.splice(1, 0, [
    'cold, in this process',
    ms(inProcessColdMs),
    ms(first?.load_time_ms ?? NaN),
    '',
    '',
  ]);
  const loadHeaders = ['load of caption-local', 'pool', 'pool load_time_ms', 'by hand', 'ratio'];
  console.log(table(loadHeaders, loadRows));

  const directRates = warm[2].rates;
  const warmRows = warm.map(({ name, rates }) => [
    name,
    rate(median(rates)),
    rates.map(rate).join(' / '),
    ratio(pairedRatio(rates, directRates)),
  ]);
  console.log(`\n${table(['warm generation', 'median', 'rounds', 'vs direct'], warmRows)}`);

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    [
      `\nmemory of ${MODEL} as the pool measured it (status().memory_mb: heap + external growth across the load):`,
      `  first load, fresh processes: ${cold.pool.map((l) => l.memoryMb).join(' / ')} MB`,
      `  first load, this process:    ${first?.memory_mb} MB`,
      `  after each reload:           ${reload.pool.map((l) => l.memoryMb).join(' / ')} MB (measured once in a thread of its own: see below)`,
      `  at the end:                  ${last?.memory_mb} MB (measured=${last?.measured}, next estimate ${last?.estimated_mb} MB)`,
      `  this process now: heap ${mb(memory.heapUsed)}, external ${mb(memory.external)}, rss ${mb(memory.rss)}`,
      `pool counters: loads ${loads}, evictions ${JSON.stringify(evictions)}`,
    ].join('\n'),
  );

  const summary = (row: string[], baseline: string) => ({
    bench: 'models',
    metric: row[0],
    value: row[1],
    baseline: `${row[3]} (${baseline})`,
    ratio: row[4],
  });
  // Models off the event loop (issue 14): worker threads against inline, in this same run.
  const workerRows = await benchModelWorkers();
  emitSummary([
    ...workerRows,
    summary(loadRows[0], 'wink-nlp by hand'),
    summary(loadRows[2], 'wink-nlp by hand'),
    {
      bench: 'models',
      metric: 'warm generateCaption, sequential',
      value: warmRows[0][1],
      baseline: `${warmRows[2][1]} (model.generate direct)`,
      ratio: warmRows[0][3],
    },
    {
      bench: 'models',
      metric: 'measured memory (status)',
      value: `${median(cold.pool.map((l) => l.memoryMb ?? NaN))} MB first load; ${last?.memory_mb} MB after reloads`,
    },
  ]);
}

Logger.overrideLogger(false);
const run = process.argv[2] === 'cold' ? coldOnce(process.argv[3]) : main();
run.then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`models.bench failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
