import { StorageService } from '../storage/storage.service';
import { createStorage, tempFolder } from '../storage/testing/storage.fixture';
import { RecordingLogger, eventually } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';
import { QUOTA_FULL_WARNING } from './tiered-cache.disk-data';

/**
 * The disk tier is best effort like Redis: a full quota or a storage that does not answer is
 * absorbed (counted, logged once) and the cache carries on from L1, and the disk never serves
 * a value older than the one L1 had. Real files in a temporary folder.
 */
describe('TieredCache on the disk tier, when the disk fails', () => {
  let folder: ReturnType<typeof tempFolder>;
  let storage: StorageService;
  let logger: RecordingLogger;
  let cache: TieredCache;

  /** One MiB of quota; values up to two MiB, so the disk is what refuses a big one. */
  async function start(): Promise<void> {
    storage = createStorage(folder.dir, { STORAGE_QUOTA_MB: '1' }).storage;
    await storage.init();
    logger = new RecordingLogger();
    cache = new TieredCache({
      sweepIntervalMs: 0,
      maxValueBytes: 2 * 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
      disk: storage,
      logger,
    });
    await cache.start();
  }

  async function restart(): Promise<void> {
    await cache.close();
    await storage.shutdown();
    await start();
  }

  beforeEach(async () => {
    folder = tempFolder();
    await start();
  });

  afterEach(async () => {
    await cache.close();
    await storage.shutdown();
    await folder.remove();
  });

  const big = 'x'.repeat(1_100_000); // over the whole quota

  it('absorbs a write the quota refuses: served from L1, counted, warned once, disk not down', async () => {
    await expect(cache.set('k', big)).resolves.toBeUndefined();
    await expect(cache.set('j', big)).resolves.toBeUndefined();

    await expect(cache.get('k')).resolves.toBe(big);
    expect(cache.stats().l2).toMatchObject({ backend: 'disk', state: 'up', errors: 2 });
    expect(logger.count('warn', QUOTA_FULL_WARNING)).toBe(1);
    expect(logger.count('warn', 'unavailable')).toBe(0);
  });

  it('drops the older file of a key whose new value the quota refuses', async () => {
    await cache.set('k', 'old');
    await cache.set('k', big);
    expect(storage.list()).toEqual([]);
    await restart();
    await expect(cache.get('k')).resolves.toBeUndefined(); // not 'old'
  });

  it('other keys keep working on the disk after a refused write', async () => {
    await cache.set('k', big);
    await cache.set('small', 'fits');
    await restart();
    await expect(cache.get('small')).resolves.toBe('fits');
  });

  it('absorbs a storage that does not answer, and deletes on recovery what it missed', async () => {
    await cache.set('kept', 'v');
    await cache.set('k', 'old');
    await storage.shutdown(); // calls now fail with ResourceUnavailableError

    await expect(cache.set('k', 'new')).resolves.toBeUndefined();
    await expect(cache.get('k')).resolves.toBe('new'); // from L1
    expect(cache.stats().l2).toMatchObject({ state: 'down', errors: 1 });
    expect(logger.count('warn', 'L2 (disk) unavailable')).toBe(1);

    await storage.init();
    await expect(cache.get('other')).resolves.toBeUndefined(); // the call that finds it back
    expect(logger.count('log', 'L2 (disk) is back')).toBe(1);
    // The missed write left 'old' on the disk: the replay deletes it, and only it (writes that
    // landed are not remembered: without Redis there is nothing to publish).
    await eventually(() => logger.count('log', 're-applying 1 deletes') === 1, 5_000, 'the replay');
    await restart();
    await expect(cache.get('k')).resolves.toBeUndefined();
    await expect(cache.get('kept')).resolves.toBe('v');
  });
});
