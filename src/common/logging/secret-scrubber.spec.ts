import { AppConfig } from '../../config/app-config';
import { secretScrubber } from './secret-scrubber';

const config = (values: Partial<AppConfig>) => values as AppConfig;

describe('secretScrubber', () => {
  const scrub = secretScrubber(
    config({
      ADMIN_API_KEY: 'admin-key-0123456789',
      OPENAI_API_KEY: 'sk-openai-"quoted"',
      DATABASE_URL: 'postgres://app:p%40ss%2Fw0rd!@db:5432/captions',
      REDIS_URL: 'redis://:redis-pass-123@cache:6379',
    }),
  ) as (line: string) => string;

  it('replaces every known secret, raw, percent-encoded and JSON-escaped', () => {
    const line = JSON.stringify({
      a: '/api/v14/resources/cache/admin-key-0123456789',
      b: 'Bearer sk-openai-"quoted"',
      c: 'password p@ss/w0rd! or p%40ss%2Fw0rd!',
      d: 'AUTH redis-pass-123',
    });
    const scrubbed = scrub(line);
    for (const secret of ['admin-key', 'sk-openai', 'p@ss', 'p%40ss', 'redis-pass'])
      expect(scrubbed).not.toContain(secret);
    expect(JSON.parse(scrubbed)).toEqual({
      a: '/api/v14/resources/cache/***',
      b: 'Bearer ***',
      c: 'password *** or ***',
      d: 'AUTH ***',
    });
  });

  it('leaves other lines as they are', () => {
    expect(scrub('{"msg":"request completed"}')).toBe('{"msg":"request completed"}');
  });

  it('skips secrets too short to scrub without garbling the logs, and costs nothing without any', () => {
    expect(secretScrubber(config({ DATABASE_URL: 'postgres://u:pg@db/x' }))).toBeUndefined();
    expect(secretScrubber(config({}))).toBeUndefined();
  });
});
