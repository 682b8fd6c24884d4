import { Injectable, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { cacheOptions } from '../../config/resource-options';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { AppCacheModule } from './cache.module';
import { CacheService } from './cache.service';
import { Cached, bindCachedMethods } from './cached.decorator';
import { CacheTestDepsModule } from './testing/cache-test-module';
import { RecordingLogger, testConfig } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

@Injectable()
class ItemsService {
  readonly calls: string[] = [];
  private readonly suffix = '!';

  @Cached({ ttl: 60 })
  async find(id: number): Promise<{ id: number; name: string }> {
    this.calls.push(`find:${id}`);
    await new Promise((resolve) => setImmediate(resolve));
    return { id, name: `item ${id}${this.suffix}` };
  }

  @Cached({ ttl: 60, key: (id: number) => `item:${id}` })
  async byKey(id: number): Promise<number> {
    this.calls.push(`byKey:${id}`);
    return id * 2;
  }

  @Cached({ key: 'models:list' })
  async list(): Promise<string[]> {
    this.calls.push('list');
    return ['a', 'b'];
  }

  @Cached({ key: (text: string) => text })
  async badKey(text: string): Promise<string> {
    this.calls.push(`badKey:${text}`);
    return text;
  }

  async plain(): Promise<number> {
    this.calls.push('plain');
    return 1;
  }
}

describe('@Cached', () => {
  let cache: TieredCache;
  let items: ItemsService;

  beforeEach(() => {
    cache = new TieredCache({ sweepIntervalMs: 0, logger: new RecordingLogger() });
    items = new ItemsService();
  });

  it('does nothing until bound', async () => {
    await items.find(1);
    await items.find(1);
    expect(items.calls).toEqual(['find:1', 'find:1']);
  });

  it('once bound, caches by arguments and keeps `this`', async () => {
    expect(bindCachedMethods(items, cache).sort()).toEqual(['badKey', 'byKey', 'find', 'list']);
    await expect(items.find(1)).resolves.toEqual({ id: 1, name: 'item 1!' });
    await expect(items.find(1)).resolves.toEqual({ id: 1, name: 'item 1!' });
    await items.find(2);
    expect(items.calls).toEqual(['find:1', 'find:2']);
    await items.plain();
    await items.plain();
    expect(items.calls.filter((c) => c === 'plain')).toHaveLength(2);
  });

  it('runs the method once for concurrent calls with the same arguments', async () => {
    bindCachedMethods(items, cache);
    const results = await Promise.all(Array.from({ length: 20 }, () => items.find(7)));
    expect(new Set(results.map((r) => r.name))).toEqual(new Set(['item 7!']));
    expect(items.calls).toEqual(['find:7']);
  });

  it('uses the key function, or a fixed key for a method without arguments', async () => {
    bindCachedMethods(items, cache);
    await items.byKey(21);
    await expect(cache.get('item:21')).resolves.toBe(42);
    await items.list();
    await expect(cache.get('models:list')).resolves.toEqual(['a', 'b']);
  });

  it('runs uncached, warning once, when the key function gives an invalid key', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    bindCachedMethods(items, cache);
    await expect(items.badKey('has spaces')).resolves.toBe('has spaces');
    await expect(items.badKey('has spaces')).resolves.toBe('has spaces');
    expect(items.calls).toEqual(['badKey:has spaces', 'badKey:has spaces']);
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('badKey'))).toHaveLength(1);
    warn.mockRestore();
  });

  it('runs uncached while the cache is shut down', async () => {
    const service = new CacheService(cacheOptions(testConfig()), new ResourceRegistry());
    bindCachedMethods(items, service);
    await service.init();
    await service.shutdown();
    await expect(items.find(1)).resolves.toEqual({ id: 1, name: 'item 1!' });
    await expect(items.find(1)).resolves.toEqual({ id: 1, name: 'item 1!' });
    expect(items.calls).toEqual(['find:1', 'find:1']);
  });

  it('binding twice does not wrap twice', async () => {
    bindCachedMethods(items, cache);
    expect(bindCachedMethods(items, cache)).toEqual([]);
  });

  it('refuses to decorate something that is not a method', () => {
    expect(() => Cached()({}, 'x', { value: undefined })).toThrow(TypeError);
  });
});

describe('@Cached in a Nest app', () => {
  async function boot() {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheTestDepsModule.forRoot(testConfig()),
        AppCacheModule.forRoot(cacheOptions(testConfig())),
      ],
      providers: [ItemsService],
    }).compile();
    await moduleRef.init();
    return moduleRef;
  }

  it('binds decorated provider methods to the app’s CacheService at start-up', async () => {
    const app = await boot();
    const items = app.get(ItemsService);
    await items.find(1);
    await items.find(1);
    expect(items.calls).toEqual(['find:1']);
    expect(app.get(CacheService).stats().size).toBe(1);
    await app.close();
  });

  it('two apps in one process each use their own cache', async () => {
    const [one, two] = await Promise.all([boot(), boot()]);
    await one.get(ItemsService).byKey(1);
    await expect(one.get(CacheService).get('item:1')).resolves.toBe(2);
    await expect(two.get(CacheService).get('item:1')).resolves.toBeUndefined();
    await Promise.all([one.close(), two.close()]);
  });
});
