import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NotFoundAppError,
  ResourceUnavailableError,
  UpstreamError,
} from '../../common/errors/app-errors';
import { validateConfig } from '../../config/app-config';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState, ResourceType } from '../registry/resource-state';
import { ModelConfigError } from './model-pool.errors';
import { ModelPoolService } from './model-pool.service';
import { FakeLoader, REQUEST } from './testing/fake-model-loader';
import { UseModel, currentModel } from './use-model.decorator';

/** A MODEL_CONFIG file of fake models: `main` (the fallback) and `remote`. */
function registryFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'model-service-'));
  const file = join(dir, 'models.json');
  writeFileSync(
    file,
    JSON.stringify({
      models: [
        { name: 'main', loader: 'fake', estimated_mb: 10 },
        { name: 'remote', loader: 'fake', estimated_mb: 10 },
        { name: 'local', loader: 'wink', estimated_mb: 40 },
      ],
    }),
  );
  return file;
}

function makeService(env: Record<string, string> = {}) {
  const config = validateConfig({
    MODEL_CONFIG: registryFile(),
    MODEL_PRELOAD: 'main',
    MODEL_FALLBACK: 'main',
    SHUTDOWN_GRACE_MS: '1000',
    ...env,
  });
  const registry = new ResourceRegistry();
  const loader = new FakeLoader().set('main', { delayMs: 0 }).set('remote', { delayMs: 0 });
  const service = new ModelPoolService(config, registry);
  service.registerLoader('fake', loader);
  return { service, registry, loader };
}

