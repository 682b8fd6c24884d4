/**
 * Small helpers shared by the parts of TieredCache: the clock, bounded waits, glob escaping,
 * TTL validation and once-only warnings.
 * They live apart so each part can use them without importing the cache core (no cycles).
 */
import { InvalidInputError } from '../../common/errors/app-errors';
import { MAX_TTL_SECONDS } from './cache.constants';
import { CacheLogger, SetOptions } from './cache.types';

export type Settled<T> =
  { status: 'ok'; value: T } | { status: 'error'; error: unknown } | { status: 'timeout' };

/**
 * A monotonic clock in ms that reads performance.now() at most once per millisecond (a read
 * costs ~100 ns on the reference machine, as much as the rest of an L1 hit; lru-cache caches
 * its clock the same way). The +1 matters: lru-cache reads an entry start time of 0 as "no
 * TTL", and performance.now() is exactly 0 when jest's fake clock starts.
 */
export function coarseMonotonicClock(): () => number {
  let cached = 0;
  const forget = () => {
    cached = 0;
  };
  return () => {
    if (cached !== 0) return cached;
    cached = performance.now() + 1;
    setTimeout(forget, 1).unref();
    return cached;
  };
}

/** Escapes glob characters so a key prefix matches only itself in SCAN MATCH. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Resolves (never rejects) with the outcome of `promise`, or `timeout` after `ms`. */
export function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: 'timeout' }), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ status: 'ok', value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ status: 'error', error });
      },
    );
  });
}

/** An unref'd sleep: a pending lease poll must not keep the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Distinct warnings remembered by warnOnce, so a recurring one is logged a single time. */
const MAX_REMEMBERED_WARNINGS = 100;

/** A warn() that logs each distinct message once (up to a cap), so a hot path cannot flood logs. */
export function warnOnceTo(logger: CacheLogger): (message: string) => void {
  const warned = new Set<string>();
  return (message) => {
    if (warned.has(message) || warned.size >= MAX_REMEMBERED_WARNINGS) return;
    warned.add(message);
    logger.warn(message);
  };
}

export interface Lifetime {
  ttlMs: number;
  graceMs: number;
}

/** Validates `ttl`/`grace` (seconds) and turns them into ms, `ttl` defaulting to the cache's. */
export function resolveLifetime(options: SetOptions, defaultTtlMs: number): Lifetime {
  const { ttl, grace } = options;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0 && ttl <= MAX_TTL_SECONDS)) {
    throw new InvalidInputError(`ttl must be more than 0 and at most ${MAX_TTL_SECONDS} seconds`);
  }
  if (grace !== undefined && !(Number.isFinite(grace) && grace >= 0 && grace <= MAX_TTL_SECONDS)) {
    throw new InvalidInputError(`grace must be 0 to ${MAX_TTL_SECONDS} seconds`);
  }
  return {
    ttlMs: ttl === undefined ? defaultTtlMs : Math.max(1, Math.round(ttl * 1000)),
    graceMs: grace === undefined ? 0 : Math.round(grace * 1000),
  };
}
