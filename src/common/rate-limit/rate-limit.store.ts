import type { RedisService } from '../../resources/redis/redis.service';
import type { RedisConnection } from '../../resources/redis/redis.connection-factory';
import { createHash } from 'node:crypto';
import { withTimeout } from '../util/with-timeout';
import type {
  LimitOptions,
  RateLimitStore,
  RateLimitStoreClass,
  StoreCallback,
} from './rate-limit.plugin';
import { REDIS_NAMESPACES } from '../../resources/redis/redis.keys';

/**
 * Longest wait for Redis before a request goes through unlimited, ms. A hung Redis otherwise
 * holds every limited request for the whole command timeout (REDIS_COMMAND_TIMEOUT_MS); a
 * round trip on a healthy one is well under a millisecond.
 */
export const STORE_TIMEOUT_MS = 250;

/**
 * One fixed window per key: INCR, and PEXPIRE on the first hit. A key left without an expiry
 * (a crash between the two calls cannot happen inside a script, but a manual SET can) gets one,
 * so no client is limited forever.
 */
const INCR_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}`;

/** The window's state without counting a hit (the admin lockout peeks before comparing keys). */
const READ_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(current), ttl}`;

/** A Lua script sent as EVALSHA, and as EVAL the first time a server does not know it. */
interface LuaScript {
  lua: string;
  sha: string;
}

function luaScript(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const INCR = luaScript(INCR_SCRIPT);
const READ = luaScript(READ_SCRIPT);

/**
 * Runs a script with plain EVALSHA/EVAL commands. Not ioredis' defineCommand: defining a command
 * on a connection that auto-pipelines, while a pipeline for that tick already exists, makes
 * ioredis lose the pipeline's replies and throw outside any promise (an uncaught TypeError,
 * "results[i] is not iterable", ioredis issue #1931), which crashed a test run here.
 */
async function runScript(
  connection: RedisConnection,
  script: LuaScript,
  key: string,
  ...args: (string | number)[]
): Promise<[number, number]> {
  try {
    return (await connection.evalsha(script.sha, 1, key, ...args)) as [number, number];
  } catch (error) {
    if (!/NOSCRIPT/.test((error as Error).message)) throw error;
    return (await connection.eval(script.lua, 1, key, ...args)) as [number, number];
  }
}

/** Called when the store could not answer and the request is let through (fail open). */
export type StoreErrorListener = (error: Error) => void;

/**
 * A @fastify/rate-limit store on the app's shared Redis pool (RedisService: no connection of
 * its own), so every instance with the same REDIS_KEY_PREFIX counts against the same windows.
 * Keys are `<prefix>rate-limit:<limit name>:<client>`. Errors are reported to `onError` and
 * passed on: with `skipOnError` the plugin then lets the request through.
 */
class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: RedisService,
    private readonly onError: StoreErrorListener,
    private readonly limitName = 'default',
  ) {}

  incr(key: string, callback: StoreCallback, timeWindow: number): void {
    this.answer(callback, (c) => runScript(c, INCR, this.redisKey(key), timeWindow));
  }

  read(key: string, callback: StoreCallback): void {
    this.answer(callback, (c) => runScript(c, READ, this.redisKey(key)));
  }

  /** One store per limit (createRateLimit passes the limit's options, groupId = its name). */
  child(options: LimitOptions): RateLimitStore {
    return new RedisRateLimitStore(this.redis, this.onError, options.groupId ?? this.limitName);
  }

  private redisKey(client: string): string {
    return this.redis.key(REDIS_NAMESPACES.rateLimit, this.limitName, client);
  }

  private answer(
    callback: StoreCallback,
    command: (connection: RedisConnection) => Promise<[number, number]>,
  ): void {
    const call = this.redis.run(command);
    withTimeout(call, STORE_TIMEOUT_MS, 'rate limit store').then(
      ([current, ttl]) => callback(null, { current, ttl }),
      (error: Error) => {
        this.onError(error);
        callback(error);
      },
    );
  }
}

/** The store class the plugin instantiates itself, bound to the app's Redis pool. */
export function redisRateLimitStore(
  redis: RedisService,
  onError: StoreErrorListener,
): RateLimitStoreClass {
  return class extends RedisRateLimitStore {
    constructor() {
      super(redis, onError);
    }
  };
}
