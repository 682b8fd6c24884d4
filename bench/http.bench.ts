/**
 * The built app over HTTP against a bare Fastify server, side by side in one run (issues 6, 13):
 *
 *   npm run bench:http      (npm run build, then node -r @swc-node/register bench/http.bench.ts)
 *
 * Every server runs as a child process on 127.0.0.1 (the app as `node dist/main.js` with the real
 * PostgreSQL, on a scratch database dropped at the end, and the real Redis under a unique key
 * prefix removed at the end) at LOG_LEVEL info (BENCH_LOG_LEVEL overrides), its log read from a
 * pipe as a container runtime would; autocannon runs here, 50 connections, DURATION_S per target per
 * round, ROUNDS rounds in alternating order. Targets:
 *   - bare Fastify GET (constant JSON body): the baseline
 *   - a trivial route on bare NestJS + FastifyAdapter (bench/nest-floor.ts): the framework alone
 *   - a trivial route inside the app (bench/app-floor.ts: the built app plus one Nest controller
 *     answering a constant body): the framework floor, every global hook included
 *   - GET /api/v14/health/live: the liveness probe
 *   - cached POST /api/v14/captions/generate (one body, primed once)
 *   - the same on a second app process with RATE_LIMIT_ENABLED=false: the rate limiter's cost
 *   - the same on a third with rate limits off and no security headers
 *     (bench/app-hardening-off.ts): the headers' cost
 *   - GET /api/v14/captions/{id} (the primed caption: a PostgreSQL read)
 *   - uncached generate: a counter in the description makes every body distinct (model, insert,
 *     cache write on every request)
 *   - the cached and the uncached generate's own work on bare Fastify (bench/bare-caption-server.ts:
 *     the app's schemas, key, L1, model and insert, raw pg and ioredis, none of the app's
 *     per-request features): the floor of each, which the goals section sets beside the app's
 * Figures are the median round (req/s counts 2xx only); "server CPU/req" is the server process's
 * user + system CPU time (from /proc) per 2xx response, which other load on a shared machine
 * disturbs far less than req/s: compare CPU/req between targets of one run.
 *
 * Breakdown mode: what each of the app's per-request features costs (bench/http-breakdown.ts):
 *
 *   npm run bench:http -- --breakdown            (or --breakdown=cached; BENCH_BREAKDOWN=1|cached)
 *
 * Async-resources mode: how many promises, ticks and timers each target creates per request
 * (bench/http-async-resources.ts; exact counts, unaffected by a busy machine):
 *
 *   npm run bench:http -- --async-resources      (or BENCH_ASYNC_RESOURCES=1)
 *
 * Profile mode: where does a request of one target go?
 *
 *   npm run bench:profile -- "cached POST /captions/generate"     (or BENCH_PROFILE=<name>)
 *
 * (`bench:profile` is `bench:http -- --profile`; a unique part of a target's name is enough.)
 * `--profile off:<features>` profiles the app's trivial route with those features patched out
 * (bench/app-features-off.ts: `off:all`, `off:access-line,request-context`, ...), to see what
 * is left of a request once they are gone.
 * Starts only that target's server, under `node --cpu-prof --cpu-prof-dir=<tmp>`, drives
 * PROFILE_S seconds of load at it, stops it with SIGTERM (the graceful shutdown ends in
 * process.exit, which is when Node writes the profile), and prints the top functions by self
 * time (function, file:line, share of the busy samples) and the same samples grouped by package
 * (node_modules/<pkg>, node:internal, src, the garbage collector). Only samples taken while the
 * load ran are counted, so the boot does not show. The .cpuprofile file is kept (its path is
 * printed) for Chrome DevTools or speedscope.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/processes';
import { formatProfile, readProfile, summarizeProfile } from './cpu-profile';
import {
  API,
  CONNECTIONS,
  BaseServer,
  CACHED_BODY,
  JSON_HEADERS,
  Figures,
  Running,
  ServerName,
  Specs,
  cachedGenerate,
  drive,
  featuresOffSpec,
  serverSpecs,
  startServers,
  stop,
} from './http-servers';
import { featuresOff } from './app-features-off';
import { breakdown, breakdownRequest } from './http-breakdown';
import { asyncResourcesRequested, countAsyncResources } from './http-async-resources';
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
  table,
  uniqueSuffix,
  watchdog,
} from './lib';

const ROUNDS = 3;
const DURATION_S = 3;
const WARMUP_S = 1;
/** Load under the profiler: long enough for a few tens of thousands of samples. */
const PROFILE_S = 10;

