import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptionWriter } from '../src/captions/caption-writer';
import { CacheService } from '../src/resources/cache/cache.service';
import { DatabaseService } from '../src/resources/database/database.service';
import { HttpPoolService } from '../src/resources/http-pool/http-pool.service';
import { ModelPoolService } from '../src/resources/model-pool/model-pool.service';
import { RedisService } from '../src/resources/redis/redis.service';
import { StorageService } from '../src/resources/storage/storage.service';
import { describeResourceContract } from './support/resource-contract';
import { ResourceType } from '../src/resources/registry/resource-state';
import { TestApp, bootTestApp, createTestDatabase } from './support/test-app';

/** Every managed resource of the real app, each run through the same lifecycle contract. */
describe('managed resources (e2e: real PostgreSQL, Redis, HTTP upstream, caption-local)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let upstream: Server;
  let upstreamUrl: string;
  const storageDir = mkdtempSync(join(tmpdir(), 'storage-contract-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    upstream = createServer((_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/`;
    t = await bootTestApp({ DATABASE_URL: db.url, STORAGE_DIR: storageDir });
  });
  afterAll(async () => {
    await t?.close();
    upstream?.close();
    await db?.drop();
    await rm(storageDir, { recursive: true, force: true });
  });

  const latency = { latency_ms: expect.any(Number) };

  describeResourceContract('database', {
    type: ResourceType.DATABASE,
    resource: () => t.app.get(DatabaseService),
    use: () => t.app.get(DatabaseService).query('SELECT 1 AS one'),
    result: [{ one: 1 }],
    health: { status: 'healthy', details: latency },
    stats: {
      name: 'database',
      type: 'database',
      embedded: false,
      url: expect.stringMatching(/^postgres(ql)?:\/\//),
      pool: expect.objectContaining({ size: expect.any(Number), max: expect.any(Number) }),
    },
  });

  describeResourceContract('redis', {
    type: ResourceType.REDIS,
    resource: () => t.app.get(RedisService),
    use: () => t.app.get(RedisService).run((c) => c.ping()),
    result: 'PONG',
    health: { status: 'healthy', details: latency },
    stats: {
      name: 'redis',
      type: 'redis',
      mode: 'standalone',
      pool_size: 2,
      url: expect.stringMatching(/^redis:\/\//),
    },
  });

  describeResourceContract('http', {
    type: ResourceType.HTTP_CLIENT,
    resource: () => t.app.get(HttpPoolService),
    use: () => t.app.get(HttpPoolService).request({ method: 'GET', url: upstreamUrl }),
    result: expect.objectContaining({ status: 200, data: { ok: true } }),
    health: { status: 'healthy', details: { usage_percent: expect.any(Number), in_flight: 0 } },
    stats: {
      name: 'http',
      type: 'http_client',
      in_flight: 0,
      max_connections: expect.any(Number),
      requests: expect.any(Number),
    },
  });

  describeResourceContract('cache', {
    type: ResourceType.CACHE,
    resource: () => t.app.get(CacheService),
    use: async () => {
      const cache = t.app.get(CacheService);
      await cache.set('contract', { n: 1 });
      return cache.get('contract');
    },
    result: { n: 1 },
    health: { status: 'healthy', details: { size: expect.any(Number), l2: 'up' } },
    stats: { size: expect.any(Number), max_size: expect.any(Number), hits: expect.any(Number) },
  });

  describeResourceContract('models', {
    type: ResourceType.AI_MODEL,
    resource: () => t.app.get(ModelPoolService),
    use: () =>
      t.app.get(CaptionWriter).generateCaption({
        content_description: 'A red bicycle against a blue wall',
        style: 'casual',
        hashtag_count: 2,
        language: 'en',
        max_length: 200,
      }),
    result: {
      caption: expect.any(String),
      hashtags: [expect.stringMatching(/^#\w+$/), expect.stringMatching(/^#\w+$/)],
      model: 'caption-local',
      fallback: false,
    },
    health: {
      status: 'healthy',
      details: {
        loaded: ['caption-local'],
        memory_used_mb: expect.any(Number),
        memory_limit_mb: expect.any(Number),
      },
    },
    stats: { name: 'models', type: 'ai_model', models: expect.any(Array) },
  });

  describeResourceContract('storage', {
    type: ResourceType.FILE_STORAGE,
    resource: () => t.app.get(StorageService),
    use: async () => {
      const storage = t.app.get(StorageService);
      await storage.write('contract.txt', 'stored');
      return (await storage.read('contract.txt'))?.toString('utf8');
    },
    result: 'stored',
    health: {
      status: 'healthy',
      details: { files: expect.any(Number), usage_percent: expect.any(Number) },
    },
    stats: {
      name: 'storage',
      type: 'file_storage',
      path: storageDir,
      files: expect.any(Number),
      used_bytes: expect.any(Number),
      quota_bytes: 1024 * 1024 * 1024,
      usage_percent: expect.any(Number),
    },
  });
});
