/**
 * The cached-latency goal of issue 14, measured on the real built app: each placement is its
 * own app process (bench/app-synthetic-model.ts: dist/ plus the SYNTHETIC ~20 ms CPU model
 * `synthetic-cpu`, registered by the bench only), on a scratch PostgreSQL database and Redis
 * key prefix of its own. Per placement and round:
 *   - SATURATING_CONNECTIONS autocannon connections (in this process) send uncached
 *     POST /captions/generate bodies naming `synthetic-cpu`: every request runs the model, so it
 *     is busy for the whole window (a thread per core but one in `worker` mode; the event loop
 *     itself when inline);
 *   - meanwhile an autocannon child process sends CACHED_RATE req/s of one primed, cached
 *     POST /captions/generate (a process of its own: a busy client would skew the latencies);
 *   - the app's event-loop delay over that window comes from its bench-only route.
 * Plus the noise floor: the same cached load on the worker app with the model idle, which is
 * what the machine's other load alone does to the figures (the machine is shared).
 * ROUNDS rounds in alternating order; the median round is reported.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Child, freePort, startChild } from '../test/support/processes';
import { LOOP_DELAY_PATH, SYNTHETIC_MODEL } from './app-synthetic-model';
import { API, stop, waitFor } from './http-servers';
import {
  REDIS_URL,
  median,
  removeScratch,
  rounds,
  scratchDatabase,
  sleep,
  uniqueSuffix,
} from './lib';

const ROUNDS = 3;
const MEASURE_S = 5;
/** The saturation starts this long before the measured window and ends after it. */
const LEAD_MS = 700;
const SATURATING_CONNECTIONS = 8;
const CACHED_RATE = 400;
const CACHED_CONNECTIONS = 8;
const JSON_HEADERS = { 'content-type': 'application/json' };
const CACHED_BODY = {
  content_description: 'Homemade sourdough bread fresh out of the oven, crispy crust',
  style: 'casual',
  hashtag_count: 5,
};

export interface Placement {
  name: string;
  /** What the placement sets on top of the shared configuration. */
  env: Record<string, string>;
}

export const NOISE_FLOOR = 'worker, model idle (noise floor)';

export const PLACEMENTS: Placement[] = [
  { name: 'worker (MODEL_WORKER_NICE=10, default)', env: {} },
  { name: 'worker, MODEL_WORKER_NICE=0', env: { MODEL_WORKER_NICE: '0' } },
  { name: 'inline (MODEL_WORKERS=0)', env: { MODEL_WORKERS: '0' } },
];

export interface SaturationRound {
  cachedP50: number;
  cachedP99: number;
  cachedRps: number;
  /** Cached answers other than 2xx, plus socket errors and timeouts. */
  cachedFailures: number;
  loopP99: number;
  loopMax: number;
  /** Uncached generates answered by the synthetic model per second (2xx). */
  syntheticRps: number;
  syntheticFailures: number;
}

export interface SaturationResult {
  name: string;
  rounds: SaturationRound[];
  median: (key: keyof SaturationRound) => number;
}

/** Children started here, killed by `killSaturationServers` if the bench must stop early. */
const children = new Set<Child>();

export function killSaturationServers(): void {
  for (const child of children) child.process.kill('SIGKILL');
}

/** Every placement, ROUNDS rounds; the load average (1 min) before and after. */
export async function measureAppSaturation(): Promise<{
  results: SaturationResult[];
  loadBefore: number;
  loadAfter: number;
  threads: string;
}> {
  const db = await scratchDatabase('models');
  const prefix = `bench${uniqueSuffix()}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'captions-bench-models-'));
  const servers: { placement: Placement; child: Child; url: string }[] = [];
  try {
    for (const placement of PLACEMENTS) {
      const port = await freePort();
      const env = serverEnv({ db: db.url, prefix, dataDir, port, ...placement.env });
      const child = startChild(process.execPath, appArgs(), env);
      children.add(child);
      servers.push({ placement, child, url: `http://127.0.0.1:${port}` });
    }
    for (const { child, url } of servers) {
      await waitFor(`${url}${API}/health/ready`, child, 90_000);
      await primeCachedGenerate(url);
      await checkSyntheticAnswers(url);
    }
    const threads = await workerThreads(servers[0].url);
    for (const { url } of servers) await saturatedRound(url, 1, true); // warm-up, not counted
    const candidates = servers.map(({ placement, url }) => ({
      name: placement.name,
      run: () => saturatedRound(url, MEASURE_S, true),
    }));
    // The same cached load with the model idle: what this machine's other load alone costs.
    candidates.push({
      name: NOISE_FLOOR,
      run: () => saturatedRound(servers[0].url, MEASURE_S, false),
    });
    const loadBefore = loadavg()[0];
    const measured = await rounds(candidates, ROUNDS);
    const loadAfter = loadavg()[0];
    const results = candidates.map(({ name }) => {
      const perRound = measured.get(name) ?? [];
      return {
        name,
        rounds: perRound,
        median: (key: keyof SaturationRound) => median(perRound.map((r) => r[key])),
      };
    });
    return { results, loadBefore, loadAfter, threads };
  } finally {
    for (const { child } of servers) {
      await stop(child, 15_000);
      children.delete(child);
    }
    await removeScratch({ prefix, db, dataDir });
  }
}

