import { Inject, Injectable } from '@nestjs/common';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { redactUrl } from '../../common/util/redact-url';
import { withTimeout } from '../../common/util/with-timeout';
import {
  ManagedResourceBase,
  RESOURCE_DISABLED,
  ResourceHealth,
} from '../registry/managed-resource';
import type { ResourceObservation, SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState, ResourceType } from '../registry/resource-state';
import { RedisConnection, createRedisConnection, redisMode } from './redis.connection-factory';
import { REDIS_OPTIONS } from './redis.module-definition';
import { RedisStatus, observeRedis } from './redis.observation';
import { RedisOptions } from './redis.options';
import type { Histogram } from 'prom-client';
import { MetricDefinitions, OPERATION_BUCKETS } from '../../common/metrics/metric-definitions';

/** Redis's one name: registry, health check key, metrics label, route segment. */
export const REDIS_RESOURCE_NAME = 'redis';

type MessageHandler = (message: string) => void;

/** Smoothing of the latency average: recent operations weigh most. */
const LATENCY_EWMA_WEIGHT = 0.1;

/**
 * The shared Redis pool: `poolSize` command connections used in turn (auto-pipelining on
 * each), plus one dedicated subscriber connection for pub/sub. Without REDIS_URL (or Sentinel /
 * Cluster settings) it is `disabled` and every user falls back to in-process behaviour.
 *
 * In Cluster mode one Cluster client already keeps a connection per node, so the pool holds a
 * single Cluster client for commands.
 */
@Injectable()
export class RedisService extends ManagedResourceBase {
  readonly enabled: boolean;
  private connections: RedisConnection[] = [];
  private subscriber?: RedisConnection;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private next = 0;
  private tickConnection?: RedisConnection;
  private operations = 0;
  private errors = 0;
  private latencyMs = 0;
  /** Each command's time, once /metrics has defined the histogram (defineMetrics). */
  private commandDuration?: Histogram;
  /** Set while Redis is unreachable, so the outage is logged once and the recovery once. */
  private outageSince?: number;

  constructor(
    @Inject(REDIS_OPTIONS) private readonly options: RedisOptions,
    registry: ResourceRegistry,
  ) {
    // Optional: the cache falls back to its in-process level (see the contract's readiness). A
    // start without Redis carries on in `error`; the connections keep retrying in the
    // background and the resource moves to `ready` when Redis answers.
    super(REDIS_RESOURCE_NAME, ResourceType.REDIS, { required: false });
    this.enabled = options.enabled;
    registry.register(this);
  }

  /** Configured and at least one command connection is up right now. */
  get available(): boolean {
    const open = this.isUsable || this.state === ResourceState.ERROR;
    return this.enabled && open && this.connections.some((c) => c.status === 'ready');
  }

  /**
   * A ready command connection. Every command issued in the same tick goes to the same
   * connection, so ioredis's auto-pipelining can batch them into one write; the next tick takes
   * the next connection in turn. Plain round-robin per command would split each batch over the
   * whole pool (measured: 0.3x of one auto-pipelined client at 50 in flight).
   */
  client(): RedisConnection {
    if (!this.enabled)
      throw new ResourceUnavailableError('redis', 'is not configured (REDIS_URL unset)');
    this.assertUsable();
    if (this.tickConnection?.status === 'ready') return this.tickConnection;
    for (let i = 0; i < this.connections.length; i++) {
      const connection = this.connections[this.next++ % this.connections.length];
      if (connection.status === 'ready') {
        this.tickConnection = connection;
        process.nextTick(() => (this.tickConnection = undefined));
        return connection;
      }
    }
    throw new ResourceUnavailableError('redis', 'is not connected');
  }

  /** A key under the configured prefix (ioredis keyPrefix is not used: it does not apply to SCAN MATCH). */
  key(...parts: string[]): string {
    return this.options.keyPrefix + parts.join(':');
  }

  /** Runs fn on a command connection, counting operations, errors and latency. */
  async run<T>(fn: (client: RedisConnection) => Promise<T>): Promise<T> {
    const started = performance.now();
    this.operations += 1;
    try {
      const result = await fn(this.client());
      const ms = performance.now() - started;
      this.latencyMs += (ms - this.latencyMs) * LATENCY_EWMA_WEIGHT;
      this.commandDuration?.observe(ms / 1000);
      // A command timeout reports an error without dropping the connection, so no 'ready'
      // event follows: a command that succeeds is what ends such an "outage".
      if (this.state === ResourceState.ERROR) this.onConnectionReady();
      return result;
    } catch (error) {
      this.errors += 1;
      throw error;
    }
  }

  publish(channel: string, message: string): Promise<number> {
    return this.run((client) => client.publish(channel, message));
  }

