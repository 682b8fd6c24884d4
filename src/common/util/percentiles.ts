import { round } from './round';

/** p50/p95/p99 of a set of durations, ms, three decimals (the self-test's answer). */
export interface LatencySummary {
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

/**
 * Nearest-rank percentile (the smallest value with at least p % of the values at or below it)
 * of values already sorted ascending; 0 for an empty list.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  if (p <= 0) return sorted[0];
  const rank = Math.ceil((Math.min(p, 100) / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(durationsMs: readonly number[]): LatencySummary {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  return {
    p50_ms: round(percentileOfSorted(sorted, 50), 3),
    p95_ms: round(percentileOfSorted(sorted, 95), 3),
    p99_ms: round(percentileOfSorted(sorted, 99), 3),
  };
}
