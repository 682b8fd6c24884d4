import { validateConfig } from '../../config/app-config';
import { limitOfRoute, rateLimitRules } from './rate-limits';

describe('rate limit rules', () => {
  it('limits the caption and batch routes and nothing else', () => {
    expect(limitOfRoute('/api/v14/captions/generate')).toBe('captions');
    expect(limitOfRoute('/api/v14/captions/:id')).toBe('captions');
    expect(limitOfRoute('/api/v14/captions')).toBe('captions');
    expect(limitOfRoute('/api/v14/batch/jobs/:id/results')).toBe('batch');
    for (const unlimited of [
      '/api/v14/health/live',
      '/api/v14/health/ready',
      '/metrics',
      '/api/v14/resources/cache/:key',
      '/api/v14/captionsx',
      '/docs',
    ]) {
      expect(limitOfRoute(unlimited)).toBeUndefined();
    }
  });

  it('has production defaults and reads every limit from the configuration', () => {
    expect(rateLimitRules(validateConfig({}))).toEqual({
      captions: { name: 'captions', max: 120, windowMs: 60_000 },
      batch: { name: 'batch', max: 60, windowMs: 60_000 },
      admin_failures: { name: 'admin_failures', max: 10, windowMs: 900_000 },
    });
    const tight = validateConfig({
      RATE_LIMIT_CAPTIONS_MAX: '3',
      RATE_LIMIT_ADMIN_FAILURES_WINDOW_MS: '5000',
    });
    expect(rateLimitRules(tight).captions.max).toBe(3);
    expect(rateLimitRules(tight).admin_failures.windowMs).toBe(5000);
    expect(() => validateConfig({ RATE_LIMIT_CAPTIONS_WINDOW_MS: '10' })).toThrow(
      /RATE_LIMIT_CAPTIONS_WINDOW_MS/,
    );
  });
});
