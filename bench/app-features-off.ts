/**
 * Benchmark only: the app's trivial route (bench/app-floor.ts) with some of the app's
 * per-request features patched out, so bench/http.bench.ts --breakdown can put a price on each,
 * side by side with the app as shipped. BENCH_FEATURES_OFF lists them (comma-separated, or
 * `all`); see FEATURES. A bench-only switch: the service has no way to turn these off, and this
 * file is never a way to run it.
 *
 *   BENCH_FEATURES_OFF=access-line,request-metrics PORT=3001 node -r @swc-node/register bench/app-features-off.ts
 *
 * Hooks are removed by what their source says (a marker string below): registering one is
 * skipped. A feature whose markers matched no hook stops the start-up, so a renamed method
 * cannot silently turn the measurement into "nothing was off".
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { addFloorRoute, startBuiltApp } from './app-floor';

type HookFilter = { feature: string; markers: string[]; removed: number };

/** What each feature is, and how it is taken out. */
export const FEATURES = {
  /** The access line (request-logging's onResponse hook); the request's log context stays. */
  'access-line': () => skipHooks('access-line', ["'request completed'"]),
  /** The request's AsyncLocalStorage scope (nestjs-pino's storage.run); the line stays. */
  'request-context': () => {
    const { storage } = require('nestjs-pino/storage') as typeof import('nestjs-pino/storage');
    storage.run = ((_store: unknown, callback: () => unknown) => callback()) as typeof storage.run;
  },
  /** The request counter and duration histogram (MetricsService's onResponse hook). */
  'request-metrics': () => skipHooks('request-metrics', ['httpSeriesOf']),
  /** The in-flight count, x-request-id and Connection: close hooks of app.factory's instrument(). */
  lifecycle: () =>
    skipHooks('lifecycle', [
      'lifecycle.requestStarted',
      'lifecycle.requestFinished',
      'closingConnections',
    ]),
  /** helmet's headers on every answer (and the HTML pages' nonce hook). */
  'security-headers': () => {
    const headers = require('../dist/common/security/security-headers') as {
      installSecurityHeaders: (...args: unknown[]) => void;
    };
    headers.installSecurityHeaders = () => undefined;
  },
  /** The rate limiter (only the caption and batch routes are limited). */
  'rate-limit': () => {
    const { RateLimitService } =
      require('../dist/common/rate-limit/rate-limit.service') as typeof import('../src/common/rate-limit/rate-limit.service');
    RateLimitService.prototype.install = async () => undefined;
  },
} satisfies Record<string, () => void>;

export type Feature = keyof typeof FEATURES;

const filters: HookFilter[] = [];

function skipHooks(feature: string, markers: string[]): void {
  filters.push({ feature, markers, removed: 0 });
}

/** Every Fastify instance Nest hands out skips the hooks the filters name. */
function installHookFilters(): void {
  const getInstance = FastifyAdapter.prototype.getInstance;
  const filtered = new WeakSet<object>();
  FastifyAdapter.prototype.getInstance = function (this: FastifyAdapter) {
    const fastify = getInstance.call(this) as { addHook: (...args: unknown[]) => unknown };
    if (filtered.has(fastify)) return fastify as never;
    filtered.add(fastify);
    const addHook = fastify.addHook;
    fastify.addHook = function (this: unknown, ...args: unknown[]) {
      const source = String(args[args.length - 1]);
      const filter = filters.find((f) => f.markers.some((m) => source.includes(m)));
      if (!filter) return addHook.apply(this, args);
      filter.removed += 1;
      return this;
    };
    return fastify as never;
  };
}

/** The features BENCH_FEATURES_OFF names; throws on an unknown one. */
export function featuresOff(value = ''): Feature[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.includes('all')) return Object.keys(FEATURES) as Feature[];
  for (const name of names) {
    if (!(name in FEATURES)) {
      throw new Error(
        `unknown feature "${name}"; one of: all, ${Object.keys(FEATURES).join(', ')}`,
      );
    }
  }
  return names as Feature[];
}

/** Once the app listens: a hook filter that removed nothing means a marker went stale. */
function checkHookFilters(): void {
  const unmatched = filters.filter((f) => f.removed === 0).map((f) => f.feature);
  if (unmatched.length === 0) return;
  console.error(`bench: no hook matched the markers of ${unmatched.join(', ')}: update FEATURES`);
  process.exit(1);
}

if (require.main === module) {
  const off = featuresOff(process.env.BENCH_FEATURES_OFF);
  for (const feature of off) FEATURES[feature]();
  installHookFilters();
  addFloorRoute();
  void startBuiltApp().then(checkHookFilters);
  console.log(`bench: features off: ${off.join(', ') || 'none'}`);
}