  /**
   * Subscribes on the dedicated connection. The channel is recorded only once Redis has
   * confirmed the SUBSCRIBE: a failed attempt (Redis down) rejects and records nothing, so the
   * caller's retry really subscribes. Recorded channels are subscribed again on every reconnect
   * (see resubscribe).
   */
  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    if (!this.subscriber)
      throw new ResourceUnavailableError('redis', 'has no subscriber connection');
    const subscriber = this.subscriber;
    if (!this.handlers.has(channel)) await subscriber.subscribe(channel);
    let handlers = this.handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(channel, handlers);
    }
    handlers.add(handler);
    const own = handlers;
    return async () => {
      own.delete(handler);
      if (own.size === 0 && this.handlers.get(channel) === own) {
        this.handlers.delete(channel);
        if (subscriber.status === 'ready')
          await subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  /** Channels with a confirmed subscription (the invalidation bus's, for instance). */
  subscribedChannels(): string[] {
    return [...this.handlers.keys()];
  }

  stats(): RedisStatus {
    const count = (status: string[]) =>
      this.connections.filter((c) => status.includes(c.status)).length;
    return {
      name: this.name,
      type: this.type,
      state: this.state,
      url: redactUrl(this.options.url),
      mode: redisMode(this.options),
      pool_size: this.enabled ? this.connections.length || this.poolSize : 0,
      connections: {
        ready: count(['ready']),
        connecting: count(['connecting', 'connect', 'reconnecting', 'wait']),
        closed: count(['end', 'close']),
      },
      subscriber: this.subscriber?.status ?? null,
      operations: this.operations,
      errors: this.errors,
      latency_ms: Math.round(this.latencyMs * 1000) / 1000,
      last_error: this.lastError ?? null,
    };
  }

  observe(): ResourceObservation {
    return observeRedis(this.stats());
  }

  /** Its own series: each command's time (PromQL gives any window's mean or p95 from it). */
  defineMetrics(m: MetricDefinitions): void {
    this.commandDuration = m.durationHistogram(
      'redis_command_duration_seconds',
      'Time of each Redis command run on the pool (the subscriber apart).',
      [],
      OPERATION_BUCKETS,
    );
  }

  /** The self-test: a `PING` per round; skipped without Redis configured. */
  selfTestPlan(): SelfTestPlan {
    return {
      operations: [() => this.run((client) => client.ping())],
      skip: this.enabled ? undefined : 'Redis is not configured (REDIS_URL unset)',
    };
  }

  protected async doInit(): Promise<void | typeof RESOURCE_DISABLED> {
    if (!this.enabled) {
      this.logger.log('REDIS_URL not set: Redis disabled');
      return RESOURCE_DISABLED;
    }
    this.connections = Array.from({ length: this.poolSize }, () =>
      this.watch(createRedisConnection(this.options, 'command')),
    );
    const subscriber = this.watch(createRedisConnection(this.options, 'subscriber'));
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    subscriber.on('ready', () => this.resubscribe(subscriber));
    this.subscriber = subscriber;
    const all = [...this.connections, this.subscriber];
    await withTimeout(
      Promise.all(all.map((c) => c.connect())),
      this.options.connectTimeoutMs,
      'redis connect',
    );
    this.logger.log(
      `connected: ${redisMode(this.options)} ${redactUrl(this.options.url) ?? ''}, ${this.connections.length} command connections + 1 subscriber`,
    );
  }

  protected async doShutdown(): Promise<void> {
    const all = [...this.connections, ...(this.subscriber ? [this.subscriber] : [])];
    await Promise.all(
      all.map((c) => withTimeout(c.quit(), 2000, 'redis quit').catch(() => c.disconnect())),
    );
    all.forEach((c) => c.removeAllListeners());
    this.connections = [];
    this.subscriber = undefined;
    this.handlers.clear();
  }

  protected async probe(): Promise<ResourceHealth> {
    const started = performance.now();
    try {
      await this.run((client) => client.ping());
      const latency = Math.round((performance.now() - started) * 100) / 100;
      const down = this.connections.filter((c) => c.status !== 'ready').length;
      return down === 0
        ? { status: 'healthy', details: { latency_ms: latency } }
        : { status: 'degraded', details: { latency_ms: latency, connections_down: down } };
    } catch (error) {
      return { status: 'unhealthy', details: { error: (error as Error).message } };
    }
  }

  private get poolSize(): number {
    return redisMode(this.options) === 'cluster' ? 1 : this.options.poolSize;
  }

  /** Outage bookkeeping: an error listener on every connection keeps 'error' from crashing us. */
  private watch(connection: RedisConnection): RedisConnection {
    connection.on('error', (error: Error) => this.onConnectionError(error));
    connection.on('ready', () => this.onConnectionReady());
    return connection;
  }

  private onConnectionError(error: Error): void {
    if (this.outageSince !== undefined) return;
    this.outageSince = Date.now();
    this.lastError = error.message;
    this.logger.warn(`Redis connection lost (${error.message}); reconnecting in the background`);
    this.markError(error.message);
  }

  /** Back in service once a command connection (not merely the subscriber) is ready. */
  private onConnectionReady(): void {
    if (!this.connections.some((c) => c.status === 'ready')) return;
    if (this.outageSince !== undefined) {
      this.logger.log(`Redis reachable again after ${Date.now() - this.outageSince} ms`);
      this.outageSince = undefined;
    }
    this.markRecovered();
  }

  /**
   * After a reconnect, SUBSCRIBE again to every recorded channel. ioredis re-subscribes what it
   * saw confirmed on the old connection too; this does not depend on that bookkeeping, and a
   * repeated SUBSCRIBE is harmless.
   */
  private resubscribe(subscriber: RedisConnection): void {
    const channels = [...this.handlers.keys()];
    if (channels.length === 0) return;
    subscriber
      .subscribe(...channels)
      .catch((error: Error) => this.logger.warn(`re-subscribe failed: ${error.message}`));
  }

  private dispatch(channel: string, message: string): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(message);
      } catch (error) {
        this.logger.warn(`handler for ${channel} failed: ${(error as Error).message}`);
      }
    }
  }
}
