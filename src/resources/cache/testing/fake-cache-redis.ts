import { createHash } from 'node:crypto';
import { CacheRedis } from '../cache.types';
import { TieredCache } from '../tiered-cache';
import { RecordingLogger } from './redis-test-support';

/** The commands the fake can be told to fail (`subscribe` and `publish` are the pool's own). */
export type FakeCommand =
  'get' | 'pttl' | 'set' | 'unlink' | 'scan' | 'eval' | 'evalsha' | 'publish' | 'subscribe';

/**
 * An in-memory stand-in for the Redis pool, shared by several caches as one Redis would be: a
 * key/value map, a pub/sub bus, and commands that fail while the test says so. Every message
 * published is recorded, and `published()` resolves when the next one goes out, so tests wait
 * for an event instead of a delay.
 */
export class FakeCacheRedis {
  readonly store = new Map<string, string>();
  /** Messages delivered on the bus, in order. */
  readonly messages: string[] = [];
  /** Commands that throw while listed here. */
  readonly failing = new Set<FakeCommand>();
  /** The options (PX ms, NX) of the last SET of each key. */
  readonly setOptions = new Map<string, unknown[]>();
  /** Commands that throw the next so many times (then work again). */
  readonly failNext = new Map<FakeCommand, number>();
  /** Calls per command, failed ones included. */
  readonly calls: Record<FakeCommand, number> = {
    get: 0,
    pttl: 0,
    set: 0,
    unlink: 0,
    scan: 0,
    eval: 0,
    evalsha: 0,
    publish: 0,
    subscribe: 0,
  };

  /** SHA1s of the scripts EVAL has run, which EVALSHA can then run (Redis's script cache). */
  readonly scripts = new Set<string>();

  /** Commands held until the test releases them (see `hold`). */
  private readonly gates = new Map<FakeCommand, Promise<void>>();
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly waiters: (() => void)[] = [];

  /** The CacheRedis one cache instance uses (each instance may get its own, same data). */
  readonly redis: CacheRedis;

  constructor() {
    const client = {
      get: async (key: string) => this.command('get', () => this.store.get(key) ?? null),
      pttl: async (key: string) => this.command('pttl', () => (this.store.has(key) ? 60_000 : -2)),
      /** SET key value PX ms [NX]: the expiry is not modelled (fake timers drive L1 only). */
      set: async (key: string, value: string, ...options: unknown[]) =>
        this.command('set', () => {
          if (options.includes('NX') && this.store.has(key)) return null;
          this.store.set(key, value);
          this.setOptions.set(key, options);
          return 'OK';
        }),
      unlink: async (...keys: string[]) =>
        this.command('unlink', () => keys.filter((k) => this.store.delete(k)).length),
      scan: async (_cursor: string, _match: 'MATCH', pattern: string) =>
        this.command('scan', () => [
          '0',
          [...this.store.keys()].filter((k) => k.startsWith(pattern.slice(0, -1))),
        ]),
      /** Only the cache's lease release script: delete KEYS[1] if it still holds ARGV[1]. */
      eval: async (script: string, _keys: number, key: string, token: string) =>
        this.command('eval', () => {
          this.scripts.add(createHash('sha1').update(script).digest('hex'));
          return this.releaseIfHeld(key, token);
        }),
      /** The release script by SHA1; NOSCRIPT, as Redis answers, until EVAL has run it. */
      evalsha: async (sha: string, _keys: number, key: string, token: string) =>
        this.command('evalsha', () => {
          if (!this.scripts.has(sha)) throw new Error('NOSCRIPT No matching script.');
          return this.releaseIfHeld(key, token);
        }),
    };
    const redis = {
      enabled: true,
      available: true,
      key: (...parts: string[]) => `t:${parts.join(':')}`,
      run: async (fn: (c: typeof client) => Promise<unknown>) => fn(client),
      publish: async (channel: string, message: string) =>
        this.command('publish', () => {
          this.messages.push(message);
          const set = this.handlers.get(channel) ?? new Set();
          set.forEach((handler) => handler(message));
          this.waiters.splice(0).forEach((wake) => wake());
          return set.size;
        }),
      subscribe: async (channel: string, handler: (message: string) => void) =>
        this.command('subscribe', () => {
          const set = this.handlers.get(channel) ?? new Set();
          set.add(handler);
          this.handlers.set(channel, set);
          return async () => void set.delete(handler);
        }),
    };
    this.redis = redis as unknown as CacheRedis;
  }

  /**
   * Holds every `command` issued from now on until the returned function is called (each then
   * runs, or fails if listed in `failing`, at that moment).
   */
  hold(command: FakeCommand): () => void {
    let release!: () => void;
    this.gates.set(command, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.gates.delete(command);
      release();
    };
  }

  /** Resolves once the next message has been published (and delivered). */
  published(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The Redis key of cache key `key` in namespace `cache`. */
  keyOf(key: string): string {
    return `t:cache:${key}`;
  }

  /** Messages published so far, parsed. */
  parsedMessages(): { i: string; k?: string[]; all?: boolean }[] {
    return this.messages.map((m) => JSON.parse(m) as { i: string; k?: string[]; all?: boolean });
  }

  private releaseIfHeld(key: string, token: string): number {
    return this.store.get(key) === token ? Number(this.store.delete(key)) : 0;
  }

  private async command<T>(name: FakeCommand, run: () => T): Promise<T> {
    this.calls[name]++;
    const gate = this.gates.get(name);
    if (gate) await gate;
    const next = this.failNext.get(name) ?? 0;
    if (next > 0) this.failNext.set(name, next - 1);
    if (this.failing.has(name) || next > 0) throw new Error(`${name}: connect ECONNREFUSED`);
    return run();
  }
}

/**
 * One TieredCache on a fresh FakeCacheRedis for each test of the enclosing describe, with fake
 * timers, no background sweep and a recording logger; closed after each test. `options` adds to
 * (or overrides) those settings.
 */
export function useCacheOnFakeRedis(
  options: Partial<ConstructorParameters<typeof TieredCache>[0]> = {},
): { readonly bus: FakeCacheRedis; readonly cache: TieredCache } {
  let bus: FakeCacheRedis | undefined;
  let cache: TieredCache | undefined;
  beforeEach(async () => {
    jest.useFakeTimers();
    bus = new FakeCacheRedis();
    cache = new TieredCache({
      redis: bus.redis,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
      ...options,
    });
    await cache.start();
  });
  afterEach(async () => {
    await cache?.close();
    jest.useRealTimers();
  });
  return {
    get bus() {
      if (!bus) throw new Error('use the fake Redis inside a test');
      return bus;
    },
    get cache() {
      if (!cache) throw new Error('use the cache inside a test');
      return cache;
    },
  };
}
