import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../../config/app-config';
import { RedisService } from '../../resources/redis/redis.service';
import { toErrorBody } from '../filters/all-exceptions.filter';
import {
  FastifyReply,
  FastifyRequest,
  RateLimitStore,
  WindowState,
  clientKey,
  localRateLimitStore,
} from './rate-limit.plugin';
import { leaseSlice } from './rate-limit.lease';
import { redisRateLimitStore } from './rate-limit.store';
import { RateLimitName, RateLimitRule, limitOfRoute, rateLimitRules } from './rate-limits';

/** A store failure is logged at most this often; every one is counted, ms. */
const STORE_ERROR_LOG_INTERVAL_MS = 60_000;

/** A limit's rule and the store that counts its windows. */
interface Limit {
  rule: RateLimitRule;
  store: RateLimitStore;
}

/** Where a client stands in a limit's window after a hit (or a look). */
interface Standing {
  remaining: number;
  /** ms left in the window; 0 when there is none, or the store failed (fail open). */
  ttl: number;
  ttlInSeconds: number;
  exceeded: boolean;
}

/** A Fastify onRequest hook in callback style: `done` lets the request go on. */
export type OnRequestHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void;

/**
 * Per-client rate limits (client = the request's IP, see TRUST_PROXY), with @fastify/rate-limit's
 * stores and client key: counted in Redis through the app's pool when Redis is configured, so
 * every instance with the same REDIS_KEY_PREFIX shares one window per client, and in-process (the
 * plugin's LocalStore) otherwise. With Redis an instance leases a slice of a client's window at a
 * time (a tenth of the limit, at most 1000, 1 for limits under 20 and for admin failures) and
 * counts that many hits in memory: one Redis call per slice rather than per request. The fleet
 * still never admits more than the limit per window; unused slices are lost with their window
 * (rate-limit.lease.ts: the bounds).
 *
 * - The caption and batch routes count every request; over the limit → 429 with `Retry-After`
 *   and the IETF draft `RateLimit-Limit` / `-Remaining` / `-Reset` / `-Policy` headers, checked
 *   in onRequest, before the body is even read.
 * - Failed admin authentications are counted per client (successful calls are not); once a
 *   client has used up its failures, every admin call from it answers 429 until the window ends,
 *   the right key included: otherwise the 401-or-not answer would keep an oracle open for guessing.
 * - A store that fails (Redis down or hung) lets the request through (fail open) and counts it:
 *   a cache outage must not become an API outage.
 *
 * The stores are called directly, not through the plugin's limiter (`createRateLimit`): that is
 * an async function awaiting a promise around the store's callback, behind an async hook, and it
 * reads `request.routeOptions` (an object built on every access). On a cached generate that cost
 * ~20 us of CPU per request of ~130 us (bench:http, against RATE_LIMIT_ENABLED=false) while the
 * store itself answered from memory: with AsyncLocalStorage on (the log context), Node 20 runs
 * async hooks for every promise. So the hook is callback-style and goes on in the same tick when
 * the store answers at once, as it does for most hits.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger('RateLimit');
  private readonly rules: Record<RateLimitName, RateLimitRule>;
  private limits?: Record<RateLimitName, Limit>;
  private readonly refused: Record<RateLimitName, number> = {
    captions: 0,
    batch: 0,
    admin_failures: 0,
  };
  private storeErrors = 0;
  private lastStoreErrorLog = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.rules = rateLimitRules(config);
  }

  /**
   * Sets up the limits and hooks the limited routes on the app's Fastify instance; call before
   * the routes are registered (app.init), since the limited routes get their hook as they are
   * added.
   */
  async install(app: NestFastifyApplication): Promise<void> {
    if (!this.config.RATE_LIMIT_ENABLED) {
      this.logger.log('rate limits disabled (RATE_LIMIT_ENABLED=false)');
      return;
    }
    this.limits = this.createLimits();
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        const limit = limitOfRoute(route.url);
        if (!limit) return;
        const hooks = route.onRequest ? [route.onRequest].flat() : [];
        // Typed with the root Fastify, the route with the copy Nest pins: one at run time.
        const hook = this.limitRequests(limit) as unknown as (typeof hooks)[number];
        route.onRequest = [...hooks, hook];
      });
    this.logger.log(
      `rate limits on (${this.redis.enabled ? 'shared through Redis' : 'in-process'}): ` +
        Object.values(this.rules)
          .map((r) => `${r.name} ${r.max} per ${r.windowMs} ms`)
          .join(', ') +
        (this.redis.enabled ? `; leased ${JSON.stringify(this.leaseSlices())} hits at a time` : ''),
    );
  }

  /**
   * Whether this client has used up its failed admin authentications: if so the answer gets
   * the rate-limit headers and the guard refuses with 429 before looking at the key.
   */
  async adminLockedOut(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const limit = this.limits?.admin_failures;
    if (!limit) return false;
    const standing = await new Promise<Standing>((resolve) =>
      this.check(limit, request, 'read', resolve),
    );
    if (standing.remaining > 0 || standing.ttl === 0) return false;
    this.refused.admin_failures += 1;
    setLimitHeaders(reply, limit.rule, standing, true);
    return true;
  }

  /** Counts one failed admin authentication of this client. */
  async adminAuthenticationFailed(request: FastifyRequest): Promise<void> {
    const limit = this.limits?.admin_failures;
    if (!limit) return;
    await new Promise<Standing>((resolve) => this.check(limit, request, 'incr', resolve));
  }

  /** Figures for /metrics: refusals per limit, and store failures let through. */
  stats(): { refused: Record<RateLimitName, number>; store_errors: number } {
    return { refused: { ...this.refused }, store_errors: this.storeErrors };
  }

  /** Each limit with a store of its own, children of one root as the plugin makes them. */
  private createLimits(): Record<RateLimitName, Limit> {
    const root = this.redis.enabled
      ? redisRateLimitStore(this.redis, this.leaseSlices())
      : localRateLimitStore();
    const limitOf = (rule: RateLimitRule): Limit => ({
      rule,
      store: root.child({ groupId: rule.name }),
    });
    return {
      captions: limitOf(this.rules.captions),
      batch: limitOf(this.rules.batch),
      admin_failures: limitOf(this.rules.admin_failures),
    };
  }

  /** The hits an instance leases at a time from Redis, per limit (rate-limit.lease.ts). */
  private leaseSlices(): Record<RateLimitName, number> {
    const { captions, batch, admin_failures } = this.rules;
    return {
      captions: leaseSlice(captions),
      batch: leaseSlice(batch),
      admin_failures: leaseSlice(admin_failures),
    };
  }

  /**
   * The onRequest hook of the routes a limit counts: no promise of its own, so a hit the store
   * counts at once goes on in the same tick (the class comment says why). An error in deciding
   * is handed to Fastify rather than thrown from a store's callback, where it would escape as an
   * unhandled rejection; `done` is outside that catch, since the rest of the request runs in it.
   */
  private limitRequests(name: RateLimitName): OnRequestHook {
    const limit = this.limits![name];
    return (request, reply, done) => {
      this.check(limit, request, 'incr', (standing) => {
        let admitted: boolean;
        try {
          admitted = this.admitted(limit.rule, standing, request, reply);
        } catch (error) {
          return done(error as Error);
        }
        if (admitted) done();
      });
    };
  }

  /** Sets the limit's headers; over the limit answers 429 and says the request stops here. */
  private admitted(
    rule: RateLimitRule,
    standing: Standing,
    request: FastifyRequest,
    reply: FastifyReply,
  ): boolean {
    setLimitHeaders(reply, rule, standing, standing.exceeded);
    if (!standing.exceeded) return true;
    this.refused[rule.name] += 1;
    const { body } = toErrorBody(
      new HttpException(
        `rate limit exceeded: ${rule.max} requests per ${rule.windowMs / 1000} s; retry after ${retryAfterS(standing)} s`,
        HttpStatus.TOO_MANY_REQUESTS,
      ),
      String(request.id),
    );
    void reply.code(HttpStatus.TOO_MANY_REQUESTS).send(body);
    return false;
  }

  /**
   * Counts a hit of the request's client (`incr`), or only looks at its window (`read`), and
   * hands where it stands to `answer`, which must not throw: at once when the store answers at
   * once. A store that fails, by its callback or by throwing, lets the request through (the
   * plugin's skipOnError): no window, counted.
   */
  private check(
    limit: Limit,
    request: FastifyRequest,
    method: 'incr' | 'read',
    answer: (standing: Standing) => void,
  ): void {
    const key = clientKey(request);
    let answered = false;
    const onWindow = (error: Error | null, window?: WindowState) => {
      answered = true;
      if (error) this.storeFailed(error);
      answer(standingOf(limit.rule, error ? undefined : window));
    };
    try {
      limit.store[method](key, onWindow, limit.rule.windowMs, limit.rule.max);
    } catch (error) {
      // Thrown after a synchronous answer, it came from the request's own course: not the store's.
      if (answered) throw error;
      onWindow(error as Error);
    }
  }

  private storeFailed(error: Error): void {
    this.storeErrors += 1;
    const now = Date.now();
    if (now - this.lastStoreErrorLog < STORE_ERROR_LOG_INTERVAL_MS) return;
    this.lastStoreErrorLog = now;
    this.logger.warn(
      `rate limit store failed (${error.message}); requests go through unlimited until it answers (${this.storeErrors} so far)`,
    );
  }
}

