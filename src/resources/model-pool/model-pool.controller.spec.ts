import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AllExceptionsFilter } from '../../common/filters/all-exceptions.filter';
import { installSchemaValidation } from '../../common/validation/schema-validation';
import { validateConfig } from '../../config/app-config';
import { modelPoolOptions } from '../../config/resource-options';
import { RegistryTestModule } from '../registry/testing/registry-test.module';
import { AppConfigModule } from '../../config/config.module';
import { ModelPoolModule } from './model-pool.module';
import { ModelPoolService } from './model-pool.service';
import { FakeLoader, deferred } from './testing/fake-model-loader';
import { writeModelConfig } from './testing/model-config-file';

const ADMIN_KEY = 'model-pool-admin-key-0123';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

describe('ModelPoolController over HTTP (Fastify)', () => {
  let app: NestFastifyApplication;
  let service: ModelPoolService;
  let loader: FakeLoader;

  beforeAll(async () => {
    const file = writeModelConfig([
      { name: 'caption-local', loader: 'fake', estimated_mb: 10 },
      { name: 'small', loader: 'fake', estimated_mb: 10 },
      { name: 'huge', loader: 'fake', estimated_mb: 4096 },
    ]);
    const config = validateConfig({
      ADMIN_API_KEY: ADMIN_KEY,
      MODEL_CONFIG: file,
      MODEL_MEMORY_LIMIT_MB: '100',
      LOG_LEVEL: 'silent',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot(config), // the admin key guard reads ADMIN_API_KEY from it
        RegistryTestModule,
        ModelPoolModule.forRoot(modelPoolOptions(config)),
      ],
    }).compile();
    moduleRef.useLogger(false);
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new AllExceptionsFilter());
    installSchemaValidation(app.getHttpAdapter().getInstance());
    service = app.get(ModelPoolService);
    loader = new FakeLoader().set('caption-local', { delayMs: 0, sizeMb: 12 });
    loader.set('small', { delayMs: 0, sizeMb: 5 });
    service.registerLoader('fake', loader);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('GET status answers the contract body, with the preloaded model loaded', async () => {
    const res = await app.inject({ method: 'GET', url: '/resources/models/status' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining([
        'models',
        'available',
        'cache_size',
        'memory_limit_mb',
        'memory_used_mb',
        'loads',
        'evictions',
      ]),
    );
    expect(body.models[0]).toMatchObject({
      name: 'caption-local',
      state: 'loaded',
      memory_mb: 12,
      in_use: false,
      access_count: 0,
    });
    expect(body.memory_limit_mb).toBe(100);
  });

  it('POST load needs the admin key', async () => {
    const res = await app.inject({ method: 'POST', url: '/resources/models/small/load' });
    expect(res.statusCode).toBe(401);
  });

  it('POST load answers 201 when it loads, 200 when already loaded', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/resources/models/small/load',
      headers: admin,
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      name: 'small',
      status: 'loaded',
      model: { state: 'loaded', memory_mb: 5 },
    });
    const again = await app.inject({
      method: 'POST',
      url: '/resources/models/small/load',
      headers: admin,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'already_loaded' });
  });

  it.each([
    ['an unknown name', 'nope', 404],
    ['a path', '..%2F..%2Fetc%2Fpasswd', 400],
    ['a name with a space', 'A%20B', 400],
    ['upper case', 'Small', 400],
    ['a model over the memory limit', 'huge', 507],
  ])('POST load of %s answers %i', async (_what, name, status) => {
    const res = await app.inject({
      method: 'POST',
      url: `/resources/models/${name}/load`,
      headers: admin,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ statusCode: status, request_id: expect.any(String) });
  });

  it('DELETE waits for in-flight uses, answers 200, and 404 once not loaded', async () => {
    await service.load('small');
    const release = deferred();
    const held = service.withModel('small', () => release.promise);
    let answered = false;
    const deleting = app
      .inject({ method: 'DELETE', url: '/resources/models/small', headers: admin })
      .then((res) => {
        answered = true;
        return res;
      });
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect(loader.unloaded).not.toContain('small');

    release.resolve();
    await held;
    const res = await deleting;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ name: 'small', status: 'unloaded' });
    expect(loader.unloaded).toContain('small');

    const again = await app.inject({
      method: 'DELETE',
      url: '/resources/models/small',
      headers: admin,
    });
    expect(again.statusCode).toBe(404);
  });

  it('DELETE of an unknown or malformed name answers 404 / 400, and needs the key', async () => {
    expect(
      (await app.inject({ method: 'DELETE', url: '/resources/models/nope', headers: admin }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: '/resources/models/A%20B', headers: admin }))
        .statusCode,
    ).toBe(400);
    expect(
      (await app.inject({ method: 'DELETE', url: '/resources/models/small' })).statusCode,
    ).toBe(401);
  });
});
