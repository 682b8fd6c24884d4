import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { validateConfig } from '../../config/app-config';
import { modelPoolOptions } from '../../config/resource-options';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState, ResourceType } from '../registry/resource-state';
import { ModelConfigError } from './model-pool.errors';
import { ModelPoolService } from './model-pool.service';
import { FakeLoader, FakeModel, REQUEST } from './testing/fake-model-loader';
import { UseModel, currentModel } from './use-model.decorator';
import { fakeModelsConfig } from './testing/model-config-file';

/** The pool over fake models `main` (preloaded) and `remote`. */
function makeService(env: Record<string, string> = {}) {
  const config = fakeModelsConfig(env);
  const registry = new ResourceRegistry();
  const loader = new FakeLoader().set('main', { delayMs: 0 }).set('remote', { delayMs: 0 });
  const service = new ModelPoolService(modelPoolOptions(config), registry);
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

  it('is the models resource in the registry', () => {
    const { service, registry } = make();
    expect(registry.get('models')).toBe(service);
    expect(service.type).toBe(ResourceType.AI_MODEL);
  });

  it('start-up waits for MODEL_PRELOAD; then ready and healthy', async () => {
    const { service } = make();
    await service.startUp();
    expect(service.state).toBe(ResourceState.READY);
    expect(service.status().models.find((m) => m.name === 'main')?.state).toBe('loaded');
    expect(service.missingRequiredModels()).toEqual([]);
    expect(await service.health()).toMatchObject({ status: 'healthy' });
    expect(service.stats()).toMatchObject({ name: 'models', type: 'ai_model', loads: 1 });
  });

  it('a second init or shutdown is a no-op; concurrent inits share one start', async () => {
    const { service, loader } = make();
    await Promise.all([service.startUp(), service.init(), service.init()]);
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
    await service.startUp();
    expect(service.state).toBe(ResourceState.READY);
    expect(service.missingRequiredModels()).toEqual(['main']);
    const health = await service.health();
    expect(health.status).toBe('unhealthy');
    expect(health.details).toMatchObject({ required_not_ready: ['main'], failing: ['main'] });
  });

  it('fails at init on a MODEL_PRELOAD the registry does not declare, naming the variable', async () => {
    const { service } = make({ MODEL_PRELOAD: 'main,ghost' });
    const error = await service.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelConfigError);
    expect((error as Error).message).toBe(
      'MODEL_PRELOAD names ghost, not in the model registry (main, remote)',
    );
  });

  it('features declare the default models; MODEL_CONFIG replaces them', async () => {
    const fake = new FakeLoader().set('x', { delayMs: 0 });
    const service = new ModelPoolService(
      modelPoolOptions(validateConfig({ MODEL_PRELOAD: 'x' })),
      new ResourceRegistry(),
    );
    services.push(service);
    service.registerLoader('fake', fake);
    service.registerDefaultModels([{ name: 'x', loader: 'fake', options: {}, estimated_mb: 1 }]);
    service.registerDefaultModels([{ name: 'y', loader: 'none', options: {}, estimated_mb: 1 }]);
    expect(() =>
      service.registerDefaultModels([{ name: 'x', loader: 'fake', options: {}, estimated_mb: 1 }]),
    ).toThrow('default model x is registered twice');
    await service.init();
    expect(service.declaredModels()).toEqual(['x', 'y']);
    expect(service.isDeclared('y')).toBe(true);
    expect(service.status().available).toEqual(['x']);
    expect(service.modelStatus('y')).toMatchObject({
      state: 'unavailable',
      unavailable_reason: 'no loader is registered for type none',
    });
    // The registry is fixed once the pool is in use.
    expect(() =>
      service.registerDefaultModels([{ name: 'z', loader: 'fake', options: {}, estimated_mb: 1 }]),
    ).toThrow(ModelConfigError);

    const { service: configured } = make();
    configured.registerDefaultModels([{ name: 'x', loader: 'fake', options: {}, estimated_mb: 1 }]);
    expect(configured.declaredModels()).toEqual(['main', 'remote']);
  });

  it('runs the self-test a feature registered; none registered is a typed 503', async () => {
    const { service } = make();
    await service.init();
    await expect(service.selfTest()).rejects.toBeInstanceOf(ResourceUnavailableError);
    service.registerSelfTest(() =>
      service.withModel('main', (m: FakeModel) => m.generate(REQUEST)),
    );
    await expect(service.selfTest()).resolves.toEqual({ text: 'main: a test' });
  });

  it('use after shutdown is a typed 503; initialize again serves with a fresh pool', async () => {
    const { service, loader } = make();
    await service.startUp();
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
    await service.startUp();
    class Host {
      @UseModel('main')
      async run(): Promise<string> {
        return (await currentModel<FakeModel>().generate(REQUEST)).text;
      }
    }
    await expect(new Host().run()).resolves.toBe('main: a test');
  });
});
