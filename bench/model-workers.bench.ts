/**
 * Models off the event loop (issue 14), run by `npm run bench:models` after the caption-local
 * figures, or alone: `node -r @swc-node/register bench/model-workers.bench.ts`.
 *
 * - Saturation: a SYNTHETIC CPU-bound model (~20 ms per inference, bench only) kept busy by
 *   SATURATING callers through the pool, in `worker` mode (MODEL_WORKERS threads) and `inline`
 *   mode (MODEL_WORKERS=0), while an autocannon child process sends a fixed rate of requests to
 *   an in-process Fastify route answering from memory, standing in for a cached generate (the
 *   main thread's work on a cache hit). Reported: that route's p50/p99 latency, the main
 *   thread's event-loop delay p99 (perf_hooks monitorEventLoopDelay), inferences/s.
 * - caption-local uncached generations/s, inline (today's placement) against worker threads.
 * - caption-local's footprint measured in isolation, several times (reload after reload the
 *   pool reports that figure), and RSS after a worker model's unload against before its load.
 *
 * The machine is shared: figures are noisy, one run is indicative, not a verdict.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import Fastify from 'fastify';
import {
  CAPTION_STYLES,
  CaptionModel,
  CaptionRequest,
} from '../src/captions/models/caption-model.types';
import { WINK_WORKER_MODEL } from '../src/captions/models/wink-caption.worker-model';
import { WinkCaptionLoader } from '../src/captions/models/wink-caption.loader';
import { ModelPoolService } from '../src/resources/model-pool/model-pool.service';
import { LoadedModel, ModelSpec } from '../src/resources/model-pool/model-pool.types';
import { measureFootprintInWorker } from '../src/resources/model-pool/workers/isolated-footprint';
import { ResourceRegistry } from '../src/resources/registry/resource-registry.service';
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
const SATURATING = 8;
const SATURATION_S = 5;
const CACHED_RATE = 400;
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

interface Inference extends LoadedModel {
  infer(): Promise<number>;
}

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
  service.registerWorkerLoader('synthetic', { module: SYNTHETIC, methods: ['infer'] });
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

/** autocannon in a child process (so a blocked event loop here cannot slow the client down). */
function fixedRateLoad(
  url: string,
): Promise<{ p50: number; p99: number; requests: number; errors: number }> {
  const args = [
    require.resolve('autocannon/autocannon.js'),
    '--json',
    '-c',
    '8',
    '-R',
    String(CACHED_RATE),
    '-d',
    String(SATURATION_S),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const r = JSON.parse(out);
        resolve({
          p50: r.latency.p50,
          p99: r.latency.p99,
          requests: r.requests.total,
          errors: r.errors + r.non2xx,
        });
      } catch {
        reject(new Error(`autocannon: ${out.slice(0, 200)}`));
      }
    });
  });
}

/** The synthetic model saturated by callers while cached-answer requests arrive at a fixed rate. */
async function saturation(mode: 'worker' | 'inline') {
  const service = pool(mode === 'worker' ? THREADS : 0, [
    spec('synthetic-cpu', 'synthetic', { ms: 20 }),
  ]);
  await service.init();
  await service.load('synthetic-cpu');
  const app = Fastify();
  const cachedView = { ...CAPTION, caption: 'A crisp crust.', hashtags: ['#bread'], cached: true };
  app.get('/cached', async () => cachedView);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  let stop = false;
  let inferences = 0;
  const caller = async () => {
    while (!stop) {
      await service
        .withModel<Inference, number>('synthetic-cpu', (m) => m.infer())
        .catch(() => sleep(5));
      inferences += 1;
      // Each call as if it came from its own request: back to the event loop between calls
      // (a loop of promises alone would never let timers or sockets run when inline).
      await new Promise(setImmediate);
    }
  };
  const callers = Array.from({ length: SATURATING }, caller);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  await sleep(200); // the saturation is established
  delay.enable();
  const started = performance.now();
  const before = inferences;
  const cached = await fixedRateLoad(`${url}/cached`);
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  const perSecond = (inferences - before) / seconds;
  stop = true;
  await Promise.all(callers);
  await app.close();
  const workers = service.status().workers;
  await service.shutdown();
  return { mode, cached, loopP99: delay.percentile(99) / 1e6, perSecond, workers };
}

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

export async function benchModelWorkers(): Promise<SummaryRow[]> {
  const worker = await saturation('worker');
  const inline = await saturation('inline');
  const placement = await captionPlacement();
  const mem = await memory();

  console.log(
    `\nmodels off the event loop: ${availableParallelism()} cores, MODEL_WORKERS default ${THREADS}; SYNTHETIC model: ~20 ms CPU per inference, ${SATURATING} callers saturating it; cached-answer stand-in: ${CACHED_RATE} req/s for ${SATURATION_S} s from a child autocannon\n`,
  );
  const satRow = (r: Awaited<ReturnType<typeof saturation>>) => [
    r.mode,
    ms(r.cached.p50),
    ms(r.cached.p99),
    ms(r.loopP99),
    rate(r.perSecond),
    String(r.cached.errors),
    `${r.workers.size}/${r.workers.restarts}`,
  ];
  console.log(
    table(
      [
        'placement',
        'cached p50',
        'cached p99 (goal < 10 ms)',
        'event-loop delay p99 (goal < 20 ms)',
        'inferences',
        'errors',
        'threads/restarts',
      ],
      [satRow(worker), satRow(inline)],
    ),
  );
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
      metric: 'SYNTHETIC 20 ms model saturated: cached p99 / event-loop p99, worker',
      value: `${ms(worker.cached.p99)} / ${ms(worker.loopP99)}`,
      baseline: `${ms(inline.cached.p99)} / ${ms(inline.loopP99)} (inline)`,
      goal: '< 10 ms / < 20 ms',
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
