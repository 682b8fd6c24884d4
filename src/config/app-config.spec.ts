import { ConfigValidationError, productionWarnings, validateConfig } from './app-config';

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

  it('refuses a cache namespace another part of the service owns in Redis (its clear would wipe it)', () => {
    expect(() => validateConfig({ CACHE_NAMESPACE: 'rate-limit' })).toThrow(
      'CACHE_NAMESPACE must not be rate-limit: the service keeps other keys under it in Redis',
    );
    expect(validateConfig({ CACHE_NAMESPACE: 'rate' }).CACHE_NAMESPACE).toBe('rate');
  });

  it('refuses a headers timeout longer than the request timeout (Node would throw at listen)', () => {
    expect(() =>
      validateConfig({ SERVER_HEADERS_TIMEOUT_MS: '5000', SERVER_REQUEST_TIMEOUT_MS: '2000' }),
    ).toThrow(/SERVER_HEADERS_TIMEOUT_MS=5000 must not exceed SERVER_REQUEST_TIMEOUT_MS=2000/);
  });

  describe('RESOURCE_PROFILE', () => {
    it('small and large set the seed sizes', () => {
      expect(validateConfig({ RESOURCE_PROFILE: 'small' })).toMatchObject({
        DATABASE_POOL_SIZE: 10,
        HTTP_MAX_CONNECTIONS: 50,
        REDIS_POOL_SIZE: 10,
        CACHE_SIZE: 5000,
        MODEL_CACHE_SIZE: 5,
      });
      expect(validateConfig({ RESOURCE_PROFILE: 'large' })).toMatchObject({
        DATABASE_POOL_SIZE: 50,
        HTTP_MAX_CONNECTIONS: 200,
        REDIS_POOL_SIZE: 50,
        CACHE_SIZE: 20000,
        MODEL_CACHE_SIZE: 10,
      });
    });

    it('medium is the contract defaults', () => {
      const medium = validateConfig({ RESOURCE_PROFILE: 'medium' });
      const unset = validateConfig({});
      expect(medium.RESOURCE_PROFILE).toBe('medium');
      expect({ ...medium }).toEqual({ ...unset });
    });

    it('lets an explicit variable win over the preset', () => {
      const config = validateConfig({ RESOURCE_PROFILE: 'large', DATABASE_POOL_SIZE: '7' });
      expect(config.DATABASE_POOL_SIZE).toBe(7);
      expect(config.CACHE_SIZE).toBe(20000);
    });

    it('rejects an unknown profile naming the variable', () => {
      expect(() => validateConfig({ RESOURCE_PROFILE: 'huge' })).toThrow(/RESOURCE_PROFILE="huge"/);
    });
  });

  describe('in production', () => {
    const dbUrl = 'postgres://app@db:5432/captions';

    it('refuses the embedded database unless asked for, with one line saying what to set', () => {
      let error: unknown;
      try {
        validateConfig({ NODE_ENV: 'production' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect((error as ConfigValidationError).problems).toEqual([
        expect.stringMatching(
          /^DATABASE_URL is required when NODE_ENV=production.*ALLOW_EMBEDDED_DATABASE=true/,
        ),
      ]);
    });

    it('allows the embedded database when asked for explicitly, with a warning', () => {
      const config = validateConfig({ NODE_ENV: 'production', ALLOW_EMBEDDED_DATABASE: 'true' });
      expect(config.databaseEmbedded).toBe(true);
      expect(productionWarnings(config)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^embedded PostgreSQL in production/)]),
      );
    });

    it('warns about a fleet without Redis, and not when Redis is set', () => {
      const noRedis = validateConfig({ NODE_ENV: 'production', DATABASE_URL: dbUrl });
      expect(productionWarnings(noRedis)).toEqual([expect.stringMatching(/^REDIS_URL is not set/)]);
      const full = validateConfig({
        NODE_ENV: 'production',
        DATABASE_URL: dbUrl,
        REDIS_URL: 'redis://cache:6379',
      });
      expect(productionWarnings(full)).toEqual([]);
    });

    it('does not apply outside production', () => {
      const config = validateConfig({ NODE_ENV: 'development' });
      expect(config.databaseEmbedded).toBe(true);
      expect(productionWarnings(config)).toEqual([]);
    });
  });
});
