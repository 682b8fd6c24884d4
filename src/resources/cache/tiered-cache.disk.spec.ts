import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageService } from '../storage/storage.service';
import { createStorage, tempFolder } from '../storage/testing/storage.fixture';
import { TieredCacheOptions } from './cache.types';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/**
 * The disk tier: without Redis, L2 is the file storage, so a new TieredCache over the same
 * folder (a restart) finds what the last one wrote. Real files in a temporary folder; the
 * wall clock (which both the storage's expiry and the entries' use) is held still by a spy on
 * Date.now and moved by the test, never waited for.
 */
describe('TieredCache on the disk tier', () => {
  let folder: ReturnType<typeof tempFolder>;
  let storage: StorageService;
  let cache: TieredCache;
  const open: { storage: StorageService; cache: TieredCache }[] = [];

  /** A storage and a cache over the folder, as one process start builds them. */
  async function start(options: TieredCacheOptions = {}): Promise<void> {
    storage = createStorage(folder.dir).storage;
    await storage.init();
    cache = new TieredCache({
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
      disk: storage,
      ...options,
    });
    await cache.start();
    open.push({ storage, cache });
  }

  /** Closes the cache (its disk writes land) and the storage, then starts anew on the folder. */
  async function restart(options: TieredCacheOptions = {}): Promise<void> {
    await cache.close();
    await storage.shutdown();
    await start(options);
  }

  let clock: jest.SpyInstance<number, []>;
  let startedAt: number;

  /** Sets the wall clock to `ms` after the test's start. */
  function later(ms: number): void {
    clock.mockReturnValue(startedAt + ms);
  }

  beforeEach(async () => {
    startedAt = Date.now();
    clock = jest.spyOn(Date, 'now').mockReturnValue(startedAt);
    folder = tempFolder();
    await start();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const o of open.splice(0)) {
      await o.cache.close();
      await o.storage.shutdown();
    }
    await folder.remove();
  });

  it('serves after a restart what was set before it, as an L2 hit', async () => {
    await cache.set('caption:a@b=c+d', { caption: 'hi' }, { ttl: 60 });
    await restart();

    await expect(cache.get('caption:a@b=c+d')).resolves.toEqual({ caption: 'hi' });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 0 });
    expect(cache.stats().l2).toMatchObject({
      enabled: true,
      backend: 'disk',
      state: 'up',
      hits: 1,
      misses: 0,
      errors: 0,
    });
    // The hit refilled L1: the next read does not touch the disk.
    await cache.get('caption:a@b=c+d');
    expect(cache.stats().l2.hits).toBe(1);
  });

  it('keeps one file per key, named by namespace and hash, with the key inside', async () => {
    await cache.set('user:1', 'one');
    const names = await readdir(folder.dir);
    expect(names).toEqual([expect.stringMatching(/^cache-cache-[0-9a-f]{64}$/)]);
    const text = (await readFile(join(folder.dir, names[0]))).toString('utf8');
    expect(text).toContain('"k":"user:1"');
    expect(text).toContain('"v":"one"');
  });

  it('a getOrSet load lands on the disk, and the restarted cache skips the loader', async () => {
    await expect(cache.getOrSet('k', async () => 'loaded', { ttl: 60 })).resolves.toBe('loaded');
    await restart();
    const loader = jest.fn(async () => 'again');
    await expect(cache.getOrSet('k', loader, { ttl: 60 })).resolves.toBe('loaded');
    expect(loader).not.toHaveBeenCalled();
  });

  it('takes no lease: with `lease` the loader runs once and its value is kept', async () => {
    const loader = jest.fn(async () => 'v');
    const calls = [1, 2, 3].map(() => cache.getOrSet('k', loader, { lease: true }));
    await expect(Promise.all(calls)).resolves.toEqual(['v', 'v', 'v']);
    expect(loader).toHaveBeenCalledTimes(1);
    await restart();
    await expect(cache.get('k')).resolves.toBe('v');
  });

  it('an entry past its TTL is a miss after a restart', async () => {
    await cache.set('k', 'v', { ttl: 5 });
    await restart();
    later(5_001);
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(cache.stats().l2).toMatchObject({ hits: 0, misses: 1 });
  });

  it('keeps the remaining TTL across a restart, not a fresh one', async () => {
    await cache.set('k', 'v', { ttl: 100 });
    later(40_000);
    await restart();
    await expect(cache.inspect('k')).resolves.toEqual({ value: 'v', ttlRemainingMs: 60_000 });
  });

  it('serves a stale value under grace after a restart when the loader fails', async () => {
    await cache.set('k', 'old', { ttl: 5, grace: 600 });
    await restart();
    later(10_000); // stale, inside the grace
    const failing = jest.fn().mockRejectedValue(new Error('database down'));
    await expect(cache.getOrSet('k', failing, { ttl: 5, grace: 600 })).resolves.toBe('old');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(cache.stats().grace_hits).toBe(1);
    await expect(cache.get('k')).resolves.toBeUndefined(); // stale: never a get() hit
  });

  it('del removes the file: the next start misses', async () => {
    await cache.set('k', 'v');
    await expect(cache.del('k')).resolves.toBe(true);
    expect(await readdir(folder.dir)).toEqual([]);
    await restart();
    await expect(cache.get('k')).resolves.toBeUndefined();
    await expect(cache.del('k')).resolves.toBe(false);
  });

  it("clear removes this namespace's files only", async () => {
    await cache.set('k', 'mine');
    await cache.set('j', 'mine too');
    // This namespace's prefix, `cache-cache-`, also begins the names of namespace `cache-a`'s
    // files (`cache-cache-a-…`): a file is ours only when a whole hash follows the prefix.
    const other = new TieredCache({ sweepIntervalMs: 0, namespace: 'cache-a', disk: storage });
    await other.set('k', 'theirs');
    await storage.write('notes.txt', 'not the cache');

    await expect(cache.clear()).resolves.toEqual({ l1: 2, l2: 2 });
    expect(storage.list().map((f) => f.name)).toEqual([
      expect.stringMatching(/^cache-cache-a-[0-9a-f]{64}$/),
      'notes.txt',
    ]);
    await restart();
    await expect(cache.get('k')).resolves.toBeUndefined();
    const again = new TieredCache({ sweepIntervalMs: 0, namespace: 'cache-a', disk: storage });
    await expect(again.get('k')).resolves.toBe('theirs');
  });

  it('a file holding another key (a hash collision) is a miss', async () => {
    await cache.set('k', 'v');
    const [name] = await readdir(folder.dir);
    const forged = `{"k":"not-k","x":${Date.now() + 60_000},"g":0,"v":"wrong"}`;
    await storage.write(name, forged, { ttlS: 60 });
    await restart();
    await expect(cache.get('k')).resolves.toBeUndefined();
    expect(cache.stats().l2).toMatchObject({ hits: 0, misses: 1 });
  });
});
