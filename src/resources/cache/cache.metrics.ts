import {
  CollectedKind,
  MetricDefinitions,
  byLabel,
  single,
} from '../../common/metrics/metric-definitions';
import type { CacheStatus } from './cache.service';

/** The unlabelled cache figures: kind, name, help, and the figure in CacheService.stats(). */
const FIGURES: ReadonlyArray<[CollectedKind, string, string, (s: CacheStatus) => number]> = [
  ['gauge', 'cache_entries', 'Entries in the in-process cache (L1).', (s) => s.size],
  ['gauge', 'cache_max_entries', 'Most entries L1 holds (CACHE_SIZE).', (s) => s.max_size],
  ['gauge', 'cache_size_bytes', 'Bytes held in L1 (JSON length of the values).', (s) => s.bytes],
  ['gauge', 'cache_max_size_bytes', 'Byte cap of L1 (CACHE_MAX_BYTES).', (s) => s.max_bytes],
  [
    'counter',
    'cache_evictions_total',
    'L1 entries pushed out by the entry or byte cap.',
    (s) => s.evictions,
  ],
  [
    'counter',
    'cache_expirations_total',
    'L1 entries dropped because they expired.',
    (s) => s.expired,
  ],
  [
    'counter',
    'cache_l2_errors_total',
    'Failed L2 calls of the cache (Redis, or the disk tier without it).',
    (s) => s.l2.errors,
  ],
];

/**
 * The two-tier cache's series (its `defineMetrics`): lookups by result (the hit rate: rate of
 * `result="hit"` over all), hits by tier, L1 size and caps, L2 errors. No precomputed ratio: it
 * could not be windowed or summed. `stats` is read at each scrape.
 */
export function defineCacheMetrics(m: MetricDefinitions, stats: () => CacheStatus): void {
  /** Series labelled `label`, one per key of what `values` picks from one stats() read. */
  const by =
    <L extends string>(label: L, values: (s: CacheStatus) => Record<string, number>) =>
    () =>
      byLabel(label, values(stats()));
  // L1 hits are derived (hits − L2 hits), so kept from ever going backwards.
  let l1Hits = 0;
  m.counter(
    'cache_requests_total',
    'Cache lookups by result, once per lookup: hit (answered from L1 or L2) or miss (neither).',
    ['result'],
    by('result', (s) => ({ hit: s.hits, miss: s.misses })),
  );
  m.counter(
    'cache_hits_total',
    'Cache hits by tier: l2 = L2 reads (Redis or disk) that found a value; l1 = the other hits (in-process, stale-while-refreshing included).',
    ['tier'],
    by('tier', (s) => {
      l1Hits = Math.max(l1Hits, s.hits - s.l2.hits);
      return { l1: l1Hits, l2: s.l2.hits };
    }),
  );
  for (const [kind, name, help, figure] of FIGURES) {
    m[kind](name, help, [], () => single(figure(stats())));
  }
}
