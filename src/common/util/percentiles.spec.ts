import { percentileOfSorted, summarize } from './percentiles';

describe('percentiles (nearest rank)', () => {
  it('picks the smallest value with at least p % of the values at or below it', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentileOfSorted(hundred, 50)).toBe(50);
    expect(percentileOfSorted(hundred, 95)).toBe(95);
    expect(percentileOfSorted(hundred, 99)).toBe(99);
    expect(percentileOfSorted(hundred, 100)).toBe(100);
    expect(percentileOfSorted(hundred, 0)).toBe(1);
  });

  it('handles small and empty samples', () => {
    expect(percentileOfSorted([], 95)).toBe(0);
    expect(percentileOfSorted([7], 50)).toBe(7);
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(percentileOfSorted([1, 2, 3, 4], 51)).toBe(3);
    expect(percentileOfSorted([1, 2, 3, 4], 99)).toBe(4);
  });

  it('summarizes unsorted durations to three decimals without changing the input', () => {
    const input = [5.12345, 1, 3, 2, 4];
    expect(summarize(input)).toEqual({ p50_ms: 3, p95_ms: 5.123, p99_ms: 5.123 });
    expect(input).toEqual([5.12345, 1, 3, 2, 4]);
    expect(summarize([])).toEqual({ p50_ms: 0, p95_ms: 0, p99_ms: 0 });
  });
});
