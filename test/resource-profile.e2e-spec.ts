import { useTestApp } from './support/test-app';

/** RESOURCE_PROFILE=small through the real app: the status endpoints show the values in force. */
describe('RESOURCE_PROFILE=small (e2e)', () => {
  const t = useTestApp({
    RESOURCE_PROFILE: 'small',
    // The test defaults pin small pools; unset them so the preset decides...
    DATABASE_POOL_SIZE: undefined,
    DATABASE_MAX_OVERFLOW: undefined,
    // ...except this one, set explicitly, which must win over the preset's 10.
    REDIS_POOL_SIZE: '3',
  });

  const status = async (path: string) =>
    (await t.request({ method: 'GET', url: `/api/v14/resources/${path}` })).json();

  it('sizes every pool and the cache from the preset, explicit variables winning', async () => {
    expect((await status('pools/database/status')).pool).toMatchObject({ size: 10 });
    expect(await status('pools/http/status')).toMatchObject({ max_connections: 50 });
    expect(await status('pools/redis/status')).toMatchObject({ pool_size: 3 });
    expect(await status('cache/status')).toMatchObject({ max_size: 5000 });
    expect(await status('models/status')).toMatchObject({ cache_size: 5 });
    expect(await status('monitoring/stats')).toMatchObject({ resource_profile: 'small' });
  });
});
