import { Test } from '@nestjs/testing';
import { validateConfig } from '../../config/app-config';
import { modelPoolOptions } from '../../config/resource-options';
import { RegistryTestModule } from '../../resources/registry/testing/registry-test.module';
import { AppConfigModule } from '../../config/config.module';
import { MODEL_POOL_OPTIONS } from '../../resources/model-pool/model-pool.module-definition';
import { ModelPoolService } from '../../resources/model-pool/model-pool.service';
import { ResourceRegistry } from '../../resources/registry/resource-registry.service';
import { CaptionModelsRegistrar, captionModelSpecs } from './caption-models.registrar';
import { MODEL_HTTP_REQUESTER } from './caption-models.constants';
import { createHttpPool } from '../../resources/http-pool/testing/http-pool.fixture';
import { FetchRequester } from './testing/fetch-requester';

describe('CaptionModelsRegistrar', () => {
  const services: ModelPoolService[] = [];
  /** The pool with the caption models registered, as CaptionsModule does it. */
  const make = (env: Record<string, string> = {}) => {
    const config = validateConfig({ SHUTDOWN_GRACE_MS: '1000', ...env });
    const service = new ModelPoolService(modelPoolOptions(config), new ResourceRegistry());
    new CaptionModelsRegistrar(service, config);
    services.push(service);
    return service;
  };
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.shutdown()));
  });

  it('has a built-in registry with caption-local (wink) and openai-compatible (openai)', () => {
    expect(captionModelSpecs().map((s) => [s.name, s.loader])).toEqual([
      ['caption-local', 'wink'],
      ['openai-compatible', 'openai'],
    ]);
  });

  it('the built-in registry lists openai-compatible as unavailable without OPENAI_BASE_URL', () => {
    const status = make().status();
    expect(status.available).toEqual(['caption-local']);
    expect(status.models.map((m) => [m.name, m.state])).toEqual([
      ['caption-local', 'unloaded'],
      ['openai-compatible', 'unavailable'],
    ]);
  });

  it('refuses to preload a model that is not available here (openai without OPENAI_BASE_URL)', async () => {
    const service = make({ MODEL_PRELOAD: 'openai-compatible' });
    await expect(service.init()).rejects.toThrow(
      'MODEL_PRELOAD names openai-compatible, which is not available: set OPENAI_BASE_URL to enable it',
    );
  });

  it('makes the models depend on the HTTP pool when that is their requester, and on nothing else', () => {
    const config = validateConfig({ SHUTDOWN_GRACE_MS: '1000' });
    const { pool: http } = createHttpPool();
    const withPool = new ModelPoolService(modelPoolOptions(config), new ResourceRegistry());
    new CaptionModelsRegistrar(withPool, config, http);
    expect(withPool.dependsOn).toEqual(['http']);

    const withFetch = new ModelPoolService(modelPoolOptions(config), new ResourceRegistry());
    new CaptionModelsRegistrar(withFetch, config, new FetchRequester());
    expect(withFetch.dependsOn).toEqual([]);
  });

  it('in a Nest module: registers before the pool initializes, with the injected requester', async () => {
    const config = validateConfig({
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      LOG_LEVEL: 'silent',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AppConfigModule.forRoot(config), RegistryTestModule],
      providers: [
        { provide: MODEL_POOL_OPTIONS, useValue: modelPoolOptions(config) },
        ModelPoolService,
        CaptionModelsRegistrar,
        { provide: MODEL_HTTP_REQUESTER, useValue: new FetchRequester() },
      ],
    }).compile();
    const service = moduleRef.get(ModelPoolService);
    services.push(service);
    expect(service.declaredModels()).toEqual(['caption-local', 'openai-compatible']);
    expect(service.availableModels()).toEqual(['caption-local', 'openai-compatible']);
    await moduleRef.close();
  });
});
