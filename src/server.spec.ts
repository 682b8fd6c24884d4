import { validateConfig } from './config/app-config';
import { startupBlock } from './server';

describe('the start-up block', () => {
  it('lists the URLs of the API, docs, dashboard and metrics, and says what it runs on', () => {
    const embedded = startupBlock(validateConfig({ PORT: '3000' }), 812);
    expect(embedded.split('\n')).toEqual([
      'Captions API v14 ready in 812 ms · database: embedded PostgreSQL · cache: in-process + disk (no REDIS_URL)',
      '  API        http://localhost:3000/api/v14',
      '  docs       http://localhost:3000/docs',
      '  dashboard  http://localhost:3000/dashboard',
      '  metrics    http://localhost:3000/metrics',
    ]);
    const external = startupBlock(
      validateConfig({
        PORT: '8080',
        DATABASE_URL: 'postgres://app:secret@db:5432/app',
        REDIS_URL: 'redis://redis:6379',
      }),
      90,
    );
    expect(external.split('\n')[0]).toBe(
      'Captions API v14 ready in 90 ms · database: PostgreSQL (DATABASE_URL) · cache: in-process + Redis',
    );
    expect(external).not.toContain('secret');
  });
});
