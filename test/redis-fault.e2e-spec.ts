import { RedisService } from '../src/resources/redis/redis.service';
import { useOwnRedisServer } from './support/processes';
import { useTcpProxy } from './support/tcp-proxy';
import { TEST_REDIS_URL, eventually, useTestApp } from './support/test-app';

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

describe('Redis hung behind a proxy (e2e): every byte held, then released', () => {
  const redis = useTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379));
  const t = useTestApp(() => ({
    REDIS_URL: `redis://127.0.0.1:${redis.proxy.port}`,
    REDIS_COMMAND_TIMEOUT_MS: '300',
  }));

  const generate = (description: string) =>
    t.request({
      method: 'POST',
      url: '/api/v14/captions/generate',
      payload: { content_description: description, style: 'casual' },
    });

  it('answers cached and uncached captions without a 5xx, and recovers by itself', async () => {
    expect((await generate('Fog over the bay, hung Redis')).statusCode).toBe(201);
    redis.proxy.pause();
    try {
      const answers = await Promise.all([
        generate('Fog over the bay, hung Redis'),
        generate('A different caption while Redis hangs'),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
      expect(answers[0].json().cached).toBe(true);
      const ready = await t.request({ method: 'GET', url: '/api/v14/health/ready' });
      expect(ready.statusCode).toBe(200);
    } finally {
      redis.proxy.resume();
    }
    const status = async () =>
      (await t.request({ method: 'GET', url: '/api/v14/resources/pools/redis/status' })).json();
    expect(await eventually(async () => (await status()).state === 'ready', 20_000)).toBe(true);
  }, 60_000);
});
