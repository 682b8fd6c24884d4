import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../../config/app-config';
import { RedisService } from '../../resources/redis/redis.service';
import { toErrorBody } from '../filters/all-exceptions.filter';
import {
  CountedState,
  FastifyReply,
  FastifyRequest,
  Limiter,
  registerRateLimitPlugin,
} from './rate-limit.plugin';
import { leaseSlice } from './rate-limit.lease';
import { redisRateLimitStore } from './rate-limit.store';
import { RateLimitName, RateLimitRule, limitOfRoute, rateLimitRules } from './rate-limits';

/** A store failure is logged at most this often; every one is counted, ms. */
const STORE_ERROR_LOG_INTERVAL_MS = 60_000;

/**
 * Per-client rate limits (client = the request's IP, see TRUST_PROXY), on @fastify/rate-limit:
 * counted in Redis through the app's pool when Redis is configured, so every instance with the
 * same REDIS_KEY_PREFIX shares one window per client, and in-process otherwise. With Redis an
 * instance leases a slice of a client's window at a time (a tenth of the limit, at most 1000,
 * 1 for limits under 20 and for admin failures) and counts that many hits in memory: one Redis
 * call per slice rather than per request. The fleet still never admits more than the limit per
 * window; unused slices are lost with their window (rate-limit.lease.ts: the bounds).
 *
 * - The caption and batch routes count every request; over the limit → 429 with `Retry-After`
 *   and the IETF draft `RateLimit-Limit` / `-Remaining` / `-Reset` / `-Policy` headers, checked
 *   in onRequest, before the body is even read.
 * - Failed admin authentications are counted per client (successful calls are not); once a
 *   client has used up its failures, every admin call from it answers 429 until the window ends,
 *   the right key included: otherwise the 401-or-not answer would keep an oracle open for guessing.
 * - A store that fails (Redis down or hung) lets the request through (fail open) and counts it:
 *   a cache outage must not become an API outage.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger('RateLimit');
  private readonly rules: Record<RateLimitName, RateLimitRule>;
  private limiters?: Record<RateLimitName, Limiter>;
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
   * Registers the plugin and the limits on the app's Fastify instance; call before the routes
   * are registered (app.init), since the limited routes get their hook as they are added.
   */
  async install(app: NestFastifyApplication): Promise<void> {
    if (!this.config.RATE_LIMIT_ENABLED) {
      this.logger.log('rate limits disabled (RATE_LIMIT_ENABLED=false)');
      return;
    }
    const createLimiter = await registerRateLimitPlugin(app, {
      global: false,
      skipOnError: true,
      // Without Redis the plugin's own in-process store (an LRU per limit) counts.
      store: this.redis.enabled
        ? redisRateLimitStore(this.redis, (error) => this.storeFailed(error), this.leaseSlices())
        : undefined,
    });
    const limiterOf = (rule: RateLimitRule) =>
      createLimiter({ groupId: rule.name, max: rule.max, timeWindow: rule.windowMs });
    this.limiters = {
      captions: limiterOf(this.rules.captions),
      batch: limiterOf(this.rules.batch),
      admin_failures: limiterOf(this.rules.admin_failures),
    };
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
    const limiter = this.limiters?.admin_failures;
    if (!limiter) return false;
    const state = await limiter(request, { increment: false });
    if (state.isAllowed || state.remaining > 0 || state.ttl === 0) return false;
    this.refused.admin_failures += 1;
    setLimitHeaders(reply, this.rules.admin_failures, state, true);
    return true;
  }

  /** Counts one failed admin authentication of this client. */
  async adminAuthenticationFailed(request: FastifyRequest): Promise<void> {
    await this.limiters?.admin_failures(request);
  }

  /** Figures for /metrics: refusals per limit, and store failures let through. */
  stats(): { refused: Record<RateLimitName, number>; store_errors: number } {
    return { refused: { ...this.refused }, store_errors: this.storeErrors };
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

  /** The onRequest hook of the routes a limit counts. */
  private limitRequests(name: RateLimitName) {
    const rule = this.rules[name];
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const state = await this.limiters![name](request);
      if (state.isAllowed) return;
      setLimitHeaders(reply, rule, state, state.isExceeded);
      if (!state.isExceeded) return;
      this.refused[name] += 1;
      const { body } = toErrorBody(
        new HttpException(
          `rate limit exceeded: ${rule.max} requests per ${rule.windowMs / 1000} s; retry after ${retryAfterS(state)} s`,
          HttpStatus.TOO_MANY_REQUESTS,
        ),
        String(request.id),
      );
      return reply.code(HttpStatus.TOO_MANY_REQUESTS).send(body);
    };
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

/** Whole seconds until the window ends, at least 1 (a 0 would invite an immediate retry). */
function retryAfterS(state: CountedState): number {
  return Math.max(1, state.ttlInSeconds);
}

/**
 * The IETF draft headers (draft-ietf-httpapi-ratelimit-headers), plus Retry-After when refused.
 * A store that failed open reports no window (ttl 0): no headers then, rather than made-up ones.
 */
function setLimitHeaders(
  reply: FastifyReply,
  rule: RateLimitRule,
  state: CountedState,
  refused: boolean,
): void {
  if (state.ttl === 0) return;
  void reply
    .header('ratelimit-limit', rule.max)
    .header('ratelimit-remaining', state.remaining)
    .header('ratelimit-reset', state.ttlInSeconds)
    .header('ratelimit-policy', `${rule.max};w=${Math.ceil(rule.windowMs / 1000)}`);
  if (refused) void reply.header('retry-after', retryAfterS(state));
}
