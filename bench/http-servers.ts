/**
 * The processes bench/http.bench.ts measures: bare Fastify, bare NestJS on Fastify, the generate
 * route's own work on bare Fastify (bench/bare-caption-server.ts), and variants of the built app
 * (bench/app-features-off.ts: one per feature the breakdown prices), each its own child process
 * on 127.0.0.1, plus what a target needs to drive one (autocannon with the server's CPU time
 * read from /proc around the run).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Child } from '../test/support/processes';
import { sleep } from './lib';

export const API = '/api/v14';
export const CONNECTIONS = 50;
export const JSON_HEADERS = { 'content-type': 'application/json' };
export const CACHED_BODY = {
  content_description: 'Sunrise over the Dolomites with my dog on a cold morning hike',
  style: 'inspirational',
  hashtag_count: 5,
};

/** autocannon's options for the cached generate (the body primeCachedGenerate answered once). */
export const cachedGenerate = (baseUrl: string): autocannon.Options => ({
  url: `${baseUrl}${API}/captions/generate`,
  method: 'POST',
  headers: JSON_HEADERS,
  body: JSON.stringify(CACHED_BODY),
});

/** The servers of the default run. */
export type BaseServer =
  'bare' | 'nestFloor' | 'bareCaption' | 'app' | 'limitsOff' | 'hardeningOff' | 'floor';
/** The app's trivial route with BENCH_FEATURES_OFF=<features> (the breakdown's servers). */
export type FeaturesOffServer = `off:${string}`;
export type ServerName = BaseServer | FeaturesOffServer;
export type Specs = Record<ServerName, ServerSpec>;

export interface ServerSpec {
  /** Node's arguments after any profiling flags: a script and its own arguments. */
  args: string[];
  env: Record<string, string>;
  /** Answers 200 once the server can take load. */
  readyPath: string;
  /** The built app: its cached generate gets primed. */
  isApp: boolean;
  /** Not the app, but with a cached generate of its own to prime (bench/bare-caption-server.ts). */
  primesGenerate?: boolean;
  /** A server that must be ready before this one starts (the app, whose start-up migrates). */
  startsAfter?: ServerName;
}

const SWC = ['-r', '@swc-node/register'];

/**
 * What each server runs. `appEnv` is the shipped app's configuration (port excluded); rate
 * limits are on in it, and never refusing (autocannon is one client).
 */
export function serverSpecs(
  ports: Record<BaseServer, number>,
  appEnv: Record<string, string>,
): Record<BaseServer, ServerSpec> {
  const app = (script: string[], env: Record<string, string>, port: number): ServerSpec => ({
    args: script,
    env: { ...appEnv, ...env, PORT: String(port) },
    readyPath: `${API}/health/ready`,
    isApp: true,
  });
  return {
    bare: {
      args: [...SWC, 'bench/bare-server.ts'],
      env: { PORT: String(ports.bare) },
      readyPath: '/',
      isApp: false,
    },
    // NestJS + FastifyAdapter and one trivial controller, nothing of this app: the framework.
    nestFloor: {
      args: [...SWC, 'bench/nest-floor.ts'],
      env: { PORT: String(ports.nestFloor) },
      readyPath: `${API}/bench-floor`,
      isApp: false,
    },
    // The generate route's own work on bare Fastify with raw pg and ioredis: the app's database
    // (its tables come from the app's migrations) and Redis, under a prefix of its own.
    bareCaption: {
      args: [...SWC, 'bench/bare-caption-server.ts'],
      env: {
        PORT: String(ports.bareCaption),
        DATABASE_URL: appEnv.DATABASE_URL,
        DATABASE_POOL_SIZE: appEnv.DATABASE_POOL_SIZE,
        REDIS_URL: appEnv.REDIS_URL,
        BENCH_REDIS_PREFIX: `${appEnv.REDIS_KEY_PREFIX}bare:`,
      },
      readyPath: '/ready',
      isApp: false,
      primesGenerate: true,
      startsAfter: 'app',
    },
    app: app(['dist/main.js'], {}, ports.app),
    // The same app with rate limits off, for the limiter's cost side by side.
    limitsOff: app(['dist/main.js'], { RATE_LIMIT_ENABLED: 'false' }, ports.limitsOff),
    // ...and with the security headers off too (a bench-only wrapper; the service has no switch).
    hardeningOff: app(
      [...SWC, 'bench/app-hardening-off.ts'],
      { RATE_LIMIT_ENABLED: 'false' },
      ports.hardeningOff,
    ),
    // The app as shipped plus one trivial controller (bench/app-floor.ts): the framework floor.
    floor: app([...SWC, 'bench/app-floor.ts'], {}, ports.floor),
  };
}

/**
 * The app's trivial route with some features patched out (bench/app-features-off.ts); `off` is
 * BENCH_FEATURES_OFF, e.g. `access-line` or `all`.
 */
