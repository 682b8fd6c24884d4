import { Global, Module } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { AllExceptionsFilter } from '../../common/filters/all-exceptions.filter';
import { LifecycleModule } from '../../common/lifecycle/lifecycle.module';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { validateConfig } from '../../config/app-config';
import { AppConfigModule } from '../../config/config.module';
import { ManagedResourceBase, ResourceHealth } from './managed-resource';
import { RegistryModule } from './registry.module';
import { ResourceRegistry } from './resource-registry.service';
import { ResourceType } from './resource-state';

const ADMIN_KEY = 'registry-admin-key-0123';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

class StubResource extends ManagedResourceBase {
  down = false;
  constructor(name: string, type: ResourceType) {
    super(name, type, { required: true });
  }
  observe() {
    return { operations: 0, errors: 0, figures: {} };
  }
  stats() {
    return {};
  }
  protected async doInit() {
    if (this.down) throw new Error('unreachable');
  }
  protected async doShutdown() {}
  protected async probe(): Promise<ResourceHealth> {
    return { status: 'healthy' };
  }
}

@Global()
@Module({ imports: [LifecycleModule], exports: [LifecycleModule] })
class TestLifecycleModule {}

describe('ResourcesAdminController over HTTP (Fastify)', () => {
  let app: NestFastifyApplication;
  let lifecycle: LifecycleService;
  let redis: StubResource;

  // A fresh app per test, so no test depends on the states another left behind.
  beforeEach(async () => {
    const config = validateConfig({ ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
    const moduleRef = await Test.createTestingModule({
      imports: [AppConfigModule.forRoot(config), TestLifecycleModule, RegistryModule],
    }).compile();
    moduleRef.useLogger(false);
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new AllExceptionsFilter());
    const registry = app.get(ResourceRegistry);
    redis = new StubResource('redis', ResourceType.REDIS);
    registry.register(redis);
    registry.register(new StubResource('database', ResourceType.DATABASE));
    lifecycle = app.get(LifecycleService);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterEach(() => app.close());

  const post = (url: string, headers: Record<string, string> = admin) =>
    app.inject({ method: 'POST', url, headers });

  it('POST initialize and shutdown refuse a caller without the admin key', async () => {
    for (const url of ['/resources/initialize', '/resources/shutdown']) {
      const res = await post(url, {});
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    expect(redis.state).toBe('ready'); // as the boot left it
  });

  it('POST shutdown closes every resource and answers 200 with their states', async () => {
    await post('/resources/initialize');
    const res = await post('/resources/shutdown');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'shutdown',
      drained: true,
      resources: { database: 'closed', redis: 'closed' },
    });
    expect(lifecycle.shuttingDown).toBe(true);
  });

  it('POST initialize reopens them and answers 200, or degraded while one fails', async () => {
    await post('/resources/shutdown');
    redis.down = true;
    const degraded = await post('/resources/initialize');
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toEqual({
      status: 'degraded',
      resources: { database: 'ready', redis: 'error' },
    });
    expect(lifecycle.shuttingDown).toBe(true);

    redis.down = false;
    const res = await post('/resources/initialize');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'initialized',
      resources: { database: 'ready', redis: 'ready' },
    });
    expect(lifecycle.shuttingDown).toBe(false);
  });

  it('documents both routes in OpenAPI under resources, with a 200 schema and example that are what the route answers', async () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    for (const route of ['shutdown', 'initialize']) {
      const operation = doc.paths[`/resources/${route}`]?.post;
      expect(operation?.tags).toEqual(['resources']);
      expect(operation?.summary).toEqual(expect.stringMatching(/\w+ \w+/));
      const documented = operation?.responses['200'] as {
        content: Record<string, { schema: { properties: object; examples: object[] } }>;
      };
      const { properties, examples } = documented.content['application/json'].schema;
      const real = (await post(`/resources/${route}`)).json();
      expect(Object.keys(properties).sort()).toEqual(Object.keys(real).sort());
      expect(Object.keys(examples[0]).sort()).toEqual(Object.keys(real).sort());
      expect(real).toMatchObject(examples[0]);
    }
  });
});
