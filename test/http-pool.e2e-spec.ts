import { Controller, Get, Logger, Module, Query } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AllExceptionsFilter } from '../src/common/filters/all-exceptions.filter';
import { validateConfig } from '../src/config/app-config';
import { httpPoolOptions } from '../src/config/resource-options';
import { RegistryTestModule } from '../src/resources/registry/testing/registry-test.module';
import { HttpPoolModule } from '../src/resources/http-pool/http-pool.module';
import { HttpPoolService } from '../src/resources/http-pool/http-pool.service';
import { TestUpstream, reply } from '../src/resources/http-pool/testing/test-upstream';
import { ResourceState } from '../src/resources/registry/resource-state';

/**
 * HttpPoolModule inside a Nest app on Fastify, against a loopback upstream: the status route
 * under the global prefix, the Nest lifecycle hooks, and how the pool's typed errors reach an
 * HTTP client through the global exception filter. Retry, breaker and keep-alive details are
 * covered by the unit specs beside the code (src/resources/http-pool/*.spec.ts).
 */

/** A stand-in for a feature that calls an upstream through the pool. */
@Controller('probe')
class ProbeController {
  static target = '';
  constructor(private readonly pool: HttpPoolService) {}

  @Get()
  async probe(@Query('path') path = '/', @Query('timeout_ms') timeoutMs?: string) {
    const response = await this.pool.request({
      method: 'GET',
      url: `${ProbeController.target}${path}`,
      timeoutMs: timeoutMs ? Number(timeoutMs) : undefined,
    });
    return { upstream_status: response.status, data: response.data };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('HttpPoolModule (e2e, loopback upstream)', () => {
  let app: NestFastifyApplication;
  let pool: HttpPoolService;
  let upstream: TestUpstream;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    upstream = await TestUpstream.start((req, res) => {
      const path = req.url?.split('?')[0];
      if (path === '/hang') return; // never answers; close() ends it
      if (path === '/down') return reply(res, 503);
      reply(res, 200, { ok: true });
    });
    ProbeController.target = upstream.url;
    const config = validateConfig({
      NODE_ENV: 'test',
      HTTP_BREAKER_THRESHOLD: '3',
      HTTP_RETRIES: '0',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [RegistryTestModule, HttpPoolModule.forRoot(httpPoolOptions(config)), ProbeModule],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.setGlobalPrefix('api/v14');
    app.useGlobalFilters(new AllExceptionsFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    pool = app.get(HttpPoolService);
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('is initialized by the module lifecycle and serves its status under /api/v14', async () => {
    await get('/api/v14/probe');
    const res = await get('/api/v14/resources/pools/http/status');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'http',
      type: 'http_client',
      state: 'ready',
      max_connections: 100,
      timeout_ms: 30_000,
      sockets: { active: 0, free: 1, pending: 0 },
      requests: 1,
      errors: 0,
      hosts: {
        [`127.0.0.1:${upstream.port}`]: {
          active: 0,
          free: 1,
          pending: 0,
          requests: 1,
          errors: 0,
          circuit: 'closed',
        },
      },
    });
  });

  it('answers 502 with the contract body when the upstream fails', async () => {
    const res = await get('/api/v14/probe?path=/down');
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({
      statusCode: 502,
      code: 'E_UPSTREAM',
      request_id: expect.any(String),
    });
  });

  it('answers 504 when the upstream misses the deadline', async () => {
    const res = await get('/api/v14/probe?path=/hang&timeout_ms=100');
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ code: 'E_UPSTREAM_TIMEOUT' });
  });

  it('answers 503 with Retry-After once the host circuit is open, and shows it in status', async () => {
    await get('/api/v14/probe'); // a success resets the count of consecutive failures
    for (let i = 0; i < 3; i++)
      expect((await get('/api/v14/probe?path=/down')).statusCode).toBe(502);
    const seen = upstream.requests;
    const res = await get('/api/v14/probe?path=/down');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'E_CIRCUIT_OPEN' });
    expect(res.headers['retry-after']).toBe('10');
    expect(upstream.requests).toBe(seen);
    const status = (await get('/api/v14/resources/pools/http/status')).json();
    expect(status.hosts[`127.0.0.1:${upstream.port}`].circuit).toBe('open');
  });

  it('closes the pool when the app closes', async () => {
    await app.close();
    expect(pool.state).toBe(ResourceState.CLOSED);
  });
});
