/**
 * The built app over HTTP against a bare Fastify server, side by side in one run (issue 6):
 *
 *   npm run bench:http      (npm run build, then node -r @swc-node/register bench/http.bench.ts)
 *
 * Both servers run as child processes on 127.0.0.1 (the app as `node dist/main.js` with the real
 * PostgreSQL, on a scratch database dropped at the end, and the real Redis under a unique key
 * prefix removed at the end); autocannon runs here, 50 connections, DURATION_S per target per
 * round, ROUNDS rounds in alternating order. Targets:
 *   - bare Fastify GET (constant JSON body): the baseline
 *   - cached POST /api/v14/captions/generate (one body, primed once)
 *   - the same on a second app process with RATE_LIMIT_ENABLED=false: the rate limiter's cost
 *   - the same on a third with rate limits off and no security headers
 *     (bench/app-hardening-off.ts): the headers' cost
 *   - GET /api/v14/captions/{id} (the primed caption: a PostgreSQL read)
 *   - uncached generate: a counter in the description makes every body distinct (model, insert,
 *     cache write on every request)
 * Figures are the median round (req/s counts 2xx only); "server CPU/req" is the server process's
 * user + system CPU time (from /proc) per 2xx response, which other load on a shared machine
 * disturbs far less than req/s. Goal: cached generate >= 0.5x bare Fastify with p99 < 10 ms.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Child, freePort, startChild } from '../test/support/processes';
import {
  REDIS_URL,
  removeScratch,
  runBench,
  emitSummary,
  median,
  ms,
  pairedRatio,
  rate,
  ratio,
  rounds,
  scratchDatabase,
  sleep,
  table,
  uniqueSuffix,
  watchdog,
} from './lib';

const ROUNDS = 3;
const DURATION_S = 3;
const WARMUP_S = 1;
const CONNECTIONS = 50;
const API = '/api/v14';
const JSON_HEADERS = { 'content-type': 'application/json' };
const CACHED_BODY = {
  content_description: 'Sunrise over the Dolomites with my dog on a cold morning hike',
  style: 'inspirational',
  hashtag_count: 5,
};

interface Figures {
  rps: number;
  /** Server CPU (user + system) per 2xx response, microseconds. */
  cpuUs: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

let uncachedCounter = 0;

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux; NaN elsewhere). Less
 * sensitive than req/s to other work on a shared machine.
 */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime; CLK_TCK is 100 here
  } catch {
    return NaN;
  }
}

function target(name: string, server: Child, options: autocannon.Options) {
  return {
    name,
    run: async (durationS = DURATION_S): Promise<Figures> => {
      const cpuBefore = cpuSeconds(server.process.pid);
      const result = await autocannon({
        connections: CONNECTIONS,
        duration: durationS,
        timeout: 10,
        ...options,
      });
      const cpu = cpuSeconds(server.process.pid) - cpuBefore;
      return {
        rps: result['2xx'] / result.duration,
        cpuUs: (cpu / result['2xx']) * 1e6,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
      };
    },
  };
}

