import { Registry } from 'prom-client';
import { metricsOn } from '../common/metrics/metric-definitions';
import { CONTRIBUTED_FIGURES } from '../resources/monitoring/monitoring.constants';
import { ResourceRegistry } from '../resources/registry/resource-registry.service';
import { CaptionStatsService } from './caption-stats.service';

describe('CaptionStatsService', () => {
  it('starts at zero', () => {
    expect(new CaptionStatsService().snapshot()).toMatchObject({
      captions_generated: 0,
      cache_hit_rate: 0,
      p50_ms: 0,
      p95_ms: 0,
    });
  });

  it('counts generated captions, cache hits and percentiles', () => {
    const stats = new CaptionStatsService();
    for (let i = 1; i <= 100; i++) stats.record(i, i % 4 === 0, false);
    const snap = stats.snapshot();
    expect(snap.captions_generated).toBe(75);
    expect(snap.cache_hits).toBe(25);
    expect(snap.cache_hit_rate).toBe(0.25);
    expect(snap.p50_ms).toBe(50);
    expect(snap.p95_ms).toBe(95);
    expect(snap.cached_p95_ms).toBe(96);
  });

  it('contributes the cached-answer p95 to the registry, read live by name', () => {
    const registry = new ResourceRegistry();
    expect(registry.figure(CONTRIBUTED_FIGURES.cachedResponseP95Ms)).toBeUndefined();
    const stats = new CaptionStatsService(registry);
    expect(registry.figure(CONTRIBUTED_FIGURES.cachedResponseP95Ms)).toBe(0);
    stats.record(12.5, true, false);
    expect(registry.figure(CONTRIBUTED_FIGURES.cachedResponseP95Ms)).toBe(12.5);
  });

  it('contributes a histogram of cached answers, observed from when /metrics defines it', async () => {
    const registry = new ResourceRegistry();
    const stats = new CaptionStatsService(registry);
    stats.record(3, true, false); // before the metrics exist: only the p95 window sees it
    const prometheus = new Registry();
    registry.contributedMetrics().get('captions')?.(metricsOn(prometheus));
    stats.record(20, true, false);
    stats.record(250, true, false);
    stats.record(40, false, false); // not cached: not in this histogram
    const text = await prometheus.metrics();
    const sample = (series: string) =>
      Number(text.match(new RegExp(`^${series} (\\S+)$`, 'm'))?.[1]);
    expect(sample('captions_api_cached_response_duration_seconds_count')).toBe(2);
    expect(sample('captions_api_cached_response_duration_seconds_bucket{le="0.025"}')).toBe(1);
    expect(sample('captions_api_cached_response_duration_seconds_bucket{le="0.1"}')).toBe(1);
    expect(sample('captions_api_cached_response_duration_seconds_bucket{le="0.25"}')).toBe(2);
    expect(sample('captions_api_cached_response_duration_seconds_sum')).toBeCloseTo(0.27);
  });
});
