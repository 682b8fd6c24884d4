import { RedisService } from '../src/resources/redis/redis.service';
import { useOwnRedisServer } from './support/processes';
import { eventually, useTestApp } from './support/test-app';

describe('Redis stopped and restarted under the app (e2e, own redis-server)', () => {
  const redis = useOwnRedisServer();
  const t = useTestApp(() => ({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '500' }));

  const redisStatus = async () =>
    (await t.request({ method: 'GET', url: '/api/v14/resources/pools/redis/status' })).json();

  it('keeps serving while Redis is down and reconnects by itself when it returns', async () => {
    const service = t.app.get(RedisService);
    await expect(service.run((c) => c.set(service.key('probe'), '1'))).resolves.toBe('OK');

    await redis.stop();
    expect(await eventually(async () => (await redisStatus()).state === 'error')).toBe(true);
    // Commands fail fast instead of queueing while Redis is away.
    await expect(service.run((c) => c.get(service.key('probe')))).rejects.toThrow();
    expect((await t.request({ method: 'GET', url: '/api/v14/health/live' })).statusCode).toBe(200);
    const ready = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
    expect(ready.json().info?.redis ?? ready.json().details?.redis).toMatchObject({ status: 'up' });
    expect(ready.json().details.database).toMatchObject({ status: 'up' });

    await redis.restart();
    expect(await eventually(async () => (await redisStatus()).state === 'ready', 20_000)).toBe(
      true,
    );
    await expect(service.run((c) => c.set(service.key('probe'), '2'))).resolves.toBe('OK');
    expect((await redisStatus()).errors).toBeGreaterThan(0);
  }, 60_000);
});
