import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheService } from '../src/resources/cache/cache.service';
import {
  TestApp,
  TestDatabase,
  adminHeaders,
  bootTestApp,
  createTestDatabase,
} from './support/test-app';

const CACHE = '/api/v14/resources/cache';
const caption = {
  content_description: 'A lighthouse in a storm, waves over the rocks',
  style: 'inspirational',
  hashtag_count: 3,
};

/**
 * Issue 12: without REDIS_URL the cache's second level is the file storage, so the embedded
 * default keeps its cache across restarts. One app writes a caption and an admin entry, closes,
 * and a new app on the same DATA_DIR (and database) answers both from the disk.
 */
describe('disk cache tier without Redis (e2e, real PostgreSQL, no Redis)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cache-disk-e2e-'));
  let database: TestDatabase;
  let app: TestApp | undefined;

  const boot = async (): Promise<TestApp> =>
    bootTestApp({ DATABASE_URL: database.url, REDIS_URL: '', DATA_DIR: dataDir });
  const status = async (t: TestApp) =>
    (await t.request({ method: 'GET', url: `${CACHE}/status` })).json();
  const generate = (t: TestApp) =>
    t.request({ method: 'POST', url: '/api/v14/captions/generate', payload: caption });

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the first start caches on the disk', async () => {
    app = await boot();
    expect(app.app.get(CacheService).dependsOn).toContain('storage');
    expect((await status(app)).l2).toMatchObject({
      enabled: true,
      backend: 'disk',
      state: 'up',
      errors: 0,
    });

    const first = await generate(app);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ cached: false });
    const written = await app.request({
      method: 'POST',
      url: `${CACHE}/greeting`,
      payload: { value: { text: 'hello' }, ttl: 600 },
      headers: adminHeaders,
    });
    expect(written.statusCode).toBe(201);

    await app.close(); // the cache's writes land before the storage closes
    app = undefined;
    const files = await readdir(join(dataDir, 'storage'));
    expect(files.filter((f) => /^cache-cache-[0-9a-f]{64}$/.test(f))).toHaveLength(2);
  });

  it('a new app on the same folder answers from the disk cache', async () => {
    app = await boot();
    const before = (await status(app)).l2.hits;

    const again = await generate(app);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ cached: true });

    const read = await app.request({
      method: 'GET',
      url: `${CACHE}/greeting`,
      headers: adminHeaders,
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ key: 'greeting', value: { text: 'hello' } });
    expect(read.json().ttl_remaining).toBeGreaterThan(0);
    expect(read.json().ttl_remaining).toBeLessThanOrEqual(600);

    const after = await status(app);
    expect(after.l2).toMatchObject({ backend: 'disk', state: 'up', errors: 0 });
    expect(after.l2.hits).toBe(before + 2);
  });
});
