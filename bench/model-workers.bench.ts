/**
 * Models off the event loop (issue 14), run by `npm run bench:models` after the caption-local
 * figures, or alone: `node -r @swc-node/register bench/model-workers.bench.ts`.
 *
 * - Saturation, on the real built app (bench/app-model-saturation.ts; `npm run build` first):
 *   a SYNTHETIC CPU-bound model (~20 ms per inference, registered by the bench only) kept busy
 *   by uncached generates naming it, while cached POST /captions/generate arrive at a fixed
 *   rate from an autocannon child process; `worker` mode (MODEL_WORKERS threads, with and
 *   without MODEL_WORKER_NICE) against `inline` (MODEL_WORKERS=0), each its own app process,
 *   3 rounds alternating. Reported: cached p50/p99, the app's event-loop delay p99, synthetic
 *   generates/s.
 * - caption-local uncached generations/s, inline (today's placement) against worker threads.
 * - caption-local's footprint measured in isolation, several times (reload after reload the
 *   pool reports that figure), and RSS after a worker model's unload against before its load.
 *
 * The machine is shared: figures are noisy, one run is indicative, not a verdict.
 */
import { availableParallelism } from 'node:os';
import { Logger } from '@nestjs/common';
import {
  CAPTION_STYLES,
  CaptionModel,
  CaptionRequest,
} from '../src/captions/models/caption-model.types';
import { WINK_WORKER_MODEL } from '../src/captions/models/wink-caption.worker-model';
import { WinkCaptionLoader } from '../src/captions/models/wink-caption.loader';
import { ModelPoolService } from '../src/resources/model-pool/model-pool.service';
import { ModelSpec } from '../src/resources/model-pool/model-pool.types';
import { measureFootprintInWorker } from '../src/resources/model-pool/workers/isolated-footprint';
import { ResourceRegistry } from '../src/resources/registry/resource-registry.service';
import { SaturationResult, measureAppSaturation } from './app-model-saturation';
import {
  SummaryRow,
  closedLoop,
  median,
  ms,
  pairedRatio,
  rate,
  ratio,
  rounds,
  sleep,
  table,
} from './lib';

const SYNTHETIC = require.resolve('./synthetic-cpu.worker-model');
const THREADS = Math.max(1, availableParallelism() - 1);
const ROUNDS = 3;
const ROUND_MS = 1500;
const IN_FLIGHT = 4;
const FOOTPRINTS = 4;
const HOLD_MB = 200;
const CAPTION: CaptionRequest = {
  content_description: 'Homemade sourdough bread fresh out of the oven, crispy crust',
  style: 'casual',
  hashtag_count: 5,
  language: 'en',
  max_length: 2200,
};
const requests = [
  'Sunrise over the Dolomites with my dog on a cold morning hike',
  'Our team celebrating the launch of the new mobile app in Berlin last Friday',
  'A quiet afternoon at the beach in Malibu, reading a good book',
  'Five tips for keeping your houseplants alive during the winter months',
].map((content_description, i) => ({ ...CAPTION, content_description, style: CAPTION_STYLES[i] }));

/** A pool with the synthetic model (and caption-local inline + in workers), `threads` per model. */
function pool(threads: number, models: ModelSpec[]): ModelPoolService {
  const service = new ModelPoolService(
    {
      cacheSize: 5,
      memoryLimitMb: 4096,
      maxConcurrentLoads: 2,
      loadTimeoutMs: 60_000,
      idleTtlMs: 3_600_000,
      preload: [],
      shutdownGraceMs: 10_000,
      workers: { threads, queueLimit: 64, inferenceTimeoutMs: 30_000 },
    },
    new ResourceRegistry(),
  );
  service.registerWorkerLoader('synthetic', { module: SYNTHETIC, methods: ['generate'] });
  service.registerLoader('wink', new WinkCaptionLoader());
  service.registerWorkerLoader('wink-worker', { module: WINK_WORKER_MODEL, methods: ['generate'] });
  service.registerDefaultModels(models);
  return service;
}

const spec = (name: string, loader: string, options: Record<string, unknown> = {}): ModelSpec => ({
  name,
  loader,
  options,
  estimated_mb: 1,
});

/** caption-local uncached generations/s inline against the same model in worker threads. */
async function captionPlacement() {
  const service = pool(THREADS, [
    spec('caption-local', 'wink'),
    spec('caption-worker', 'wink-worker'),
  ]);
  await service.init();
  await Promise.all([service.load('caption-local'), service.load('caption-worker')]);
  let next = 0;
  const op = (name: string) => () =>
    service.withModel<CaptionModel, unknown>(name, (m) =>
      m.generate(requests[next++ % requests.length]),
    );
  const loop = (name: string, inFlight: number, durationMs: number) =>
    closedLoop(op(name), { inFlight, durationMs, maxOps: 1_000_000 });
  const candidates = [
    { name: 'inline, sequential', run: () => loop('caption-local', 1, ROUND_MS) },
    {
      name: `inline, ${IN_FLIGHT} in flight`,
      run: () => loop('caption-local', IN_FLIGHT, ROUND_MS),
    },
    {
      name: `worker (${THREADS} thread), sequential`,
      run: () => loop('caption-worker', 1, ROUND_MS),
    },
    {
      name: `worker (${THREADS} thread), ${IN_FLIGHT} in flight`,
      run: () => loop('caption-worker', IN_FLIGHT, ROUND_MS),
    },
  ];
  for (const c of candidates)
    await loop(c.name.startsWith('inline') ? 'caption-local' : 'caption-worker', 1, 300);
  const results = await rounds(
    candidates.map((c) => ({ name: c.name, run: async () => (await c.run()).perSecond })),
    ROUNDS,
  );
  await service.shutdown();
  return candidates.map((c) => ({ name: c.name, rates: results.get(c.name) ?? [] }));
}

