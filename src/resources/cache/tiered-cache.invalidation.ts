/**
 * Cross-instance invalidation over Redis pub/sub: publishes this instance's deletes and clears,
 * applies other instances' to L1, keeps the subscription alive, and remembers what could not
 * be published (or applied to L2) during an outage so it is replayed once Redis is back.
 * Without that memory a peer would keep serving a value deleted here while Redis was down.
 */
import { MAX_PENDING_INVALIDATIONS } from './cache.constants';
import { CacheLogger } from './cache.types';
import { L2_FAILED, L2Client } from './tiered-cache.l2';
import { L2Store } from './tiered-cache.l2-store';
import { CacheCounters } from './tiered-cache.stats';
import { messageOf } from './tiered-cache.util';

/** Longest pause between attempts to subscribe to invalidations, ms. */
const SUBSCRIBE_RETRY_MAX_MS = 5_000;

export interface InvalidationTarget {
  /** Identifies this instance in messages, so it ignores its own. */
  readonly instanceId: string;
  isStopped(): boolean;
  /** Drops one key from L1 and from the loads and reads in flight. */
  dropKey(key: string): void;
  /** Empties L1 and cancels every load and read in flight. */
  dropAll(): void;
}

export class InvalidationBus {
  /** Invalidations that could not be published (or applied to L2) during an outage. */
  private pending: Set<string> | 'all' = new Set();
  /** Keys whose missed delete is being replayed; a write of one that lands meanwhile removes it. */
  private replaying = new Set<string>();
  /** While a missed clear is replayed: keys written since it began, which it must spare. */
  private writtenDuringClear?: Set<string>;
  private unsubscribe?: () => Promise<void>;
  private subscribing?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  /** Failed subscription attempts in a row (0: subscribed or never tried). */
  private failures = 0;

  constructor(
    private readonly l2: L2Client,
    private readonly data: L2Store,
    private readonly target: InvalidationTarget,
    private readonly counters: CacheCounters,
    private readonly logger: CacheLogger,
  ) {}

  get subscribed(): boolean {
    return this.unsubscribe !== undefined;
  }

  /**
   * A write of `key` landed in L2: it supersedes a delete or clear that could not reach Redis,
   * remembered or being replayed. The write that lands first after an outage is itself the call
   * that starts the replay, so without the replay's part the value just written would be removed.
   */
  forget(key: string): void {
    if (this.pending !== 'all') this.pending.delete(key);
    this.replaying.delete(key);
    this.writtenDuringClear?.add(key);
  }

  /** Cancels a scheduled retry to subscribe (the cache is closing). */
  stopRetrying(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Hands back the unsubscribe function, if subscribed, and forgets it. */
  takeUnsubscribe(): (() => Promise<void>) | undefined {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    return unsubscribe;
  }

  async publish(keys: string[] | 'all'): Promise<void> {
    // The disk tier is one instance's: there is no one to tell, and nothing to remember.
    if (!this.l2.redis) return;
    const id = this.target.instanceId;
    const message = JSON.stringify(keys === 'all' ? { i: id, all: true } : { i: id, k: keys });
    const sent = await this.l2.call('publish', (redis) => redis.publish(this.l2.channel, message));
    if (sent === L2_FAILED) this.remember(keys);
  }

  /** Remembers what other instances missed, to be applied and published when Redis is back. */
  remember(keys: string[] | 'all'): void {
    if (keys === 'all' || this.pending === 'all') {
      this.pending = 'all';
      return;
    }
    for (const key of keys) this.pending.add(key);
    if (this.pending.size > MAX_PENDING_INVALIDATIONS) this.pending = 'all';
  }

  async replay(): Promise<void> {
    const pending = this.pending;
    if (pending !== 'all' && pending.size === 0) return;
    this.pending = new Set();
    this.logger.log(
      `re-applying ${pending === 'all' ? 'a clear' : `${pending.size} deletes`} missed during the L2 outage`,
    );
    if (pending === 'all') {
      const written = (this.writtenDuringClear = new Set());
      const removed = await this.data.clear((key) => written.has(key));
      this.writtenDuringClear = undefined;
      if (removed === L2_FAILED) return this.remember('all');
      return this.publish('all');
    }
    const keys = [...pending];
    const wanted = (this.replaying = new Set(keys));
    const failed = await this.unlinkEach(keys, wanted);
    this.replaying = new Set();
    // A key written meanwhile was published by its write, and its new value must stay.
    if (failed) return this.remember([...wanted]);
    // Every key, superseded or not: the peers may still hold the value deleted here in L1.
    await this.publish(keys);
  }

  /** UNLINKs each key still in `wanted` when its turn comes. True if one could not reach Redis. */
  private async unlinkEach(keys: string[], wanted: Set<string>): Promise<boolean> {
    for (const key of keys) {
      const removed = await this.data.unlink(key, () => wanted.has(key));
      if (removed === L2_FAILED) return true;
    }
    return false;
  }

  /** Subscribes, retrying in the background with backoff until it works or the cache stops. */
  subscribe(): Promise<void> {
    const redis = this.l2.redis;
    if (!redis) return Promise.resolve();
    this.subscribing ??= redis
      .subscribe(this.l2.channel, (message) => this.onMessage(message))
      .then(
        (unsubscribe) => {
          this.subscribing = undefined;
          if (this.target.isStopped()) return void unsubscribe().catch(() => undefined);
          this.unsubscribe = unsubscribe;
          if (this.failures > 0) this.logger.log('subscribed to cache invalidations');
          this.failures = 0;
        },
        (error: unknown) => {
          this.subscribing = undefined;
          if (this.target.isStopped()) return;
          if (this.failures === 0) {
            this.logger.warn(
              `cannot subscribe to cache invalidations (${messageOf(error)}); retrying in the background`,
            );
          }
          // Soon at first (the Redis pool may simply not be initialised yet), then every 5 s.
          const retryMs = Math.min(100 * 2 ** this.failures, SUBSCRIBE_RETRY_MAX_MS);
          this.failures++;
          this.retryTimer = setTimeout(() => void this.subscribe(), retryMs);
          this.retryTimer.unref();
        },
      );
    return this.subscribing;
  }

  private onMessage(raw: string): void {
    let message: { i?: unknown; all?: unknown; k?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (!message || typeof message !== 'object' || message.i === this.target.instanceId) return;
    if (message.all === true) {
      this.counters.invalidationsReceived++;
      this.target.dropAll();
    } else if (Array.isArray(message.k)) {
      this.counters.invalidationsReceived++;
      for (const key of message.k) {
        if (typeof key !== 'string') continue;
        this.target.dropKey(key);
      }
    }
  }
}
