import type { ResourceObservation, SelfTestPlan } from '../registry/observation';
import type { CacheStatus } from './cache.service';

/**
 * What observers see of the cache: lookups (hits + misses) and the failed L2 calls, and the
 * figures of v14's `cache_stats`. It has no connection pool (L2 uses Redis's, or the file
 * storage).
 */
export function observeCache(s: CacheStatus): ResourceObservation {
  return {
    operations: s.hits + s.misses,
    errors: s.l2.errors,
    figures: {
      size: s.size,
      max_size: s.max_size,
      usage_percent: s.usage_percent,
      hits: s.hits,
      misses: s.misses,
      hit_rate: s.hit_rate,
    },
  };
}

/** Keys the self-test writes; a few, reused, so the run does not crowd real entries out. */
const SELF_TEST_KEYS = 16;
const selfTestKey = (round: number) => `monitoring.selftest:${round % SELF_TEST_KEYS}`;

/** The subset of the cache its self-test uses. */
interface SelfTestCache {
  set(key: string, value: unknown, options: { ttl: number }): Promise<void>;
  get(key: string): Promise<unknown>;
  del(key: string): Promise<boolean>;
}

/**
 * The cache's self-test: a set and a get per round (two operations; the gets count as hits in
 * its statistics like any other), then the keys it wrote are removed.
 */
export function cacheSelfTest(cache: SelfTestCache): SelfTestPlan {
  return {
    operations: [
      (round) => cache.set(selfTestKey(round), { i: round }, { ttl: 60 }),
      async (round) => {
        if ((await cache.get(selfTestKey(round))) === undefined) {
          throw new Error('value written a moment ago was not found');
        }
      },
    ],
    cleanup: (rounds) =>
      Promise.all(
        Array.from({ length: Math.min(rounds, SELF_TEST_KEYS) }, (_, i) =>
          cache.del(selfTestKey(i)).catch(() => false),
        ),
      ),
  };
}