describe('ModelPoolService', () => {
  const services: ModelPoolService[] = [];
  const make = (env: Record<string, string> = {}) => {
    const made = makeService(env);
    services.push(made.service);
    return made;
  };
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.shutdown()));
  });

  it('is the ai_model resource in the registry', () => {
    const { service, registry } = make();
    expect(registry.get('ai_model')).toBe(service);
    expect(service.type).toBe(ResourceType.AI_MODEL);
  });

  it('start-up waits for MODEL_PRELOAD; then ready and healthy', async () => {
    const { service } = make();
    await service.onModuleInit();
    expect(service.state).toBe(ResourceState.READY);
    expect(service.status().models.find((m) => m.name === 'main')?.state).toBe('loaded');
    expect(service.missingRequiredModels()).toEqual([]);
    expect(await service.health()).toMatchObject({ status: 'healthy' });
    expect(service.stats()).toMatchObject({ name: 'ai_model', type: 'ai_model', loads: 1 });
  });

  it('a second init or shutdown is a no-op; concurrent inits share one start', async () => {
    const { service, loader } = make();
    await Promise.all([service.onModuleInit(), service.init(), service.init()]);
    await service.init();
    expect(loader.loadsOf('main')).toBe(1);
    await Promise.all([service.shutdown(), service.shutdown()]);
    await service.shutdown();
    expect(loader.unloaded).toEqual(['main']);
    expect(service.state).toBe(ResourceState.CLOSED);
  });

  it('a failed preload does not stop start-up, but health is unhealthy (readiness 503)', async () => {
    const { service, loader } = make();
    loader.set('main', { delayMs: 0, failTimes: 1, failMessage: 'disk full' });
    await service.onModuleInit();
    expect(service.state).toBe(ResourceState.READY);
    expect(service.missingRequiredModels()).toEqual(['main']);
    const health = await service.health();
    expect(health.status).toBe('unhealthy');
    expect(health.details).toMatchObject({ required_not_ready: ['main'], failing: ['main'] });
  });

  it('fails fast on a MODEL_PRELOAD or MODEL_FALLBACK the registry does not declare', () => {
    expect(() => makeService({ MODEL_PRELOAD: 'main,ghost' })).toThrow(ModelConfigError);
    expect(() => makeService({ MODEL_PRELOAD: 'main,ghost' })).toThrow(/MODEL_PRELOAD names ghost/);
    expect(() => makeService({ MODEL_FALLBACK: 'ghost' })).toThrow(/MODEL_FALLBACK names ghost/);
  });

  it('refuses to preload a model that is not available here (openai without OPENAI_BASE_URL)', async () => {
    const config = validateConfig({ MODEL_PRELOAD: 'openai-compatible' });
    const service = new ModelPoolService(config, new ResourceRegistry());
    services.push(service);
    await expect(service.onModuleInit()).rejects.toThrow(
      'MODEL_PRELOAD names openai-compatible, which is not available: set OPENAI_BASE_URL to enable it',
    );
  });

  it('the built-in registry lists openai-compatible as unavailable without OPENAI_BASE_URL', () => {
    const service = new ModelPoolService(validateConfig({}), new ResourceRegistry());
    services.push(service);
    const status = service.status();
    expect(status.available).toEqual(['caption-local']);
    expect(status.models.map((m) => [m.name, m.state])).toEqual([
      ['caption-local', 'unloaded'],
      ['openai-compatible', 'unavailable'],
    ]);
  });

  it('generateCaption uses MODEL_FALLBACK by default', async () => {
    const { service } = make();
    await service.onModuleInit();
    await expect(service.generateCaption(REQUEST)).resolves.toEqual({
      caption: 'main: a test',
      hashtags: [],
      model: 'main',
      fallback: false,
    });
  });

  it('falls back to MODEL_FALLBACK when the requested model fails server-side', async () => {
    const { service, loader } = make();
    await service.onModuleInit();
    loader.set('remote', { delayMs: 0, failTimes: 1 });
    await expect(service.generateCaption(REQUEST, { model: 'remote' })).resolves.toMatchObject({
      caption: 'main: a test',
      model: 'main',
      fallback: true,
    });
    // an upstream failure during generation falls back too
    await service.load('remote');
    const upstream = service.withModel('remote', (m) => m);
    const model = await upstream;
    jest.spyOn(model, 'generate').mockRejectedValueOnce(new UpstreamError('upstream 500'));
    await expect(service.generateCaption(REQUEST, { model: 'remote' })).resolves.toMatchObject({
      fallback: true,
    });
  });

  it('does not fall back on client errors, nor when told not to', async () => {
    const { service, loader } = make();
    await service.onModuleInit();
    await expect(service.generateCaption(REQUEST, { model: 'ghost' })).rejects.toBeInstanceOf(
      NotFoundAppError,
    );
    loader.set('remote', { delayMs: 0, failTimes: 1, failMessage: 'nope' });
    await expect(
      service.generateCaption(REQUEST, { model: 'remote', fallback: false }),
    ).rejects.toThrow('model remote failed to load: nope');
  });

  it('reports the requested model’s error when the fallback fails as well', async () => {
    const { service, loader } = make();
    loader.set('main', { delayMs: 0, failTimes: 5, failMessage: 'main broken' });
    loader.set('remote', { delayMs: 0, failTimes: 1, failMessage: 'remote broken' });
    await service.onModuleInit();
    await expect(service.generateCaption(REQUEST, { model: 'remote' })).rejects.toThrow(
      'remote broken',
    );
  });

  it('use after shutdown is a typed 503; initialize again serves with a fresh pool', async () => {
    const { service, loader } = make();
    await service.onModuleInit();
    await service.shutdown();
    expect(loader.unloaded).toEqual(['main']);
    const error = await service.withModel('main', () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceUnavailableError);
    expect((error as ResourceUnavailableError).status).toBe(503);
    await expect(service.load('main')).rejects.toBeInstanceOf(ResourceUnavailableError);

    await service.init();
    expect(service.state).toBe(ResourceState.READY);
    await expect(service.withModel('main', () => 'back')).resolves.toBe('back');
    expect(loader.loadsOf('main')).toBe(2);
  });

  it('is the pool @UseModel methods use', async () => {
    const { service } = make();
    await service.onModuleInit();
    class Host {
      @UseModel('main')
      async run(): Promise<string> {
        return (await currentModel().generate(REQUEST)).caption;
      }
    }
    await expect(new Host().run()).resolves.toBe('main: a test');
  });

  it('really generates with the wink model declared in MODEL_CONFIG', async () => {
    const { service } = make();
    await service.onModuleInit();
    const result = await service.generateCaption(
      {
        ...REQUEST,
        content_description: 'Fresh sourdough bread from our bakery',
        hashtag_count: 3,
      },
      { model: 'local' },
    );
    expect(result.model).toBe('local');
    expect(result.caption.toLowerCase()).toContain('sourdough');
    expect(result.hashtags).toHaveLength(3);
  });
});
