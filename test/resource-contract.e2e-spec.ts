import { Server, createServer } from 'node:http';
import { CacheService } from '../src/resources/cache/cache.service';
import { DatabaseService } from '../src/resources/database/database.service';
import { HttpPoolService } from '../src/resources/http-pool/http-pool.service';
import { ModelPoolService } from '../src/resources/model-pool/model-pool.service';
import { RedisService } from '../src/resources/redis/redis.service';
import { describeResourceContract } from './support/resource-contract';
import { TestApp, bootTestApp, createTestDatabase } from './support/test-app';

/** Every managed resource of the real app, each run through the same lifecycle contract. */
describe('managed resources (e2e: real PostgreSQL, Redis, HTTP upstream, caption-local)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let upstream: Server;
  let upstreamUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    upstream = createServer((_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/`;
    t = await bootTestApp({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await t?.close();
    upstream?.close();
    await db?.drop();
  });

  describeResourceContract('database', {
    resource: () => t.app.get(DatabaseService),
    use: () => t.app.get(DatabaseService).query('SELECT 1'),
  });

  describeResourceContract('redis', {
    resource: () => t.app.get(RedisService),
    use: () => t.app.get(RedisService).run((c) => c.ping()),
  });

  describeResourceContract('http_client', {
    resource: () => t.app.get(HttpPoolService),
    use: () => t.app.get(HttpPoolService).request({ method: 'GET', url: upstreamUrl }),
  });

  describeResourceContract('cache', {
    resource: () => t.app.get(CacheService),
    use: async () => {
      const cache = t.app.get(CacheService);
      await cache.set('contract', { n: 1 });
      return cache.get('contract');
    },
  });

  describeResourceContract('ai_model', {
    resource: () => t.app.get(ModelPoolService),
    use: () =>
      t.app.get(ModelPoolService).generateCaption({
        content_description: 'A red bicycle against a blue wall',
        style: 'casual',
        hashtag_count: 2,
        language: 'en',
        max_length: 200,
      }),
  });
});
