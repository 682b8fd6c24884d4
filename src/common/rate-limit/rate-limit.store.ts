import type { RedisService } from '../../resources/redis/redis.service';
import type { RedisConnection } from '../../resources/redis/redis.connection-factory';
import { createHash } from 'node:crypto';
import { withTimeout } from '../util/with-timeout';
import type { RateLimitStore, StoreCallback } from './rate-limit.plugin';
import { REDIS_NAMESPACES } from '../../resources/redis/redis.keys';
import { LeaseGrant, LeasedWindows } from './rate-limit.lease';

/**
 * Longest wait for Redis before a request goes through unlimited, ms. A hung Redis otherwise
 * holds every limited request for the whole command timeout (REDIS_COMMAND_TIMEOUT_MS); a
 * round trip on a healthy one is well under a millisecond.
 */
export const STORE_TIMEOUT_MS = 250;

/**
 * Leases up to a slice of one fixed window (see rate-limit.lease.ts): grants
 * min(slice, max - count) hits, INCRBY the grant, and PEXPIRE on the window's first grant. The
 * count never passes the limit, so a refusal leaves it alone. A key left without an expiry (a
 * crash between two calls cannot happen inside a script, but a manual SET can) gets one, so no
 * client is limited forever. ARGV: window ms, max, slice. Answers {granted, count, ms left}.
 */
const LEASE_SCRIPT = `
local total = tonumber(redis.call('GET', KEYS[1]) or '0')
local granted = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) - total)
if granted > 0 then
  total = redis.call('INCRBY', KEYS[1], granted)
else
  granted = 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
elseif ttl < 0 then
  ttl = 0
end
return {granted, total, ttl}`;

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

const LEASE = luaScript(LEASE_SCRIPT);
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
): Promise<number[]> {
  try {
    return (await connection.evalsha(script.sha, 1, key, ...args)) as number[];
  } catch (error) {
    if (!/NOSCRIPT/.test((error as Error).message)) throw error;
    return (await connection.eval(script.lua, 1, key, ...args)) as number[];
  }
}

/** The hits each limit leases at a time (leaseSlice), by limit name; 1 for any other. */
export type LeaseSlices = Readonly<Record<string, number>>;

/**
 * A @fastify/rate-limit store on the app's shared Redis pool (RedisService: no connection of
 * its own), so every instance with the same REDIS_KEY_PREFIX counts against the same windows.
 * Keys are `<prefix>rate-limit:<limit name>:<client>`. A hit is counted from this instance's
 * leased slice of the client's window when it has one (no I/O), and leases a new slice from
 * Redis otherwise (rate-limit.lease.ts: the bounds). Errors are passed to the callback: the
 * service then lets the request through and counts it.
 */
class RedisRateLimitStore implements RateLimitStore {
  private readonly windows: LeasedWindows;

  constructor(
    private readonly redis: RedisService,
    private readonly slices: LeaseSlices,
    private readonly limitName = 'default',
  ) {
    this.windows = new LeasedWindows(
      (client, slice, max, windowMs) => this.lease(client, slice, max, windowMs),
      slices[limitName] ?? 1,
    );
  }

  /** A hit from the leased slice calls back at once: the request goes on in the same tick. */
  incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
    const local = this.windows.hitLocally(key);
    if (local) return callback(null, local);
    this.windows.hit(key, max, timeWindow).then(
      (state) => callback(null, state),
      (error: Error) => callback(error),
    );
  }

  /** The window as Redis counts it, unused slices of every instance included. */
  read(key: string, callback: StoreCallback): void {
    this.call((c) => runScript(c, READ, this.redisKey(key))).then(
      ([current, ttl]) => callback(null, { current, ttl }),
      (error: Error) => callback(error),
    );
  }

  /** One store per limit, `groupId` being its name. */
  child(options: { groupId: string }): RateLimitStore {
    return new RedisRateLimitStore(this.redis, this.slices, options.groupId);
  }

  private async lease(
    client: string,
    slice: number,
    max: number,
    windowMs: number,
  ): Promise<LeaseGrant> {
    const key = this.redisKey(client);
    const [granted, total, ttl] = await this.call((c) =>
      runScript(c, LEASE, key, windowMs, max, slice),
    );
    return { granted, total, ttl };
  }

  private call(command: (connection: RedisConnection) => Promise<number[]>): Promise<number[]> {
    return withTimeout(this.redis.run(command), STORE_TIMEOUT_MS, 'rate limit store');
  }

  private redisKey(client: string): string {
    return this.redis.key(REDIS_NAMESPACES.rateLimit, this.limitName, client);
  }
}

/** The root store on the app's Redis pool; each limit counts in its `child`. */
export function redisRateLimitStore(redis: RedisService, slices: LeaseSlices): RateLimitStore {
  return new RedisRateLimitStore(redis, slices);
}
