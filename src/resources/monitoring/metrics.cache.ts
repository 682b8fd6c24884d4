import { CacheService, CacheStatus } from '../cache/cache.service';
import { CollectedKind, MetricDefinitions, byLabel, single } from './metrics.helpers';

/** The unlabelled cache figures: kind, name, help, and the figure in CacheService.stats(). */
const FIGURES: ReadonlyArray<[CollectedKind, string, string, (s: CacheStatus) => number]> = [
  ['gauge', 'cache_entries', 'Entries in the in-process cache (L1).', (s) => s.size],
  ['gauge', 'cache_max_entries', 'Most entries L1 holds (CACHE_SIZE).', (s) => s.max_size],
  ['gauge', 'cache_size_bytes', 'Bytes held in L1 (JSON length of the values).', (s) => s.bytes],
  ['gauge', 'cache_max_size_bytes', 'Byte cap of L1 (CACHE_MAX_BYTES).', (s) => s.max_bytes],
  ['gauge', 'cache_hit_ratio', 'Cache hits / lookups since start.', (s) => s.hit_rate],
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
  ['counter', 'cache_l2_errors_total', 'Failed Redis (L2) calls of the cache.', (s) => s.l2.errors],
];

/** The two-tier cache: lookups, hits and misses by tier, L1 size and caps, L2 errors. */
export function defineCacheMetrics(m: MetricDefinitions, cache: CacheService): void {
  /** Series labelled `label`, one per key of what `values` picks from one stats() read. */
  const by =
    <L extends string>(label: L, values: (s: CacheStatus) => Record<string, number>) =>
    () =>
      byLabel(label, values(cache.stats()));
  // L1 hits are derived (hits − L2 hits), so kept from ever going backwards.
  let l1Hits = 0;
  m.counter(
    'cache_requests_total',
    'Cache lookups by result: hit (answered from L1 or L2) or miss.',
    ['result'],
    by('result', (s) => ({ hit: s.hits, miss: s.misses })),
  );
  m.counter(
    'cache_hits_total',
    'Cache hits by tier: l2 = Redis reads that found a value; l1 = the other hits (in-process, stale-while-refreshing included).',
    ['tier'],
    by('tier', (s) => {
      l1Hits = Math.max(l1Hits, s.hits - s.l2.hits);
      return { l1: l1Hits, l2: s.l2.hits };
    }),
  );
  m.counter(
    'cache_misses_total',
    'Cache misses by tier: l1 = lookups L1 could not answer; l2 = Redis reads that found nothing.',
    ['tier'],
    by('tier', (s) => ({ l1: s.misses + s.l2.hits, l2: s.l2.misses })),
  );
  for (const [kind, name, help, figure] of FIGURES) {
    m[kind](name, help, [], () => single(figure(cache.stats())));
  }
}
