import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastify from 'fastify';
import { createRequire } from 'node:module';
import { validateConfig } from '../../config/app-config';
import type { RedisService } from '../../resources/redis/redis.service';
import type { FastifyReply, FastifyRequest } from './rate-limit.plugin';
import { OnRequestHook, RateLimitService } from './rate-limit.service';

const WINDOW_MS = 60_000;

/**
 * Redis as the leased store sees it: the lease script (grants min(slice, max - count)) and the
 * read script, on one fixed window per key. Every call answers on a later tick, like a socket.
 */
class FakeRedis {
  readonly enabled = true;
  readonly counts = new Map<string, number>();
  calls = 0;
  failing = false;

  key(...parts: string[]): string {
    return parts.join(':');
  }

  readonly run = async <T>(command: (connection: unknown) => Promise<T>): Promise<T> => {
    this.calls += 1;
    await Promise.resolve();
    if (this.failing) throw new Error('redis down');
    return command(this.connection);
  };

  private readonly connection = {
    evalsha: async (_sha: string, _keys: number, key: string, ...args: number[]) =>
      args.length === 0 ? this.read(key) : this.lease(key, Number(args[1]), Number(args[2])),
  };

  private lease(key: string, max: number, slice: number): number[] {
    const count = this.counts.get(key) ?? 0;
    const granted = Math.max(0, Math.min(slice, max - count));
    this.counts.set(key, count + granted);
    return [granted, count + granted, WINDOW_MS];
  }

  private read(key: string): number[] {
    const count = this.counts.get(key);
    return count === undefined ? [0, 0] : [count, WINDOW_MS];
  }
}

/** Redis left unconfigured: the limits count in-process. */
const NO_REDIS = { enabled: false } as RedisService;

/** The service installed on a stand-in app: the onRoute hook it adds is kept to be called. */
async function installed(env: Record<string, string>, redis: object = NO_REDIS) {
  const onRoute: Array<(route: { url: string; onRequest?: unknown }) => void> = [];
  const app = {
    getHttpAdapter: () => ({
      getInstance: () => ({
        addHook: (_name: string, hook: (typeof onRoute)[number]) => onRoute.push(hook),
      }),
    }),
  } as unknown as NestFastifyApplication;
  const service = new RateLimitService(validateConfig(env), redis as RedisService);
  await service.install(app);
  /** The hooks the service adds to a route with this template. */
  const hooksOf = (url: string): OnRequestHook[] => {
    const route: { url: string; onRequest?: unknown } = { url };
    for (const hook of onRoute) hook(route);
    return (route.onRequest ?? []) as OnRequestHook[];
  };
  return { service, hooksOf, app };
}

/** A request from this client, and the reply the hook writes to. */
function call(ip: string) {
  const headers: Record<string, string> = {};
  let status: number | undefined;
  let body: unknown;
  const request = { ip, id: 'req-1' } as unknown as FastifyRequest;
  const reply = {
    header(name: string, value: unknown) {
      headers[name] = String(value);
      return reply;
    },
    code(code: number) {
      status = code;
      return reply;
    },
    send(sent: unknown) {
      body = sent;
      return reply;
    },
  };
  return {
    request,
    reply: reply as unknown as FastifyReply,
    headers,
    answer: () => ({ status, body }),
  };
}

/**
 * Runs the hook for one request: `passedAtOnce` says whether it let the request go on before
 * returning, `outcome` settles once it let it go on (with `done`'s error) or answered it.
 */
function runHook(hook: OnRequestHook, ip: string) {
  const c = call(ip);
  let passedAtOnce = false;
  let returned = false;
  const outcome = new Promise<{ passed: boolean; error?: Error }>((resolve) => {
    const send = c.reply.send.bind(c.reply);
    (c.reply as unknown as { send: (body: unknown) => unknown }).send = (body) => {
      send(body);
      resolve({ passed: false });
    };
    hook(c.request, c.reply, (error) => {
      if (!returned) passedAtOnce = true;
      resolve({ passed: true, error });
    });
  });
  returned = true;
  return { ...c, passedAtOnce, outcome };
}

