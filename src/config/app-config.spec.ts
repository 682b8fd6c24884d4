import { ConfigValidationError, validateConfig } from './app-config';

describe('validateConfig', () => {
  it('applies the contract defaults when nothing is set', () => {
    const config = validateConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_POOL_SIZE).toBe(20);
    expect(config.DATABASE_MAX_OVERFLOW).toBe(30);
    expect(config.REDIS_POOL_SIZE).toBe(20);
    expect(config.HTTP_TIMEOUT).toBe(30);
    expect(config.HTTP_MAX_CONNECTIONS).toBe(100);
    expect(config.MODEL_CACHE_SIZE).toBe(5);
    expect(config.MODEL_MEMORY_LIMIT_MB).toBe(2048);
    expect(config.CACHE_SIZE).toBe(10000);
    expect(config.CACHE_TTL).toBe(3600);
    expect(config.ENABLE_MONITORING).toBe(true);
    expect(config.METRICS_INTERVAL).toBe(60);
    expect(config.HEALTH_CHECK_INTERVAL).toBe(30);
    expect(config.databaseEmbedded).toBe(true);
    expect(config.redisEnabled).toBe(false);
    expect(config.ADMIN_API_KEY).toBeUndefined();
  });

  it('parses numbers, booleans and lists from strings', () => {
    const config = validateConfig({
      DATABASE_POOL_SIZE: '7',
      ENABLE_MONITORING: 'false',
      MODEL_PRELOAD: 'caption-local, openai-compatible',
      REDIS_SENTINELS: 'a:26379,b:26379',
    });
    expect(config.DATABASE_POOL_SIZE).toBe(7);
    expect(config.ENABLE_MONITORING).toBe(false);
    expect(config.MODEL_PRELOAD).toEqual(['caption-local', 'openai-compatible']);
    expect(config.REDIS_SENTINELS).toEqual(['a:26379', 'b:26379']);
  });

  it('treats blank values as unset', () => {
    expect(validateConfig({ REDIS_URL: '', PORT: ' ' }).redisEnabled).toBe(false);
  });

  it.each([
    ['DATABASE_POOL_SIZE', 'abc'],
    ['PORT', '70000'],
    ['ENABLE_MONITORING', 'maybe'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_SENTINELS', 'nohostport'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => validateConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => validateConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('never echoes a sensitive value in the error', () => {
    const secret = 'hunter2-super-secret';
    try {
      validateConfig({ DATABASE_URL: `nope://u:${secret}@` });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect((error as Error).message).toContain('DATABASE_URL');
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