export function featuresOffSpec(
  off: string,
  port: number,
  appEnv: Record<string, string>,
): ServerSpec {
  return {
    args: [...SWC, 'bench/app-features-off.ts'],
    env: { ...appEnv, BENCH_FEATURES_OFF: off, PORT: String(port) },
    readyPath: `${API}/health/ready`,
    isApp: true,
  };
}

/** Servers started by this run, their base URLs, and the id of the primed caption. */
export interface Running {
  children: Map<ServerName, Child>;
  urls: Map<ServerName, string>;
  captionId: string;
}

/** POSTs the cached body twice and checks the repeat came from the cache; the caption's id. */
export async function primeCachedGenerate(baseUrl: string): Promise<string> {
  const generate = () =>
    fetch(`${baseUrl}${API}/captions/generate`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(CACHED_BODY),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const primed = await generate();
  const repeat = await generate();
  if (primed.status !== 201 || repeat.body.cached !== true) {
    throw new Error(`priming ${baseUrl} failed: ${JSON.stringify({ primed, repeat })}`);
  }
  return String(primed.body.id);
}

/**
 * Starts the named servers, waits until each is ready, primes and scrapes every app among them.
 * A server that starts after another (`startsAfter`) waits for it; one not named is started too,
 * without `nodeFlags` (only the named servers are profiled).
 */
export async function startServers(
  specs: Specs,
  names: ServerName[],
  running: Running,
  nodeFlags: string[] = [],
): Promise<void> {
  const first = (name: ServerName) => specs[name].startsAfter;
  const unstarted = names
    .map(first)
    .filter((f): f is ServerName => f !== undefined && !running.children.has(f));
  const missing = unstarted.filter((f) => !names.includes(f));
  if (missing.length > 0) await startServers(specs, [...new Set(missing)], running);
  const later = names.filter((name) => unstarted.some((f) => f === first(name)));
  await startReady(
    specs,
    names.filter((name) => !later.includes(name)),
    running,
    nodeFlags,
  );
  if (later.length > 0) await startServers(specs, later, running, nodeFlags);
}

/** Starts the servers together, then waits for each in turn and primes it. */
async function startReady(
  specs: Specs,
  names: ServerName[],
  running: Running,
  nodeFlags: string[],
): Promise<void> {
  for (const name of names) running.children.set(name, startServer(specs[name], nodeFlags));
  for (const name of names) {
    const url = `http://127.0.0.1:${specs[name].env.PORT}`;
    running.urls.set(name, url);
    await waitFor(`${url}${specs[name].readyPath}`, running.children.get(name)!, 60_000);
    if (specs[name].primesGenerate) await primeCachedGenerate(url);
    if (!specs[name].isApp) continue;
    running.captionId = await primeCachedGenerate(url);
    // As deployed, Prometheus has scraped: the metrics defined at the first scrape (the cached
    // answers' histogram among them) are observed from then on.
    await fetch(`${url}/metrics`).then((r) => r.text());
  }
}

/** Output kept from a server, for the message when it fails to start. */
const OUTPUT_TAIL_CHARS = 64 * 1024;

/**
 * A server process whose stdout and stderr are pipes drained as they fill, the way a container
 * runtime reads a service's logs: the app writes its access line per request (LOG_LEVEL info),
 * and that write is part of what a request costs. Only the last OUTPUT_TAIL_CHARS are kept
 * (test/support's startChild keeps everything: hundreds of MB of access lines here).
 */
export function startServer(spec: ServerSpec, nodeFlags: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeFlags, ...spec.args], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail += chunk.toString();
    if (tail.length > 2 * OUTPUT_TAIL_CHARS) tail = tail.slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { process: child, output: () => tail.slice(-OUTPUT_TAIL_CHARS), exited };
}

export async function waitFor(url: string, child: Child, timeoutMs: number): Promise<void> {
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
export async function stop(child: Child, timeoutMs: number): Promise<string> {
  if (child.process.exitCode !== null) return `had already exited (${child.process.exitCode})`;
  child.process.kill('SIGTERM');
  const code = await Promise.race([child.exited, sleep(timeoutMs).then(() => 'timeout')]);
  if (code !== 'timeout') return `exit ${code} after SIGTERM`;
  child.process.kill('SIGKILL');
  await child.exited;
  return `killed (no exit ${timeoutMs} ms after SIGTERM)`;
}

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux; NaN elsewhere). Less
 * sensitive than req/s to other work on a shared machine.
 */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime; CLK_TCK is 100 here
  } catch {
    return NaN;
  }
}

export interface Figures {
  rps: number;
  /** Server CPU (user + system) per 2xx response, microseconds. */
  cpuUs: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Answers other than 2xx by status code, e.g. `429 x12`; empty when none. */
  otherStatuses: string;
}

/** One autocannon run of `durationS` against `options`, with the server's CPU per 2xx. */
export async function drive(
  server: Child,
  options: autocannon.Options,
  durationS: number,
): Promise<Figures> {
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
    otherStatuses: Object.entries(result.statusCodeStats ?? {})
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, { count }]) => `${code} x${count}`)
      .join(', '),
  };
}