describe('RateLimitService', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  describe('leased from Redis', () => {
    it('lets a hit from a leased slice go on in the same tick, without asking Redis', async () => {
      const redis = new FakeRedis();
      // 120 per window: slices of 12.
      const { hooksOf } = await installed({ RATE_LIMIT_CAPTIONS_MAX: '120' }, redis);
      const [hook] = hooksOf('/api/v14/captions/generate');

      const first = runHook(hook, '198.51.100.1');
      expect(first.passedAtOnce).toBe(false);
      expect(await first.outcome).toEqual({ passed: true, error: undefined });
      expect(redis.calls).toBe(1);

      const second = runHook(hook, '198.51.100.1');
      expect(second.passedAtOnce).toBe(true);
      expect(second.headers['ratelimit-remaining']).toBe('118');
      expect(redis.calls).toBe(1);
    });

    it('limits through a store that answers later: 429 with the body and headers', async () => {
      const redis = new FakeRedis();
      // Under 20 per window: one hit leased at a time, so every hit waits for Redis.
      const { service, hooksOf } = await installed({ RATE_LIMIT_CAPTIONS_MAX: '2' }, redis);
      const [hook] = hooksOf('/api/v14/captions');
      for (let i = 0; i < 2; i++) {
        const hit = runHook(hook, '198.51.100.2');
        expect(hit.passedAtOnce).toBe(false);
        expect((await hit.outcome).passed).toBe(true);
      }
      const refused = runHook(hook, '198.51.100.2');
      expect(await refused.outcome).toEqual({ passed: false });
      expect(refused.answer()).toEqual({
        status: 429,
        body: {
          statusCode: 429,
          error: 'Too Many Requests',
          message: 'rate limit exceeded: 2 requests per 60 s; retry after 60 s',
          request_id: 'req-1',
        },
      });
      expect(refused.headers).toEqual({
        'ratelimit-limit': '2',
        'ratelimit-remaining': '0',
        'ratelimit-reset': '60',
        'ratelimit-policy': '2;w=60',
        'retry-after': '60',
      });
      expect(redis.calls).toBe(3);
      expect(service.stats().refused.captions).toBe(1);
    });

    it('lets the request through when the store fails, without headers, and counts it', async () => {
      const redis = new FakeRedis();
      const { service, hooksOf } = await installed({ RATE_LIMIT_CAPTIONS_MAX: '2' }, redis);
      const [hook] = hooksOf('/api/v14/captions');
      redis.failing = true;
      for (let i = 0; i < 3; i++) {
        const hit = runHook(hook, '198.51.100.3');
        expect(await hit.outcome).toEqual({ passed: true, error: undefined });
        expect(hit.headers).toEqual({});
      }
      expect(service.stats()).toEqual({
        refused: { captions: 0, batch: 0, admin_failures: 0 },
        store_errors: 3,
      });
      // Logged once a minute at most, counted every time.
      expect(warn).toHaveBeenCalledTimes(1);
    });

    it('counts failed admin authentications in Redis and locks the client out', async () => {
      const redis = new FakeRedis();
      const { service } = await installed({ RATE_LIMIT_ADMIN_FAILURES_MAX: '2' }, redis);
      const attacker = call('198.51.100.4');
      for (let i = 0; i < 2; i++) {
        expect(await service.adminLockedOut(attacker.request, attacker.reply)).toBe(false);
        await service.adminAuthenticationFailed(attacker.request);
      }
      expect(await service.adminLockedOut(attacker.request, attacker.reply)).toBe(true);
      expect(attacker.headers['retry-after']).toBe('60');
      expect(redis.counts.get('rate-limit:admin_failures:198.51.100.4')).toBe(2);
    });
  });

  describe('in-process (no Redis)', () => {
    it('counts in the plugin store at once: one window per limit and client, IPv6 by /64', async () => {
      const { service, hooksOf } = await installed({
        RATE_LIMIT_CAPTIONS_MAX: '2',
        RATE_LIMIT_BATCH_MAX: '1',
      });
      const [captions] = hooksOf('/api/v14/captions/generate');
      const [batch] = hooksOf('/api/v14/batch/generate');
      // Two addresses of one /64: one client.
      expect(runHook(captions, '2001:db8:1:2::1').passedAtOnce).toBe(true);
      expect(runHook(captions, '2001:db8:1:2:ffff::9').passedAtOnce).toBe(true);
      const refused = runHook(captions, '2001:db8:1:2::1');
      expect(await refused.outcome).toEqual({ passed: false });
      expect(refused.answer().status).toBe(429);
      // Another /64, and the same client's batch window, are apart.
      expect(runHook(captions, '2001:db8:1:3::1').passedAtOnce).toBe(true);
      expect(runHook(batch, '2001:db8:1:2::1').passedAtOnce).toBe(true);
      expect(service.stats().refused).toEqual({ captions: 1, batch: 0, admin_failures: 0 });
    });

    it('lets the request through when the store throws, and counts it', async () => {
      const LocalStore = createRequire(__filename)('@fastify/rate-limit/store/LocalStore') as {
        prototype: { incr: () => void };
      };
      jest.spyOn(LocalStore.prototype, 'incr').mockImplementation(() => {
        throw new Error('store broke');
      });
      const { service, hooksOf } = await installed({ RATE_LIMIT_CAPTIONS_MAX: '1' });
      const [hook] = hooksOf('/api/v14/captions');
      for (let i = 0; i < 2; i++) {
        const hit = runHook(hook, '203.0.113.1');
        expect(hit.passedAtOnce).toBe(true);
        expect(hit.headers).toEqual({});
      }
      expect(service.stats().store_errors).toBe(2);
    });

    it('locks a client out of admin calls once its failures are used up', async () => {
      const { service } = await installed({ RATE_LIMIT_ADMIN_FAILURES_MAX: '3' });
      const attacker = call('203.0.113.2');
      for (let i = 0; i < 3; i++) await service.adminAuthenticationFailed(attacker.request);
      expect(await service.adminLockedOut(attacker.request, attacker.reply)).toBe(true);
      expect(attacker.headers['ratelimit-limit']).toBe('3');
      expect(attacker.headers['ratelimit-remaining']).toBe('0');
      const other = call('203.0.113.3');
      expect(await service.adminLockedOut(other.request, other.reply)).toBe(false);
      expect(other.headers).toEqual({});
      expect(service.stats().refused.admin_failures).toBe(1);
    });

    it('hooks only the limited routes', async () => {
      const { hooksOf } = await installed({});
      expect(hooksOf('/api/v14/captions/:id')).toHaveLength(1);
      expect(hooksOf('/api/v14/batch/jobs/:id')).toHaveLength(1);
      expect(hooksOf('/api/v14/health/live')).toHaveLength(0);
      expect(hooksOf('/metrics')).toHaveLength(0);
    });
  });

  it('limits nothing when RATE_LIMIT_ENABLED=false', async () => {
    const { service, hooksOf } = await installed({ RATE_LIMIT_ENABLED: 'false' });
    expect(hooksOf('/api/v14/captions')).toHaveLength(0);
    const client = call('203.0.113.4');
    for (let i = 0; i < 20; i++) await service.adminAuthenticationFailed(client.request);
    expect(await service.adminLockedOut(client.request, client.reply)).toBe(false);
  });

  it('under Fastify: lets requests reach the route, and answers 429 itself over the limit', async () => {
    const app = fastify();
    const service = new RateLimitService(
      validateConfig({ RATE_LIMIT_CAPTIONS_MAX: '1' }),
      NO_REDIS,
    );
    await service.install({ getHttpAdapter: () => ({ getInstance: () => app }) } as never);
    app.get('/api/v14/captions', async () => ({ ok: true }));
    try {
      const ok = await app.inject({ url: '/api/v14/captions', remoteAddress: '203.0.113.5' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ ok: true });
      const refused = await app.inject({ url: '/api/v14/captions', remoteAddress: '203.0.113.5' });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('60');
      expect(refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    } finally {
      await app.close();
    }
  });
});
