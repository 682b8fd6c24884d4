import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InsufficientStorageError,
  InvalidInputError,
  ResourceUnavailableError,
} from '../../common/errors/app-errors';
import { validateConfig } from '../../config/app-config';
import { storageOptions } from '../../config/resource-options';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState, ResourceType } from '../registry/resource-state';
import { TEMP_PREFIX } from './storage.constants';
import { HEADER_BYTES, StorageFs, encodeHeader, realFs } from './storage.files';
import { StorageService } from './storage.service';
import { createStorage, tempFolder } from './testing/storage.fixture';

const MB = 1024 * 1024;

describe('StorageService', () => {
  let folder: ReturnType<typeof tempFolder>;
  let storage: StorageService;

  beforeEach(() => {
    folder = tempFolder();
  });
  afterEach(async () => {
    await storage?.shutdown();
    jest.useRealTimers();
    await folder.remove();
  });

  const open = async (env: Record<string, string> = {}, fs?: StorageFs) => {
    storage = createStorage(folder.dir, env, fs).storage;
    await storage.init();
    return storage;
  };
  const onDisk = () => readdirSync(folder.dir).sort();

  it('registers itself as the optional file_storage resource storage, with no dependencies', () => {
    const { storage: fresh, registry } = createStorage(folder.dir);
    storage = fresh;
    expect(registry.get('storage')).toBe(fresh);
    expect(fresh).toMatchObject({ name: 'storage', type: ResourceType.FILE_STORAGE });
    expect(fresh.required).toBe(false);
    expect(fresh.dependsOn).toEqual([]);
    expect(fresh.state).toBe(ResourceState.CLOSED);
  });

  it('defaults its folder to DATA_DIR/storage and creates it at init', async () => {
    const config = validateConfig({ NODE_ENV: 'test', DATA_DIR: folder.dir });
    storage = new StorageService(storageOptions(config), new ResourceRegistry());
    expect(storage.path).toBe(join(folder.dir, 'storage'));
    await storage.init();
    expect(existsSync(join(folder.dir, 'storage'))).toBe(true);
  });

  it('writes, reads, lists and deletes files, and counts what it holds', async () => {
    await open();
    await storage.write('a.txt', 'hello');
    await storage.write('b.bin', Buffer.from([0, 1, 2]));
    expect((await storage.read('a.txt'))?.toString('utf8')).toBe('hello');
    expect(await storage.read('b.bin')).toEqual(Buffer.from([0, 1, 2]));
    expect(await storage.read('missing')).toBeUndefined();
    expect(storage.list()).toEqual([
      { name: 'a.txt', bytes: HEADER_BYTES + 5, expires_at: null },
      { name: 'b.bin', bytes: HEADER_BYTES + 3, expires_at: null },
    ]);
    expect(storage.stats()).toMatchObject({ files: 2, used_bytes: 2 * HEADER_BYTES + 8 });

    await storage.write('a.txt', 'hello again');
    expect((await storage.read('a.txt'))?.toString('utf8')).toBe('hello again');
    expect(storage.stats()).toMatchObject({ files: 2, used_bytes: 2 * HEADER_BYTES + 14 });

    expect(await storage.delete('a.txt')).toBe(true);
    expect(await storage.delete('a.txt')).toBe(false);
    expect(onDisk()).toEqual(['b.bin']);
    expect(storage.stats()).toMatchObject({ files: 1, used_bytes: HEADER_BYTES + 3 });
    expect(storage.observe()).toEqual({
      operations: 9,
      errors: 0,
      figures: {
        files: 1,
        used_bytes: HEADER_BYTES + 3,
        quota_bytes: 1024 * MB,
        usage_percent: 0,
      },
    });
  });

  it.each([
    ['..'],
    ['.'],
    ['../escape'],
    ['a/b'],
    ['a\\b'],
    [''],
    ['x'.repeat(201)],
    ['~tmp-1'],
    ['name with space'],
    ['nul\0'],
  ])('refuses the name %j with a typed 400 on every operation', async (name) => {
    await open();
    for (const call of [
      () => storage.write(name, 'x'),
      () => storage.read(name),
      () => storage.delete(name),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(InvalidInputError);
      await expect(call()).rejects.toMatchObject({ status: 400, code: 'E_INVALID_INPUT' });
    }
    expect(onDisk()).toEqual([]);
    expect(existsSync(join(folder.dir, '..', 'escape'))).toBe(false);
  });

  it('accepts plain names of the allowed characters, dotted ones included', async () => {
    await open();
    for (const name of ['.hidden', '..double', 'a.b-c_D9', 'x'.repeat(200)]) {
      await storage.write(name, name);
      expect((await storage.read(name))?.toString('utf8')).toBe(name);
    }
  });

  it('refuses a bad ttlS with a typed 400', async () => {
    await open();
    for (const ttlS of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(storage.write('t', 'x', { ttlS })).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  describe('atomic writes', () => {
    /** Node's fs, with rename failing: a failure between the temp write and the rename. */
    const failingRename: StorageFs = {
      ...realFs,
      rename: () => Promise.reject(Object.assign(new Error('EIO: injected'), { code: 'EIO' })),
    };

    it('a failure before the rename leaves no file under the real name and no temp file', async () => {
      await open({}, failingRename);
      await expect(storage.write('doc.txt', 'new')).rejects.toThrow('injected');
      expect(onDisk()).toEqual([]);
      expect(storage.stats()).toMatchObject({ files: 0, used_bytes: 0 });
      expect(storage.observe()).toMatchObject({ operations: 1, errors: 1 });
    });

    it('a failed overwrite keeps the previous content whole', async () => {
      await open();
      await storage.write('doc.txt', 'old content');
      await storage.shutdown();
      await open({}, failingRename);
      await expect(storage.write('doc.txt', 'new content, longer')).rejects.toThrow('injected');
      expect(onDisk()).toEqual(['doc.txt']);
      expect((await storage.read('doc.txt'))?.toString('utf8')).toBe('old content');
      expect(storage.stats()).toMatchObject({ files: 1, used_bytes: HEADER_BYTES + 11 });
    });

    it('init removes the temp files a crash left, and rebuilds usage from the folder', async () => {
      mkdirSync(folder.dir, { recursive: true });
      writeFileSync(join(folder.dir, `${TEMP_PREFIX}crashed`), 'half a fi');
      writeFileSync(
        join(folder.dir, 'kept'),
        Buffer.concat([encodeHeader(null), Buffer.from('abc')]),
      );
      const later = Date.now() + 3600_000;
      writeFileSync(
        join(folder.dir, 'later'),
        Buffer.concat([encodeHeader(later), Buffer.from('z')]),
      );
      const past = Date.now() - 1000;
      writeFileSync(
        join(folder.dir, 'gone'),
        Buffer.concat([encodeHeader(past), Buffer.from('z')]),
      );
      writeFileSync(join(folder.dir, 'README'), 'not a storage file');
      mkdirSync(join(folder.dir, 'sub'));

      await open();
      expect(onDisk()).toEqual(['README', 'kept', 'later', 'sub']);
      expect(storage.stats()).toMatchObject({ files: 2, used_bytes: 2 * HEADER_BYTES + 4 });
      expect(storage.list().map((f) => f.name)).toEqual(['kept', 'later']);
      expect(storage.list()[1].expires_at).toBe(new Date(later).toISOString());
      expect(await storage.read('README')).toBeUndefined();
      expect((await storage.read('kept'))?.toString('utf8')).toBe('abc');
    });
  });

  describe('quota', () => {
    it('refuses a write past STORAGE_QUOTA_MB with the typed 507, writing nothing', async () => {
      await open({ STORAGE_QUOTA_MB: '1' });
      await storage.write('big', Buffer.alloc(MB - 2 * HEADER_BYTES - 10));
      const refusal = storage.write('more', Buffer.alloc(20));
      await expect(refusal).rejects.toBeInstanceOf(InsufficientStorageError);
      await expect(storage.write('more', Buffer.alloc(20))).rejects.toMatchObject({
        status: 507,
        code: 'E_INSUFFICIENT_STORAGE',
      });
      expect(onDisk()).toEqual(['big']);
      // What fits still goes in, and replacing a file counts only the difference.
      await storage.write('small', Buffer.alloc(10));
      await storage.write('big', Buffer.alloc(MB - 2 * HEADER_BYTES - 10));
      expect(storage.stats()).toMatchObject({ files: 2, used_bytes: MB, usage_percent: 100 });
    });

    it('holds concurrent writes against the quota before they land', async () => {
      await open({ STORAGE_QUOTA_MB: '1' });
      const half = Buffer.alloc(MB / 2);
      const results = await Promise.allSettled([
        storage.write('one', half),
        storage.write('two', half),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(storage.stats().used_bytes).toBeLessThanOrEqual(MB);
    });
  });

  describe('expiry', () => {
    /** Timers and the clock are fake; the file system's callbacks still run. */
    const realIo: Parameters<typeof jest.useFakeTimers>[0] = {
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    };
    // Real file I/O finishes on libuv's thread pool: on a loaded machine it can take many
    // event-loop turns, so wait for the condition over a generous number of turns.
    const settle = async (done: () => boolean) => {
      for (let i = 0; i < 100_000 && !done(); i++) await new Promise((r) => setImmediate(r));
    };

    it('does not serve an expired file; the cleanup removes it every STORAGE_CLEANUP_INTERVAL_S', async () => {
      jest.useFakeTimers(realIo);
      await open({ STORAGE_CLEANUP_INTERVAL_S: '60' });
      await storage.write('short', 'x', { ttlS: 10 });
      await storage.write('long', 'y', { ttlS: 600 });
      await storage.write('forever', 'z');
      expect(storage.list().map((f) => f.name)).toEqual(['forever', 'long', 'short']);

      jest.setSystemTime(Date.now() + 11_000);
      expect(await storage.read('short')).toBeUndefined();
      expect(storage.list().map((f) => f.name)).toEqual(['forever', 'long']);
      expect(onDisk()).toContain('short'); // until the cleanup runs
      expect(storage.stats().files).toBe(3);

      jest.advanceTimersByTime(60_000);
      await settle(() => storage.stats().files === 2);
      expect(onDisk()).toEqual(['forever', 'long']);
      expect(storage.stats()).toMatchObject({ files: 2, used_bytes: 2 * (HEADER_BYTES + 1) });
      expect((await storage.read('long'))?.toString('utf8')).toBe('y');
    });

    it('keeps the expiry across a restart, and removes expired files at init', async () => {
      await open();
      await storage.write('short', 'x', { ttlS: 1 });
      await storage.write('forever', 'z');
      await storage.shutdown();
      jest.useFakeTimers(realIo);
      jest.setSystemTime(Date.now() + 2000);
      await open();
      expect(onDisk()).toEqual(['forever']);
      expect(storage.stats().files).toBe(1);
    });

    it('stops its cleanup timer at shutdown', async () => {
      jest.useFakeTimers(realIo);
      await open();
      expect(jest.getTimerCount()).toBe(1);
      await storage.shutdown();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('health', () => {
    it('is healthy, degraded over 90 % of the quota', async () => {
      await open({ STORAGE_QUOTA_MB: '1' });
      expect(await storage.health()).toEqual({
        status: 'healthy',
        details: { files: 0, usage_percent: 0 },
      });
      await storage.write('big', Buffer.alloc(Math.ceil(0.91 * MB)));
      expect(await storage.health()).toEqual({
        status: 'degraded',
        details: { files: 1, usage_percent: 91 },
      });
    });

    it('is unhealthy (state error) while the folder is not writable, and recovers', async () => {
      await open();
      rmSync(folder.dir, { recursive: true });
      writeFileSync(folder.dir, 'a file where the folder was');
      const health = await storage.health();
      expect(health).toMatchObject({ status: 'unhealthy', details: { path: folder.dir } });
      expect(storage.state).toBe(ResourceState.ERROR);
      expect(storage.stats().last_error).toMatch(/not writable/);

      rmSync(folder.dir);
      mkdirSync(folder.dir);
      expect((await storage.health()).status).toBe('healthy');
      expect(storage.state).toBe(ResourceState.READY);
    });

    it('starts in error when the folder cannot be made, and recovers once it can', async () => {
      rmSync(folder.dir, { recursive: true });
      writeFileSync(folder.dir, 'a file where the folder should be');
      storage = createStorage(folder.dir).storage;
      await storage.startUp(); // optional: does not throw
      expect(storage.state).toBe(ResourceState.ERROR);
      expect(storage.startupPending()).toEqual([]);
      rmSync(folder.dir);
      mkdirSync(folder.dir);
      writeFileSync(
        join(folder.dir, 'kept'),
        Buffer.concat([encodeHeader(null), Buffer.from('k')]),
      );
      expect((await storage.health()).status).toBe('healthy');
      expect(storage.state).toBe(ResourceState.READY);
      expect(storage.stats().files).toBe(1);
    });
  });

  it('refuses every operation after shutdown with the typed 503, and works again after init', async () => {
    await open();
    await storage.write('kept', 'k');
    await storage.shutdown();
    for (const call of [
      () => storage.write('x', 'x'),
      () => storage.read('kept'),
      () => storage.delete('kept'),
      async () => storage.list(),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(ResourceUnavailableError);
    }
    await storage.init();
    expect((await storage.read('kept'))?.toString('utf8')).toBe('k');
  });

  it('self-test: writes, reads back and deletes a probe file per round; cleanup removes leftovers', async () => {
    await open();
    const plan = storage.selfTestPlan();
    expect(plan.operations).toHaveLength(3);
    for (let round = 0; round < 6; round++) {
      for (const op of plan.operations) await op(round);
    }
    expect(onDisk()).toEqual([]);
    await plan.operations[0](7); // a round that failed after its write
    expect(onDisk()).toHaveLength(1);
    await plan.cleanup?.(8);
    expect(onDisk()).toEqual([]);
    expect(storage.observe().operations).toBe(6 * 3 + 1 + 4);
  });
});
