/**
 * The guard around every L2 call, Redis or the disk tier: availability check, circuit breaker,
 * per-call timeout, counters, and the one-line outage/recovery logging. It also orders
 * mutations per key. Kept apart from the cache logic so "L2 is best effort" is enforced in one
 * place: a call here never throws, it returns L2_FAILED and the cache carries on from L1.
 */
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import { circuitName } from '../../common/resilience/circuit-name';
import { withTimeout } from '../../common/util/with-timeout';
import { CacheDisk, CacheL2Stats, CacheLogger, CacheRedis } from './cache.types';
import { messageOf } from './tiered-cache.util';

/** Returned by `call()` instead of throwing: the caller carries on without L2. */
export const L2_FAILED = Symbol('l2-failed');
export type L2Failed = typeof L2_FAILED;

export interface L2ClientOptions {
  namespace: string;
  timeoutMs: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
  logger: CacheLogger;
}

/** The second level's backends; Redis wins when both are given and Redis is enabled. */
export interface L2Backends {
  redis?: CacheRedis;
  disk?: CacheDisk;
}

export class L2Client {
  /** Undefined when Redis is not configured: every Redis call then fails fast, uncounted. */
  readonly redis?: CacheRedis;
  /** The disk tier, only without Redis: a single instance's L2, nothing shared or published. */
  readonly disk?: CacheDisk;
  readonly timeoutMs: number;
  /** `key(namespace, k)` is `keyBase + k`; SCAN MATCH uses `keyBase*`. */
  readonly keyBase: string = '';
  readonly channel: string = '';
  readonly counts = { hits: 0, misses: 0, errors: 0, skipped: 0, outages: 0 };
  /** Called once when L2 comes back after an outage (the cache replays missed invalidations). */
  onRecover: () => void = () => undefined;

  private readonly breaker: CircuitBreakerPolicy;
  private readonly logger: CacheLogger;
  private down = false;
  /** The tail of each key's chain of L2 writes and deletes, which keeps them in order. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor({ redis, disk }: L2Backends, options: L2ClientOptions) {
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    if (!redis?.enabled) {
      this.disk = disk;
      return;
    }
    this.redis = redis;
    const probe = redis.key(options.namespace, 'x');
    this.keyBase = probe.slice(0, -1);
    // SCAN MATCH `keyBase*` must never reach another namespace: the base has to end with a
    // separator that namespaces cannot contain, and key() has to be plain concatenation.
    if (
      redis.key(options.namespace, 'a:b') !== `${this.keyBase}a:b` ||
      /[\w-]$/.test(this.keyBase)
    ) {
      throw new Error(
        `cache: unexpected Redis key layout "${probe}"; cannot scope keys to the namespace`,
      );
    }
    this.channel = redis.key(options.namespace, 'invalidate');
  }

  /** Which backend L2 is: `redis`, `disk`, or `none` (L1 only). */
  get backend(): 'redis' | 'disk' | 'none' {
    if (this.redis) return 'redis';
    return this.disk ? 'disk' : 'none';
  }

  /** L2 reachable now: `up`, `down`, or `disabled` without a backend. */
  get state(): 'up' | 'down' | 'disabled' {
    if (this.backend === 'none') return 'disabled';
    return this.down || this.breaker.state !== CircuitState.Closed ? 'down' : 'up';
  }

  stats(): CacheL2Stats {
    return {
      enabled: this.backend !== 'none',
      backend: this.backend,
      state: this.state,
      ...this.counts,
      breaker: circuitName(this.breaker.state),
    };
  }

  /**
   * Runs one Redis call: skipped while Redis is unavailable or the breaker is open, bounded by
   * the L2 timeout, counted. Never throws: returns L2_FAILED and the caller goes on from L1.
   */
  async call<T>(what: string, call: (redis: CacheRedis) => Promise<T>): Promise<T | L2Failed> {
    const redis = this.redis;
    if (!redis) return L2_FAILED;
    if (!redis.available) {
      this.counts.skipped++;
      this.noteDown('Redis is not connected');
      return L2_FAILED;
    }
    return this.guarded(what, () => call(redis));
  }

  /** Runs one call on the disk tier, guarded as a Redis call is. L2_FAILED without a disk. */
  async callDisk<T>(what: string, call: (disk: CacheDisk) => Promise<T>): Promise<T | L2Failed> {
    const disk = this.disk;
    if (!disk) return L2_FAILED;
    return this.guarded(what, () => call(disk));
  }

  /** The breaker, the timeout and the counters around one call of either backend. */
  private async guarded<T>(what: string, call: () => Promise<T>): Promise<T | L2Failed> {
    try {
      const result = await this.breaker.execute(() =>
        withTimeout(call(), this.timeoutMs, `cache L2 ${what}`),
      );
      this.noteUp();
      return result;
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.counts.skipped++;
        return L2_FAILED;
      }
      this.counts.errors++;
      this.noteDown(`${what} failed: ${messageOf(error)}`);
      return L2_FAILED;
    }
  }

  /**
   * Chains L2 mutations per key: the pool hands out connections in turn, so two commands for
   * one key could otherwise overtake each other (a late SET resurrecting a deleted key).
   */
  enqueue<T>(key: string, op: () => Promise<T>): Promise<T> {
    const previous = this.writes.get(key);
    const result = previous ? previous.then(op) : op();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.writes.set(key, tail);
    void tail.then(() => {
      if (this.writes.get(key) === tail) this.writes.delete(key);
    });
    return result;
  }

  /** Resolves once every mutation queued so far has landed or failed (never rejects). */
  settled(): Promise<void[]> {
    return Promise.all(this.writes.values());
  }

  private noteDown(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.counts.outages++;
    this.logger.warn(
      `L2 (${this.label}) unavailable: ${reason}; serving from the in-process cache`,
    );
  }

  private noteUp(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.log(`L2 (${this.label}) is back; the cache uses it again`);
    this.onRecover();
  }

  /** How log lines name the backend. */
  private get label(): string {
    return this.redis ? 'Redis' : 'disk';
  }
}
