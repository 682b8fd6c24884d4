import { Injectable, Optional } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { percentileOfSorted } from '../common/util/percentiles';
import { round } from '../common/util/round';
import { CONTRIBUTED_FIGURES } from '../resources/monitoring/monitoring.constants';
import { ResourceRegistry } from '../resources/registry/resource-registry.service';

/** How many recent request latencies the percentiles are computed over. */
const WINDOW = 2048;

/** Counters behind GET /stats: captions generated, cache hit rate, p50/p95 latency. */
@Injectable()
export class CaptionStatsService {
  private generated = 0;
  private cacheHits = 0;
  private requests = 0;
  private fallbacks = 0;
  private failures = 0;
  private readonly latencies = new Float64Array(WINDOW);
  private cachedLatencies = new Float64Array(WINDOW);
  private latencyCount = 0;
  private cachedCount = 0;
  /** Each cached answer's time, once /metrics has defined the histogram. */
  private cachedDuration?: Histogram;

  constructor(@Optional() registry?: ResourceRegistry) {
    // The p95 for monitoring's alert, and the histogram Prometheus windows and sums itself.
    registry?.contributeFigure(CONTRIBUTED_FIGURES.cachedResponseP95Ms, () => this.cachedP95());
    registry?.contributeMetrics('captions', (m) => {
      this.cachedDuration = m.durationHistogram(
        'cached_response_duration_seconds',
        'Time to answer POST /captions/generate from the cache (the v14 target: p95 under 0.1).',
        [],
      );
    });
  }

  record(ms: number, cached: boolean, fallback: boolean): void {
    this.requests += 1;
    if (cached) {
      this.cacheHits += 1;
      this.cachedLatencies[this.cachedCount++ % WINDOW] = ms;
      this.cachedDuration?.observe(ms / 1000);
    } else {
      this.generated += 1;
    }
    if (fallback && !cached) this.fallbacks += 1;
    this.latencies[this.latencyCount++ % WINDOW] = ms;
  }

  recordFailure(): void {
    this.failures += 1;
  }

  /** p95 of cached answers, ms (monitoring alerts above 100 ms). */
  cachedP95(): number {
    return percentile(this.cachedLatencies, this.cachedCount, 95);
  }

  snapshot(): Record<string, number> {
    return {
      captions_generated: this.generated,
      requests: this.requests,
      cache_hits: this.cacheHits,
      cache_hit_rate: this.requests === 0 ? 0 : round(this.cacheHits / this.requests, 4),
      fallbacks: this.fallbacks,
      failures: this.failures,
      p50_ms: percentile(this.latencies, this.latencyCount, 50),
      p95_ms: percentile(this.latencies, this.latencyCount, 95),
      cached_p95_ms: this.cachedP95(),
    };
  }
}

/** Nearest-rank percentile of the ring's recorded values, ms, three decimals. */
function percentile(ring: Float64Array, count: number, p: number): number {
  const sorted = Array.from(ring.subarray(0, Math.min(count, ring.length))).sort((a, b) => a - b);
  return round(percentileOfSorted(sorted, p), 3);
}
