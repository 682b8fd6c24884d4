import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prefix of every Prometheus series this service defines (process metrics keep theirs). */
export const METRIC_PREFIX = 'captions_api_';

/** One series: its label values and the figure read for it at scrape time. */
export type Sample<L extends string> = readonly [labels: Partial<Record<L, string>>, value: number];

/** Reads every series of one metric; called by prom-client at each scrape. */
export type Read<L extends string> = () => ReadonlyArray<Sample<L>>;

/** Defines a metric whose series are all read from the owning service at scrape time. */
export type DefineCollected = <L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[],
  read: Read<L>,
) => void;

/** The metric definitions of one registry; every name gets the `captions_api_` prefix. */
export interface MetricDefinitions {
  gauge: DefineCollected;
  counter: DefineCollected;
  /** Observed as things happen; `buckets` in seconds (default: HTTP-scale, 1 ms to 10 s). */
  durationHistogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
  /** A counter incremented as things happen (not read from a service at scrape time). */
  eventCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  /** `captions_api_info{version}` 1: which version each replica runs. */
  info(version: string): void;
}

export type CollectedKind = 'gauge' | 'counter';

/** Buckets of request and self-test durations, seconds. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Buckets for backend operations (a Redis command, a database query): 50 µs to 1 s. */
export const OPERATION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/** The one series of a metric without labels. */
export function single(value: number): Sample<never>[] {
  return [[{}, value]];
}

/** One series per entry of `values`, its key as the value of `label`, in insertion order. */
export function byLabel<L extends string>(label: L, values: Record<string, number>): Sample<L>[] {
  return Object.entries(values).map(([key, value]) => [
    { [label]: key } as Partial<Record<L, string>>,
    value,
  ]);
}

/**
 * Definitions bound to `registry`. Nothing is copied into the metrics as things happen: each
 * `collect()` reads the figures when Prometheus asks, so the exposition cannot drift from
 * /resources/monitoring/stats. Series appear in the order metrics are defined.
 */
export function metricsOn(registry: Registry): MetricDefinitions {
  const base = <L extends string>(name: string, help: string, labelNames: readonly L[]) => ({
    name: METRIC_PREFIX + name,
    help,
    labelNames,
    registers: [registry],
  });
  return {
    gauge: (name, help, labelNames, read) => {
      new Gauge({
        ...base(name, help, labelNames),
        collect() {
          const samples = read();
          // Reset so label sets that vanished (a model unregistered) drop out. A gauge without
          // labels has nothing to drop, and keeps its last value when read has nothing (the
          // system gauges without a snapshot).
          if (labelNames.length > 0) this.reset();
          for (const [labels, value] of samples) this.set(labels, value);
        },
      });
    },
    counter: (name, help, labelNames, read) => {
      new Counter({
        ...base(name, help, labelNames),
        collect() {
          const samples = read();
          // The services keep cumulative totals, so the counter is rebuilt from them each time;
          // clamped at 0 because prom-client refuses to decrease a counter.
          this.reset();
          for (const [labels, value] of samples) this.inc(labels, Math.max(0, value));
        },
      });
    },
    durationHistogram: (name, help, labelNames, buckets = DURATION_BUCKETS) =>
      new Histogram({ ...base(name, help, labelNames), buckets: [...buckets] }),
    eventCounter: (name, help, labelNames) => new Counter(base(name, help, labelNames)),
    info: (version) =>
      new Gauge({
        ...base('info', 'The running version of the service (always 1).', ['version']),
        collect() {
          this.set({ version }, 1);
        },
      }),
  };
}