interface TargetSpec {
  name: string;
  server: ServerName;
  /** autocannon's options, given the server's base URL and the primed caption's id. */
  options: (baseUrl: string, captionId: string) => autocannon.Options;
  /** The issue's goal (a share of bare Fastify's req/s unless it says otherwise). */
  goal?: string;
  /** The target doing this one's own work on bare Fastify: its floor. */
  ownWork?: string;
}

let uncachedCounter = 0;

/** autocannon's options for POSTs to `path` whose bodies all differ: none hits the cache. */
const uncachedGenerate =
  (path: string) =>
  (url: string): autocannon.Options => ({
    url,
    requests: [
      {
        method: 'POST',
        path,
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
  });

/** Neither name is part of the other: `--profile "the cached generate's"` finds one target. */
const CACHED_OWN_WORK = "the cached generate's own work on bare Fastify";
const UNCACHED_OWN_WORK = "the uncached generate's own work on bare Fastify (raw pg, raw ioredis)";

const BASE_SERVERS: readonly BaseServer[] = [
  'app',
  'bare',
  'nestFloor',
  'bareCaption',
  'limitsOff',
  'hardeningOff',
  'floor',
];

const TARGETS: TargetSpec[] = [
  { name: 'bare Fastify GET', server: 'bare', options: (url) => ({ url }) },
  {
    name: 'trivial route on bare NestJS',
    server: 'nestFloor',
    // bench/nest-floor.ts: NestJS + FastifyAdapter, nothing of this app.
    options: (url) => ({ url: `${url}${API}/bench-floor` }),
  },
  {
    name: 'trivial route in the app',
    server: 'floor',
    // The one route bench/app-floor.ts adds.
    options: (url) => ({ url: `${url}${API}/bench-floor` }),
    goal: '>= 0.75x',
  },
  {
    name: 'GET /health/live',
    server: 'app',
    options: (url) => ({ url: `${url}${API}/health/live` }),
    goal: '>= 0.5x',
  },
  {
    name: 'cached POST /captions/generate',
    server: 'app',
    options: cachedGenerate,
    goal: '>= 0.5x, p99 < 10 ms',
    ownWork: CACHED_OWN_WORK,
  },
  {
    name: 'cached POST /captions/generate, rate limits off',
    server: 'limitsOff',
    options: cachedGenerate,
  },
  {
    name: 'cached POST /captions/generate, limits and headers off',
    server: 'hardeningOff',
    options: cachedGenerate,
  },
  {
    name: 'GET /captions/{id}',
    server: 'app',
    options: (url, id) => ({ url: `${url}${API}/captions/${id}` }),
    goal: '>= 0.3x',
  },
  {
    name: 'uncached POST /captions/generate',
    server: 'app',
    options: uncachedGenerate(`${API}/captions/generate`),
    goal: 'server CPU/req <= ~507 us',
    ownWork: UNCACHED_OWN_WORK,
  },
  // The same request's own work, in a server with nothing else (bench/bare-caption-server.ts).
  { name: CACHED_OWN_WORK, server: 'bareCaption', options: cachedGenerate },
  {
    name: UNCACHED_OWN_WORK,
    server: 'bareCaption',
    options: uncachedGenerate(`${API}/captions/generate-uncached`),
  },
];

/** The target `--profile <name>`, `--profile=<name>` or BENCH_PROFILE names, if any. */
function profileRequest(argv: string[]): string | undefined {
  const flag = argv.findIndex((a) => a === '--profile' || a.startsWith('--profile='));
  if (flag >= 0) {
    const value = argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
    if (!value) throw new Error('--profile needs a target name');
    return value;
  }
  return process.env.BENCH_PROFILE || undefined;
}

/**
 * The target named exactly, or the only one whose name contains `wanted` (any case); `off:...`
 * names the trivial route of a breakdown variant.
 */
function findTarget(wanted: string): TargetSpec {
  if (wanted.startsWith('off:')) {
    featuresOff(wanted.slice(4)); // an unknown feature fails here, not in the child
    return {
      name: `trivial route in the app, ${wanted}`,
      server: wanted as ServerName,
      options: (url) => ({ url: `${url}${API}/bench-floor` }),
    };
  }
  const exact = TARGETS.find((t) => t.name === wanted);
  const partial = TARGETS.filter((t) => t.name.toLowerCase().includes(wanted.toLowerCase()));
  const found = exact ?? (partial.length === 1 ? partial[0] : undefined);
  if (found) return found;
  throw new Error(
    `--profile "${wanted}" matches ${partial.length} targets; one of:\n${TARGETS.map((t) => `  ${t.name}`).join('\n')}`,
  );
}

function runnable(spec: TargetSpec, running: Running) {
  const server = running.children.get(spec.server)!;
  const options = spec.options(running.urls.get(spec.server)!, running.captionId);
  return {
    name: spec.name,
    run: (durationS = DURATION_S): Promise<Figures> => drive(server, options, durationS),
  };
}

/** Every target, ROUNDS rounds, then the table, the hardening costs and the goals. */
async function compare(specs: Specs, running: Running): Promise<void> {
  await startServers(specs, [...BASE_SERVERS], running);
  const headersOff = await fetch(`${running.urls.get('hardeningOff')}${API}/health/live`);
  if (headersOff.headers.get('x-content-type-options') !== null) {
    throw new Error('the hardening-off app still sets headers');
  }
  const targets = TARGETS.map((spec) => runnable(spec, running));
  for (const t of targets) await t.run(WARMUP_S);
  const results = await rounds(targets, ROUNDS, (round) => console.log(`round ${round}/${ROUNDS}`));

  const pick = (name: string, key: Exclude<keyof Figures, 'otherStatuses'>) =>
    (results.get(name) ?? []).map((f) => f[key]);
  const baseline = TARGETS[0].name;
  const vsBare = (name: string) => pairedRatio(pick(name, 'rps'), pick(baseline, 'rps'));
  const cpu = (name: string) => median(pick(name, 'cpuUs'));
  const rows = TARGETS.map(({ name }) => [
    name,
    rate(median(pick(name, 'rps'))),
    ms(median(pick(name, 'p50'))),
    ms(median(pick(name, 'p99'))),
    `${cpu(name).toFixed(0)} us`,
    ratio(vsBare(name)),
    pick(name, 'rps')
      .map((v) => (v / 1000).toFixed(1))
      .join(' / '),
    String(pick(name, 'non2xx').reduce((a, b) => a + b, 0)),
    String(pick(name, 'errors').reduce((a, b) => a + b, 0)),
  ]);
  console.log(
    `\nnode ${process.version}, autocannon ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s, median round; ${uncachedCounter} uncached bodies sent\n`,
  );
  const headers = ['target', 'req/s', 'p50', 'p99', 'server CPU/req', 'vs bare'];
  console.log(table([...headers, 'rounds (k/s)', 'non-2xx', 'errors'], rows));

  const [shipped, limitsOff, bothOff] = [
    'cached POST /captions/generate',
    'cached POST /captions/generate, rate limits off',
    'cached POST /captions/generate, limits and headers off',
  ].map(cpu);
  console.log(
    `\nhardening on a cached generate, server CPU/req: shipped ${shipped.toFixed(0)} us, ` +
      `rate limits off ${limitsOff.toFixed(0)} us, limits and headers off ${bothOff.toFixed(0)} us; ` +
      `rate limiter (Redis-backed) ${(shipped - limitsOff).toFixed(0)} us, security headers ${(limitsOff - bothOff).toFixed(0)} us`,
  );
  console.log('\ngoals (issue 13), req/s as a share of bare Fastify in the same round:');
  for (const { name, goal } of TARGETS.filter((t) => t.goal)) {
    console.log(
      `  ${name}: ${ratio(vsBare(name))}, p99 ${ms(median(pick(name, 'p99')))}, ${cpu(name).toFixed(0)} us CPU/req (goal ${goal})`,
    );
  }
  console.log("\nthe route's own work (bare Fastify, raw clients) against the app, same run:");
  for (const { name, ownWork } of TARGETS) {
    if (!ownWork) continue;
    const [app, floor] = [cpu(name), cpu(ownWork)];
    console.log(
      `  ${name}: app ${ratio(vsBare(name))} of bare, ${app.toFixed(0)} us CPU/req; ` +
        `own work ${ratio(vsBare(ownWork))} of bare, ${floor.toFixed(0)} us CPU/req; ` +
        `the service adds ${(app - floor).toFixed(0)} us (${ratio(app / floor)} the own work's CPU)`,
    );
  }

  emitSummary(
    TARGETS.slice(1).map(({ name, goal }) => ({
      bench: 'http',
      metric: name,
      value: `${rate(median(pick(name, 'rps')))}, p50 ${ms(median(pick(name, 'p50')))}, p99 ${ms(median(pick(name, 'p99')))}, ${cpu(name).toFixed(0)} us CPU/req`,
      baseline: `${rate(median(pick(baseline, 'rps')))}, ${cpu(baseline).toFixed(0)} us CPU/req (bare Fastify)`,
      ratio: ratio(vsBare(name)),
      goal,
    })),
  );
}

/** Monotonic clock in microseconds: the one V8 stamps profile samples with (CLOCK_MONOTONIC). */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** One target's server under the CPU profiler; prints where its requests' time goes. */
async function profile(specs: Specs, running: Running, spec: TargetSpec): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'captions-cpu-prof-'));
  await startServers(specs, [spec.server], running, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const target = runnable(spec, running);
  await target.run(WARMUP_S);
  const loadStarted = monotonicUs();
  const figures = await target.run(PROFILE_S);
  const loadEnded = monotonicUs();
  const server = running.children.get(spec.server)!;
  console.log(`${spec.server}: ${await stop(server, 20_000)}`);
  running.children.delete(spec.server);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}: did the server exit normally?`);

  console.log(
    `\n${spec.name}, ${PROFILE_S} s under the profiler (which slows it): ${rate(figures.rps)}, ` +
      `p99 ${ms(figures.p99)}, ${figures.cpuUs.toFixed(0)} us server CPU/req, ${figures.non2xx} non-2xx ${figures.otherStatuses}`,
  );
  console.log(`profile: ${join(dir, file)}\n`);
  const recorded = readProfile(join(dir, file));
  let summary = summarizeProfile(recorded, { window: { startUs: loadStarted, endUs: loadEnded } });
  if (summary.busySamples === 0) {
    console.log('(no sample stamped within the load: clocks differ; counting the whole run)');
    summary = summarizeProfile(recorded);
  }
  console.log(formatProfile(summary));
}

async function main(): Promise<void> {
  const profiled = profileRequest(process.argv.slice(2));
  const profiledTarget = profiled === undefined ? undefined : findTarget(profiled);
  const running: Running = { children: new Map(), urls: new Map(), captionId: '' };
  const killAll = () => running.children.forEach((c) => c.process.kill('SIGKILL'));
  const breakdownRoute = breakdownRequest(process.argv.slice(2));
  watchdog(breakdownRoute ? 420_000 : 260_000, 'http.bench', killAll);
  const db = await scratchDatabase('http');
  const prefix = `bench${uniqueSuffix()}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'captions-bench-'));
  const ports = {} as Record<BaseServer, number>;
  for (const name of BASE_SERVERS) ports[name] = await freePort();
  const appEnv = {
    NODE_ENV: 'production',
    // The shipped level: one access line per request is part of every request's cost.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    ENABLE_MONITORING: 'false',
    // As deployed: a secret the log scrubber looks for in every line.
    ADMIN_API_KEY: `bench-admin-${uniqueSuffix()}-key`,
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '10',
    DATABASE_MAX_OVERFLOW: '0',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SHUTDOWN_GRACE_MS: '3000',
    // On (its cost is part of the figures) but never refusing: autocannon is one client.
    RATE_LIMIT_CAPTIONS_MAX: '1000000000',
    // autocannon ignores the `Connection: close` of a socket's last allowed answer and sends on,
    // and Node answers those requests 503: no per-socket limit here.
    SERVER_MAX_REQUESTS_PER_SOCKET: '0',
  };
  const specs: Specs = serverSpecs(ports, appEnv);
  if (profiledTarget?.server.startsWith('off:')) {
    specs[profiledTarget.server] = featuresOffSpec(
      profiledTarget.server.slice(4),
      await freePort(),
      appEnv,
    );
  }
  try {
    if (profiledTarget) await profile(specs, running, profiledTarget);
    else if (breakdownRoute) {
      // Eight apps at once: a small pool each keeps PostgreSQL's connections for everyone else.
      await breakdown(specs, { ...appEnv, DATABASE_POOL_SIZE: '2' }, running, breakdownRoute);
    } else if (asyncResourcesRequested(process.argv.slice(2))) {
      await countAsyncResources(specs, [...BASE_SERVERS], TARGETS, running);
    } else await compare(specs, running);
  } finally {
    const stopped = await Promise.all(
      [...running.children].map(async ([name, child]) => `${name}: ${await stop(child, 15_000)}`),
    );
    if (stopped.length > 0) console.log(stopped.join('; '));
    await removeScratch({ prefix, db, dataDir });
  }
}

runBench('http.bench', main);
