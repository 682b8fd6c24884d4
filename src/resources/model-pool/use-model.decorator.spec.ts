import 'reflect-metadata';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import {
  FakeInput,
  FakeModel,
  FakeOutput,
  REQUEST,
  deferred,
  makeFakePool,
  modelOf,
} from './testing/fake-model-loader';
import { UseModel, currentModel, setActiveModelPool } from './use-model.decorator';

class Writer {
  calls = 0;

  @UseModel('a')
  async write(request: FakeInput): Promise<FakeOutput> {
    this.calls += 1; // `this` is the instance
    return currentModel<FakeModel>().generate(request);
  }

  @UseModel((request: FakeInput) => (request.label === 'funny' ? 'b' : 'a'))
  async pick(request: FakeInput): Promise<string> {
    return (await currentModel<FakeModel>().generate(request)).text;
  }

  @UseModel('a')
  async hold(until: Promise<void>): Promise<void> {
    await until;
  }

  @UseModel('a')
  async nested(): Promise<string[]> {
    return this.inner();
  }

  @UseModel('b')
  async inner(): Promise<string[]> {
    const outer = await currentModel<FakeModel>('a').generate(REQUEST);
    const inner = await currentModel<FakeModel>().generate(REQUEST);
    return [outer.text, inner.text];
  }
}

describe('@UseModel', () => {
  afterEach(() => setActiveModelPool(undefined));

  it('runs the method holding a lease on the model, loaded on first use', async () => {
    const { pool, loader } = makeFakePool();
    setActiveModelPool(pool);
    const writer = new Writer();
    await expect(writer.write(REQUEST)).resolves.toEqual({ text: 'a: a test' });
    expect(writer.calls).toBe(1);
    expect(loader.loadCalls).toEqual(['a']);
    expect(modelOf(pool, 'a')).toMatchObject({ access_count: 1, in_use: false });
  });

  it('holds the lease for the whole method, so the model cannot be unloaded under it', async () => {
    jest.useFakeTimers();
    try {
      const { pool, loader } = makeFakePool();
      setActiveModelPool(pool);
      const release = deferred();
      const held = new Writer().hold(release.promise);
      await jest.advanceTimersByTimeAsync(10);
      expect(modelOf(pool, 'a').in_use).toBe(true);
      let unloaded = false;
      const unload = pool.unload('a').then(() => (unloaded = true));
      await jest.advanceTimersByTimeAsync(1000);
      expect(unloaded).toBe(false);
      release.resolve();
      await held;
      await unload;
      expect(loader.unloaded).toEqual(['a']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes the model name from the arguments when given a function', async () => {
    setActiveModelPool(makeFakePool().pool);
    const writer = new Writer();
    await expect(writer.pick({ ...REQUEST, label: 'funny' })).resolves.toBe('b: a test');
    await expect(writer.pick(REQUEST)).resolves.toBe('a: a test');
  });

  it('nests: currentModel() is the innermost, currentModel(name) finds an outer one', async () => {
    setActiveModelPool(makeFakePool().pool);
    await expect(new Writer().nested()).resolves.toEqual(['a: a test', 'b: a test']);
  });

  it('answers 503 when no pool is active, and currentModel() outside a method throws', async () => {
    await expect(new Writer().write(REQUEST)).rejects.toBeInstanceOf(ResourceUnavailableError);
    expect(() => currentModel()).toThrow('outside a @UseModel method');
  });

  it('keeps metadata other decorators put on the method, and its name', () => {
    const Marked = (target: object, key: string | symbol, d: PropertyDescriptor) => {
      Reflect.defineMetadata('marker', 'kept', d.value as object);
    };
    class Host {
      @UseModel('a')
      @Marked
      async run(): Promise<void> {}
    }
    expect(Reflect.getMetadata('marker', Host.prototype.run)).toBe('kept');
    expect(Host.prototype.run.name).toBe('run');
  });
});
