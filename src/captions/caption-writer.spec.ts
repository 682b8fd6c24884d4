import { InvalidInputError, NotFoundAppError, UpstreamError } from '../common/errors/app-errors';
import { ModelConfigError } from '../resources/model-pool/model-pool.errors';
import { ModelPoolService } from '../resources/model-pool/model-pool.service';
import { ResourceRegistry } from '../resources/registry/resource-registry.service';
import { CaptionWriter, SELF_TEST_CAPTION, isServerSide } from './caption-writer';
import { CaptionModel } from './models/caption-model.types';
import { CaptionModelsRegistrar } from './models/caption-models.registrar';
import {
  CAPTION_REQUEST as REQUEST,
  FakeCaptionLoader,
} from './models/testing/fake-caption-loader';
import { fakeModelsConfig } from '../resources/model-pool/testing/model-config-file';
import { modelPoolOptions } from '../config/resource-options';

/** The pool, the caption models registered as CaptionsModule does, and the writer. */
function makeWriter(env: Record<string, string> = {}) {
  // Fake `main` (the fallback) and `remote`, and a real wink one.
  const config = fakeModelsConfig(env, [{ name: 'local', loader: 'wink', estimated_mb: 40 }]);
  const service = new ModelPoolService(modelPoolOptions(config), new ResourceRegistry());
  new CaptionModelsRegistrar(service, config); // the wink and openai loader types
  const loader = new FakeCaptionLoader();
  loader.fake.set('main', { delayMs: 0 }).set('remote', { delayMs: 0 });
  service.registerLoader('fake', loader);
  const writer = new CaptionWriter(service, config);
  return { service, writer, loader: loader.fake };
}

describe('CaptionWriter', () => {
  const services: ModelPoolService[] = [];
  const make = (env: Record<string, string> = {}) => {
    const made = makeWriter(env);
    services.push(made.service);
    return made;
  };
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.shutdown()));
  });

  it('generateCaption uses MODEL_FALLBACK by default', async () => {
    const { service, writer } = make();
    await service.init();
    expect(writer.defaultModel).toBe('main');
    await expect(writer.generateCaption(REQUEST)).resolves.toEqual({
      caption: 'main: a test',
      hashtags: [],
      model: 'main',
      fallback: false,
    });
  });

  it('falls back to MODEL_FALLBACK when the requested model fails server-side', async () => {
    const { service, writer, loader } = make();
    await service.init();
    loader.set('remote', { delayMs: 0, failTimes: 1 });
    await expect(writer.generateCaption(REQUEST, { model: 'remote' })).resolves.toMatchObject({
      caption: 'main: a test',
      model: 'main',
      fallback: true,
    });
    // an upstream failure during generation falls back too
    await service.load('remote');
    const model = await service.withModel('remote', (m: CaptionModel) => m);
    jest.spyOn(model, 'generate').mockRejectedValueOnce(new UpstreamError('upstream 500'));
    await expect(writer.generateCaption(REQUEST, { model: 'remote' })).resolves.toMatchObject({
      fallback: true,
    });
  });

  it('does not fall back on client errors, nor when told not to', async () => {
    const { service, writer, loader } = make();
    await service.init();
    await expect(writer.generateCaption(REQUEST, { model: 'ghost' })).rejects.toBeInstanceOf(
      NotFoundAppError,
    );
    loader.set('remote', { delayMs: 0, failTimes: 1, failMessage: 'nope' });
    await expect(
      writer.generateCaption(REQUEST, { model: 'remote', fallback: false }),
    ).rejects.toThrow('model remote failed to load: nope');
  });

  it('reports the requested model’s error when the fallback fails as well', async () => {
    const { service, writer, loader } = make();
    loader.set('main', { delayMs: 0, failTimes: 5, failMessage: 'main broken' });
    loader.set('remote', { delayMs: 0, failTimes: 1, failMessage: 'remote broken' });
    await service.init();
    await expect(writer.generateCaption(REQUEST, { model: 'remote' })).rejects.toThrow(
      'remote broken',
    );
  });

  it('really generates with the wink model declared in MODEL_CONFIG', async () => {
    const { service, writer } = make();
    await service.init();
    const result = await writer.generateCaption(
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

  it('fails start-up on a MODEL_FALLBACK the registry does not declare, naming the variable', () => {
    const { writer } = make({ MODEL_FALLBACK: 'ghost' });
    expect(() => writer.onModuleInit()).toThrow(ModelConfigError);
    expect(() => writer.onModuleInit()).toThrow(
      'MODEL_FALLBACK names ghost, not in the model registry (main, remote, local)',
    );
    const { writer: fine } = make();
    expect(() => fine.onModuleInit()).not.toThrow();
  });

  it('registers the performance self-test: one caption from the default model', async () => {
    const { service } = make();
    await service.init();
    await expect(service.selfTest()).resolves.toEqual({
      caption: `main: ${SELF_TEST_CAPTION.content_description}`,
      hashtags: [],
    });
  });

  it('counts 5xx and untyped errors as server-side, 4xx as the client’s', () => {
    expect(isServerSide(new Error('boom'))).toBe(true);
    expect(isServerSide(new UpstreamError('502'))).toBe(true);
    expect(isServerSide(new InvalidInputError('bad'))).toBe(false);
    expect(isServerSide(new NotFoundAppError('none'))).toBe(false);
  });
});
