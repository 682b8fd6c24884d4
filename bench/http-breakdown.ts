/**
 * `npm run bench:http -- --breakdown` (or BENCH_BREAKDOWN=1): what each of the app's
 * per-request features costs, side by side in one run. The app's trivial route is measured as
 * shipped, with one feature patched out at a time (bench/app-features-off.ts), with all of them
 * out, and on bare NestJS (bench/nest-floor.ts); a feature's cost is the server CPU per request
 * of the app as shipped minus that of the app without it, the median of the per-round
 * differences. `--breakdown=cached` measures the cached generate instead of the trivial route
 * (the rate limiter only limits the caption and batch routes).
 */
import autocannon from 'autocannon';
import { freePort } from '../test/support/processes';
import { FEATURES, Feature } from './app-features-off';
import {
  API,
  CONNECTIONS,
  Figures,
  Running,
  ServerName,
  Specs,
  cachedGenerate,
  drive,
  featuresOffSpec,
  startServers,
} from './http-servers';
import { median, ms, rate, rounds, table } from './lib';

const ROUNDS = 5;
const DURATION_S = 3;
const WARMUP_S = 1;

export type BreakdownRoute = 'trivial' | 'cached';

/** The flag's value: `--breakdown`, `--breakdown=cached`, or BENCH_BREAKDOWN (1 or cached). */
export function breakdownRequest(argv: string[]): BreakdownRoute | undefined {
  const flag = argv.find((a) => a === '--breakdown' || a.startsWith('--breakdown='));
  const value = flag ? (flag.split('=')[1] ?? 'trivial') : process.env.BENCH_BREAKDOWN;
  if (!value) return undefined;
  if (value === 'cached') return 'cached';
  if (value === 'trivial' || value === '1') return 'trivial';
  throw new Error(`--breakdown takes "trivial" (the default) or "cached", not "${value}"`);
}

interface Variant {
  name: string;
  server: ServerName;
  /** The feature this variant goes without, for the cost column. */
  feature?: Feature;
}

const SHIPPED: Variant = { name: 'the app as shipped', server: 'off:' };

/** The cached route has no twin on bare NestJS: that row is the trivial route's only. */
function variants(route: BreakdownRoute): Variant[] {
  const features = Object.keys(FEATURES) as Feature[];
  return [
    SHIPPED,
    ...features.map((feature) => ({
      name: `without ${feature}`,
      server: `off:${feature}`,
      feature,
    })),
    { name: 'without all of them', server: 'off:all' },
    ...(route === 'trivial'
      ? [{ name: 'bare NestJS (nothing of the app)', server: 'nestFloor' }]
      : []),
  ] as Variant[];
}

/**
 * Each patch really took effect: the headers it sets are gone, the access line is not written.
 * (The entry itself refuses to start when a hook it should remove was not found.)
 */
async function checkVariants(running: Running): Promise<void> {
  const headersOf = async (server: ServerName) =>
    (await fetch(`${running.urls.get(server)}${API}/bench-floor`)).headers;
  if ((await headersOf('off:security-headers')).has('x-content-type-options')) {
    throw new Error('off:security-headers still sets x-content-type-options');
  }
  if ((await headersOf('off:lifecycle')).has('x-request-id')) {
    throw new Error('off:lifecycle still sets x-request-id');
  }
  if (!(await headersOf('off:')).has('x-request-id'))
    throw new Error('the shipped app lost x-request-id');
  const logged = (server: ServerName) =>
    running.children.get(server)!.output().includes('request completed');
  if (!logged('off:') || logged('off:access-line')) {
    throw new Error('access lines: expected in the shipped app only');
  }
}

/** Starts every variant, runs ROUNDS rounds, prints the cost table. */
export async function breakdown(
  specs: Specs,
  appEnv: Record<string, string>,
  running: Running,
  route: BreakdownRoute,
): Promise<void> {
  const all = variants(route);
  for (const { server } of all) {
    if (server.startsWith('off:')) {
      specs[server] = featuresOffSpec(server.slice(4), await freePort(), appEnv);
    }
  }
  await startServers(
    specs,
    all.map((v) => v.server),
    running,
  );
  const options = (server: ServerName): autocannon.Options =>
    route === 'cached'
      ? cachedGenerate(running.urls.get(server)!)
      : { url: `${running.urls.get(server)}${API}/bench-floor` };
  const targets = all.map(({ name, server }) => ({
    name,
    run: (durationS = DURATION_S): Promise<Figures> =>
      drive(running.children.get(server)!, options(server), durationS),
  }));
  for (const t of targets) await t.run(WARMUP_S);
  await checkVariants(running);
  const results = await rounds(targets, ROUNDS, (round) => console.log(`round ${round}/${ROUNDS}`));
  console.log(formatBreakdown(all, results, route));
}

/** A variant's cost: shipped minus it, per round, then the median. */
function pairedDifference(a: number[], b: number[]): number {
  return median(a.map((value, i) => value - b[i]));
}

function formatBreakdown(
  all: Variant[],
  results: Map<string, Figures[]>,
  route: BreakdownRoute,
): string {
  const cpu = (name: string) => (results.get(name) ?? []).map((f) => f.cpuUs);
  const shipped = cpu(SHIPPED.name);
  const rows = all.map(({ name }) => {
    const figures = results.get(name) ?? [];
    const cost =
      name === SHIPPED.name ? '' : `${pairedDifference(shipped, cpu(name)).toFixed(1)} us`;
    return [
      name,
      rate(median(figures.map((f) => f.rps))),
      ms(median(figures.map((f) => f.p99))),
      `${median(cpu(name)).toFixed(1)} us`,
      cost,
      cpu(name)
        .map((v) => v.toFixed(0))
        .join(' / '),
      String(figures.reduce((sum, f) => sum + f.non2xx + f.errors, 0)),
    ];
  });
  const what = route === 'cached' ? 'cached POST /captions/generate' : 'GET /api/v14/bench-floor';
  return [
    `\n${what}, node ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s; ` +
      '"saves" = server CPU/req of the app as shipped minus this variant\'s (median of the rounds\' differences)\n',
    table(
      ['variant', 'req/s', 'p99', 'server CPU/req', 'saves', 'rounds (us)', 'non-2xx+errors'],
      rows,
    ),
  ].join('\n');
}
