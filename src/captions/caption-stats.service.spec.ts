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
});