/** caption-local measured in isolation again and again; RSS around a worker model's life. */
async function memory() {
  const footprints: number[] = [];
  for (let i = 0; i < FOOTPRINTS; i++) {
    footprints.push(
      await measureFootprintInWorker(WINK_WORKER_MODEL, spec('caption-local', 'wink')),
    );
  }
  const service = pool(1, [spec('heavy', 'synthetic', { holdMb: HOLD_MB })]);
  await service.init();
  await sleep(200);
  const rssBefore = process.memoryUsage().rss;
  await service.load('heavy');
  const rssLoaded = process.memoryUsage().rss;
  const charged = service.status().models[0].memory_mb;
  await service.unload('heavy');
  await sleep(500);
  const rssAfter = process.memoryUsage().rss;
  await service.shutdown();
  return { footprints, rssBefore, rssLoaded, rssAfter, charged };
}

/** The saturation table: one row per placement, median round, with every round's p99s. */
function saturationTable(results: SaturationResult[]): string {
  const p99s = (r: SaturationResult, key: 'cachedP99' | 'loopP99') =>
    r.rounds.map((round) => round[key].toFixed(1)).join(' / ');
  const sum = (r: SaturationResult, key: 'cachedFailures' | 'syntheticFailures') =>
    String(r.rounds.reduce((total, round) => total + round[key], 0));
  return table(
    [
      'placement',
      'cached p50',
      'cached p99 (goal < 10 ms)',
      'rounds',
      'loop delay p99 (goal < 20 ms)',
      'rounds',
      'cached 2xx/s',
      'synthetic 2xx/s',
      'loop delay max',
      'failures cached/synthetic',
    ],
    results.map((r) => [
      r.name,
      ms(r.median('cachedP50')),
      ms(r.median('cachedP99')),
      p99s(r, 'cachedP99'),
      ms(r.median('loopP99')),
      p99s(r, 'loopP99'),
      rate(r.median('cachedRps')),
      rate(r.median('syntheticRps')),
      ms(r.median('loopMax')),
      `${sum(r, 'cachedFailures')}/${sum(r, 'syntheticFailures')}`,
    ]),
  );
}

export async function benchModelWorkers(): Promise<SummaryRow[]> {
  const saturation = await measureAppSaturation();
  const placement = await captionPlacement();
  const mem = await memory();

  const [worker, , inline, floor] = saturation.results;
  console.log(
    `\nmodels off the event loop, on the built app: ${availableParallelism()} cores, ${saturation.threads} worker thread(s) (MODEL_WORKERS default); SYNTHETIC model ~20 ms CPU per caption, saturated by uncached generates naming it; cached POST /captions/generate at a fixed rate from a child autocannon; median of 3 rounds; loop delay is how late a 10 ms timer ran (monitorEventLoopDelay minus its resolution); load average (1 min) ${saturation.loadBefore.toFixed(2)} before, ${saturation.loadAfter.toFixed(2)} after\n`,
  );
  console.log(saturationTable(saturation.results));
  const inlineSeq = placement[0].rates;
  const inlineConc = placement[1].rates;
  const rows = placement.map(({ name, rates }, i) => [
    name,
    rate(median(rates)),
    rates.map(rate).join(' / '),
    ratio(pairedRatio(rates, i % 2 === 0 ? inlineSeq : inlineConc)),
  ]);
  console.log(
    `\n${table(['caption-local uncached generate', 'median', 'rounds', 'vs inline (goal >= 0.95x)'], rows)}`,
  );
  const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
  const spread =
    (Math.max(...mem.footprints) - Math.min(...mem.footprints)) / median(mem.footprints);
  console.log(
    [
      `\ncaption-local footprint measured in isolation (a fresh thread each): ${mem.footprints.map((f) => f.toFixed(1)).join(' / ')} MB, spread ${(spread * 100).toFixed(1)} % (goal within 10 %); the pool measures it once and reports it on every reload`,
      `worker model holding ${HOLD_MB} MB (SYNTHETIC): charged ${mem.charged} MB; RSS before load ${mb(mem.rssBefore)}, loaded ${mb(mem.rssLoaded)}, after unload ${mb(mem.rssAfter)} (${ratio(mem.rssAfter / mem.rssBefore)} of before; goal within 10 %)`,
    ].join('\n'),
  );
  return [
    {
      bench: 'models',
      metric: 'app, SYNTHETIC 20 ms model saturated: cached generate p99 / event-loop p99, worker',
      value: `${ms(worker.median('cachedP99'))} / ${ms(worker.median('loopP99'))}`,
      baseline: `${ms(inline.median('cachedP99'))} / ${ms(inline.median('loopP99'))} (inline)`,
      goal: '< 10 ms / < 20 ms',
    },
    {
      bench: 'models',
      metric:
        'app, same cached load with the model idle (noise floor): cached p99 / event-loop p99',
      value: `${ms(floor.median('cachedP99'))} / ${ms(floor.median('loopP99'))}`,
    },
    {
      bench: 'models',
      metric: 'caption-local uncached, worker vs inline',
      value: rows[2][1],
      baseline: `${rows[0][1]} (inline)`,
      ratio: rows[2][3],
      goal: '>= 0.95x (else it stays inline)',
    },
    {
      bench: 'models',
      metric: 'caption-local isolated footprint spread; RSS after worker unload',
      value: `${(spread * 100).toFixed(1)} %; ${ratio(mem.rssAfter / mem.rssBefore)}`,
      goal: 'within 10 %',
    },
  ];
}

if (require.main === module) {
  Logger.overrideLogger(false);
  benchModelWorkers().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`model-workers.bench failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
