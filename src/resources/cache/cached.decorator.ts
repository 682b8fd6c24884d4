import { Logger } from '@nestjs/common';
import { CACHED_METADATA } from './cache.constants';
import { hashKey, isValidKey } from './cache-value';
import { GetOrSetOptions } from './cache.types';

/** Options of `@Cached()`: the getOrSet options plus how the key is made. */
export interface CachedOptions extends GetOrSetOptions {
  /**
   * A string is a key prefix: with no arguments the key is the prefix itself, otherwise
   * `prefix:<hash of the arguments' JSON>`. A function receives the method's arguments and
   * returns the whole key (it must be a valid key: see KEY_PATTERN; use `hashKey()` for free
   * text). Default prefix: `ClassName.methodName`.
   */
  key?: string | ((...args: never[]) => string);
}

/** What a decorated method needs from the cache (CacheService and TieredCache fit). */
export interface CachedBackend {
  getOrSet<T>(key: string, loader: () => T | Promise<T>, options?: GetOrSetOptions): Promise<T>;
  /** When true, calls go straight to the method (the cache is shut down). */
  readonly closed?: boolean;
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/** Marks functions already wrapped, so binding twice is harmless. */
const WRAPPED = Symbol('cached-wrapped');

const logger = new Logger('Cached');
const warned = new Set<string>();

/**
 * Caches an async provider method's result through the shared cache (v14's `@with_cache`):
 * concurrent calls with the same arguments run the method once, later calls are answered from
 * the cache until `ttl` (seconds) runs out. Any getOrSet option applies (grace, timeouts,
 * lease). The method's result must be JSON; it is returned JSON-normalised (a Date comes back
 * as a string), the same on a miss as on a hit.
 *
 * In the Nest app, AppCacheModule binds decorated methods of singleton providers at start-up
 * (request-scoped providers are skipped with a warning). Outside Nest, call
 * `bindCachedMethods(instance, cache)`. Until bound, and while the cache is shut down, the
 * method runs uncached. A key that cannot be built or is invalid also runs it uncached, with
 * one warning per method.
 */
export function Cached(options: CachedOptions = {}) {
  return <T extends AsyncMethod>(
    _target: object,
    _propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    if (typeof descriptor.value !== 'function') {
      throw new TypeError('@Cached() applies to methods only');
    }
    Reflect.defineMetadata(CACHED_METADATA, options, descriptor.value);
  };
}

/** The @Cached options of a function, if it has them. */
export function cachedOptionsOf(fn: unknown): CachedOptions | undefined {
  if (typeof fn !== 'function') return undefined;
  return Reflect.getMetadata(CACHED_METADATA, fn) as CachedOptions | undefined;
}

/**
 * Replaces each @Cached method of `instance` (own or inherited) with one that goes through
 * `cache`. Returns the names of the methods bound.
 */
export function bindCachedMethods(instance: object, cache: CachedBackend): string[] {
  const bound: string[] = [];
  const seen = new Set<string>();
  const className = instance.constructor?.name ?? 'Object';
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || seen.has(name)) continue;
      seen.add(name);
      const method = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      const options = cachedOptionsOf(method);
      if (!options) continue;
      // Only now read the instance: reading it first could run unrelated getters.
      const current = (instance as Record<string, unknown>)[name];
      if (typeof current !== 'function' || WRAPPED in current) continue;
      Object.defineProperty(instance, name, {
        value: wrap(method as AsyncMethod, cache, options, `${className}.${name}`),
        writable: true,
        configurable: true,
        enumerable: false,
      });
      bound.push(name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return bound;
}

function wrap(
  original: AsyncMethod,
  cache: CachedBackend,
  options: CachedOptions,
  label: string,
): AsyncMethod {
  const { key: keyOption, ...getOrSetOptions } = options;
  const prefix = typeof keyOption === 'string' ? keyOption : label;
  const wrapped = function (this: unknown, ...args: never[]): Promise<unknown> {
    if (cache.closed) return original.apply(this, args);
    let key: string;
    try {
      if (typeof keyOption === 'function') key = keyOption(...args);
      else key = args.length === 0 ? prefix : hashKey(prefix, ...args);
    } catch (error) {
      warnOnce(label, `cannot build a cache key (${(error as Error).message}); running uncached`);
      return original.apply(this, args);
    }
    if (!isValidKey(key)) {
      warnOnce(label, 'builds an invalid cache key; running uncached (see KEY_PATTERN, hashKey)');
      return original.apply(this, args);
    }
    return cache.getOrSet(key, () => original.apply(this, args), getOrSetOptions);
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  Object.defineProperty(wrapped, 'name', { value: original.name });
  return wrapped;
}

function warnOnce(label: string, message: string): void {
  if (warned.has(label)) return;
  warned.add(label);
  logger.warn(`@Cached ${label} ${message}`);
}