async function waitFor(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (child.process.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms; output:\n${child.output().slice(-2000)}`);
}

/** SIGTERM, then SIGKILL if it has not exited within timeoutMs. Resolves to how it ended. */
async function stop(child: Child, timeoutMs: number): Promise<string> {
  if (child.process.exitCode !== null) return `had already exited (${child.process.exitCode})`;
  child.process.kill('SIGTERM');
  const code = await Promise.race([child.exited, sleep(timeoutMs).then(() => 'timeout')]);
  if (code !== 'timeout') return `exit ${code} after SIGTERM`;
  child.process.kill('SIGKILL');
  await child.exited;
  return `killed (no exit ${timeoutMs} ms after SIGTERM)`;
}

async function main(): Promise<void> {
  const children: Child[] = [];
  watchdog(170_000, 'http.bench', () => children.forEach((c) => c.process.kill('SIGKILL')));
  const db = await scratchDatabase('http');
  const prefix = `bench${uniqueSuffix()}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'captions-bench-'));
  const [appPort, barePort, offPort, bareAppPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const appEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    ENABLE_MONITORING: 'false',
    HOST: '127.0.0.1',
    PORT: String(appPort),
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '10',
    DATABASE_MAX_OVERFLOW: '0',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SHUTDOWN_GRACE_MS: '3000',
    // On (its cost is part of the figures) but never refusing: autocannon is one client.
    RATE_LIMIT_CAPTIONS_MAX: '1000000000',
  };
  const app = startChild(process.execPath, ['dist/main.js'], appEnv);
  // The same app with rate limits off, for the limiter's cost side by side.
  const limitsOff = startChild(process.execPath, ['dist/main.js'], {
    ...appEnv,
    PORT: String(offPort),
    RATE_LIMIT_ENABLED: 'false',
  });
  // ...and with the security headers off too (a bench-only wrapper; the service has no switch).
  const hardeningOff = startChild(
    process.execPath,
    ['-r', '@swc-node/register', 'bench/app-hardening-off.ts'],
    { ...appEnv, PORT: String(bareAppPort), RATE_LIMIT_ENABLED: 'false' },
  );
  const bare = startChild(process.execPath, ['-r', '@swc-node/register', 'bench/bare-server.ts'], {
    PORT: String(barePort),
  });
  children.push(app, bare, limitsOff, hardeningOff);
  const appUrl = `http://127.0.0.1:${appPort}`;
  const offUrl = `http://127.0.0.1:${offPort}`;
  const hardeningOffUrl = `http://127.0.0.1:${bareAppPort}`;
  const bareUrl = `http://127.0.0.1:${barePort}`;
  try {
    await waitFor(`${appUrl}${API}/health/ready`, app, 60_000);
    await waitFor(bareUrl, bare, 20_000);
    await waitFor(`${offUrl}${API}/health/ready`, limitsOff, 60_000);
    await waitFor(`${hardeningOffUrl}${API}/health/ready`, hardeningOff, 60_000);

    // Prime the cached request, and check that a repeat is really served from the cache.
    const generate = (body: object, baseUrl = appUrl) =>
      fetch(`${baseUrl}${API}/captions/generate`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));
    const primed = await generate(CACHED_BODY);
    const repeat = await generate(CACHED_BODY);
    if (primed.status !== 201 || repeat.body.cached !== true) {
      throw new Error(`priming failed: ${JSON.stringify({ primed, repeat })}`);
    }
    const id = String(primed.body.id);
    for (const url of [offUrl, hardeningOffUrl]) {
      if ((await generate(CACHED_BODY, url)).body.cached !== true) {
        throw new Error(`priming failed on ${url}`);
      }
    }
    const hardeningOffHeaders = (await fetch(`${hardeningOffUrl}${API}/health/live`)).headers.get(
      'x-content-type-options',
    );
    if (hardeningOffHeaders !== null) throw new Error('the hardening-off app still sets headers');

    const targets = [
      target('bare Fastify GET', bare, { url: bareUrl }),
      target('cached POST /captions/generate', app, {
        url: `${appUrl}${API}/captions/generate`,
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify(CACHED_BODY),
      }),
      target('cached POST /captions/generate, rate limits off', limitsOff, {
        url: `${offUrl}${API}/captions/generate`,
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify(CACHED_BODY),
      }),
      target('cached POST /captions/generate, limits and headers off', hardeningOff, {
        url: `${hardeningOffUrl}${API}/captions/generate`,
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify(CACHED_BODY),
      }),
      target('GET /captions/{id}', app, { url: `${appUrl}${API}/captions/${id}` }),
      target('uncached POST /captions/generate', app, {
        url: appUrl,
        requests: [
          {
            method: 'POST',
            path: `${API}/captions/generate`,
            headers: JSON_HEADERS,
            setupRequest: (request) => ({
              ...request,
              body: JSON.stringify({
                ...CACHED_BODY,
                content_description: `${CACHED_BODY.content_description}, photo ${++uncachedCounter}`,
              }),
            }),
          },
        ],
      }),
    ];
    for (const t of targets) await t.run(WARMUP_S);
    const results = await rounds(targets, ROUNDS, (round) =>
      console.log(`round ${round}/${ROUNDS}`),
    );

    const of = (name: string) => results.get(name) ?? [];
    const pick = (name: string, key: keyof Figures) => of(name).map((f) => f[key]);
    const baseline = targets[0].name;
    const rows = targets.map(({ name }) => [
      name,
      rate(median(pick(name, 'rps'))),
      ms(median(pick(name, 'p50'))),
      ms(median(pick(name, 'p99'))),
      `${median(pick(name, 'cpuUs')).toFixed(0)} us`,
      ratio(pairedRatio(pick(name, 'rps'), pick(baseline, 'rps'))),
      pick(name, 'rps')
        .map((v) => (v / 1000).toFixed(1))
        .join(' / '),
      String(pick(name, 'non2xx').reduce((a, b) => a + b, 0)),
      String(pick(name, 'errors').reduce((a, b) => a + b, 0)),
    ]);
    console.log(
      `\nnode ${process.version}, autocannon ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s, median round; ${uncachedCounter} uncached bodies sent\n`,
    );
    console.log(
      table(
        [
          'target',
          'req/s',
          'p50',
          'p99',
          'server CPU/req',
          'vs bare',
          'rounds (k/s)',
          'non-2xx',
          'errors',
        ],
        rows,
      ),
    );
    const cached = targets[1].name;
    const cachedRatio = pairedRatio(pick(cached, 'rps'), pick(baseline, 'rps'));
    const cachedP99 = median(pick(cached, 'p99'));
    const cpu = (i: number) => median(pick(targets[i].name, 'cpuUs'));
    console.log(
      `\nhardening on a cached generate, server CPU/req: shipped ${cpu(1).toFixed(0)} us, ` +
        `rate limits off ${cpu(2).toFixed(0)} us, limits and headers off ${cpu(3).toFixed(0)} us; ` +
        `rate limiter (Redis-backed) ${(cpu(1) - cpu(2)).toFixed(0)} us, security headers ${(cpu(2) - cpu(3)).toFixed(0)} us`,
    );
    console.log(
      `\ncached generate: ${ratio(cachedRatio)} of bare Fastify (goal >= 0.5x), p99 ${ms(cachedP99)} (goal < 10 ms)`,
    );

    emitSummary(
      targets.slice(1).map(({ name }) => ({
        bench: 'http',
        metric: name,
        value: `${rate(median(pick(name, 'rps')))}, p50 ${ms(median(pick(name, 'p50')))}, p99 ${ms(median(pick(name, 'p99')))}, ${median(pick(name, 'cpuUs')).toFixed(0)} us CPU/req`,
        baseline: `${rate(median(pick(baseline, 'rps')))}, ${median(pick(baseline, 'cpuUs')).toFixed(0)} us CPU/req (bare Fastify)`,
        ratio: ratio(pairedRatio(pick(name, 'rps'), pick(baseline, 'rps'))),
        goal: name === cached ? '>= 0.5x, p99 < 10 ms' : undefined,
      })),
    );
  } finally {
    console.log(`app: ${await stop(app, 15_000)}; bare Fastify: ${await stop(bare, 5_000)}`);
    console.log(`app, rate limits off: ${await stop(limitsOff, 15_000)}`);
    console.log(`app, limits and headers off: ${await stop(hardeningOff, 15_000)}`);
    await removeScratch({ prefix, db, dataDir });
  }
}

runBench('http.bench', main);