function appArgs(): string[] {
  return ['-r', '@swc-node/register', join(__dirname, 'app-synthetic-model.ts')];
}

function serverEnv(o: {
  db: string;
  prefix: string;
  dataDir: string;
  port: number;
  [key: string]: string | number;
}): Record<string, string> {
  const { db, prefix, dataDir, port, ...placement } = o;
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    ENABLE_MONITORING: 'false',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: db,
    DATABASE_POOL_SIZE: '10',
    DATABASE_MAX_OVERFLOW: '0',
    REDIS_URL,
    // Each app its own prefix: one app's cached answers must not be another's.
    REDIS_KEY_PREFIX: `${prefix}${port}:`,
    SHUTDOWN_GRACE_MS: '3000',
    MODEL_PRELOAD: `caption-local,${SYNTHETIC_MODEL}`,
    // On but never refusing: autocannon is one client.
    RATE_LIMIT_CAPTIONS_MAX: '1000000000',
    SERVER_MAX_REQUESTS_PER_SOCKET: '0',
    ...Object.fromEntries(Object.entries(placement).map(([k, v]) => [k, String(v)])),
  };
}

async function postGenerate(url: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${API}/captions/generate`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status !== 201)
    throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** The cached body, twice: the repeat must come from the cache. */
async function primeCachedGenerate(url: string): Promise<void> {
  await postGenerate(url, CACHED_BODY);
  const repeat = await postGenerate(url, CACHED_BODY);
  if (repeat.cached !== true) throw new Error(`${url}: the primed generate was not cached`);
}

/** An uncached generate naming the synthetic model is answered by it, not by the fallback. */
async function checkSyntheticAnswers(url: string): Promise<void> {
  const answer = await postGenerate(url, { ...CACHED_BODY, ...uncachedBody() });
  if (answer.model !== SYNTHETIC_MODEL || answer.fallback !== false) {
    throw new Error(`${url}: the synthetic model did not answer: ${JSON.stringify(answer)}`);
  }
}

/** The worker threads the default placement runs (size from the models status). */
async function workerThreads(url: string): Promise<string> {
  const status = (await fetch(`${url}${API}/resources/models/status`).then((r) => r.json())) as {
    workers?: { size: number };
  };
  return String(status.workers?.size ?? '?');
}

let uncached = 0;
const uncachedBody = () => ({
  content_description: `Synthetic load, photo ${++uncached} of the series`,
  model: SYNTHETIC_MODEL,
});

/**
 * One window of cached generates at a fixed rate, with the synthetic model saturated
 * meanwhile, or idle (`saturate` false: the noise floor).
 */
async function saturatedRound(
  url: string,
  seconds: number,
  saturate: boolean,
): Promise<SaturationRound> {
  const saturating = saturationLoad(url, seconds, saturate);
  await sleep(LEAD_MS);
  await loopDelay(url); // starts the window
  const cached = await fixedRateCached(url, seconds);
  const loop = await loopDelay(url);
  const synthetic = await saturating;
  return {
    cachedP50: cached.p50,
    cachedP99: cached.p99,
    cachedRps: cached.rps,
    cachedFailures: cached.failures,
    loopP99: loop.p99,
    loopMax: loop.max,
    syntheticRps: synthetic.rps,
    syntheticFailures: synthetic.failures,
  };
}

/** Uncached generates naming the synthetic model, from LEAD_MS before the window to after. */
async function saturationLoad(
  url: string,
  seconds: number,
  saturate: boolean,
): Promise<{ rps: number; failures: number }> {
  if (!saturate) return { rps: 0, failures: 0 };
  const result = await autocannon({
    url,
    connections: SATURATING_CONNECTIONS,
    duration: seconds + (2 * LEAD_MS) / 1000,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: `${API}/captions/generate`,
        headers: JSON_HEADERS,
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ ...CACHED_BODY, ...uncachedBody() }),
        }),
      },
    ],
  });
  return { rps: result['2xx'] / result.duration, failures: result.non2xx + result.errors };
}

async function loopDelay(url: string): Promise<{ p99: number; max: number }> {
  const response = await fetch(`${url}${API}/${LOOP_DELAY_PATH}`);
  return (await response.json()) as { p99: number; max: number };
}

/** autocannon's CLI in a child process: CACHED_RATE req/s of the cached body for `seconds`. */
function fixedRateCached(
  url: string,
  seconds: number,
): Promise<{ p50: number; p99: number; rps: number; failures: number }> {
  const args = [
    require.resolve('autocannon/autocannon.js'),
    '--json',
    '-c',
    String(CACHED_CONNECTIONS),
    '-R',
    String(CACHED_RATE),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-b',
    JSON.stringify(CACHED_BODY),
    `${url}${API}/captions/generate`,
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
          rps: r['2xx'] / r.duration,
          failures: r.errors + r.timeouts + r.non2xx,
        });
      } catch {
        reject(new Error(`autocannon: ${out.slice(0, 200)}`));
      }
    });
  });
}