/** The plugin's figures from a store's answer; a failed store (no window) counts as no hit. */
function standingOf(rule: RateLimitRule, window: WindowState | undefined): Standing {
  const current = window?.current ?? 0;
  const ttl = window?.ttl ?? 0;
  return {
    remaining: Math.max(0, rule.max - current),
    ttl,
    ttlInSeconds: Math.ceil(ttl / 1000),
    exceeded: current > rule.max,
  };
}

/** Whole seconds until the window ends, at least 1 (a 0 would invite an immediate retry). */
function retryAfterS(standing: Standing): number {
  return Math.max(1, standing.ttlInSeconds);
}

/**
 * The IETF draft headers (draft-ietf-httpapi-ratelimit-headers), plus Retry-After when refused.
 * A store that failed open reports no window (ttl 0): no headers then, rather than made-up ones.
 */
function setLimitHeaders(
  reply: FastifyReply,
  rule: RateLimitRule,
  standing: Standing,
  refused: boolean,
): void {
  if (standing.ttl === 0) return;
  void reply
    .header('ratelimit-limit', rule.max)
    .header('ratelimit-remaining', standing.remaining)
    .header('ratelimit-reset', standing.ttlInSeconds)
    .header('ratelimit-policy', `${rule.max};w=${Math.ceil(rule.windowMs / 1000)}`);
  if (refused) void reply.header('retry-after', retryAfterS(standing));
}
