import { ModelPool, ModelPoolOptions } from '../model-pool';
import { LoadedModel, ModelLoader, ModelSpec, ModelStatus } from '../model-pool.types';
import { ModelLoaderRegistry } from '../model-loader.registry';
import { ModelRegistry } from '../model-registry';

/** How the fake loader treats one model. Times are on jest's fake clock. */
export interface FakeBehaviour {
  /** How long a load takes, ms. Default 10. */
  delayMs?: number;
  /** Footprint the loaded model reports, MB; undefined makes the pool measure it. */
  sizeMb?: number;
  /** The next N loads fail with this message. */
  failTimes?: number;
  failMessage?: string;
  /** Loads never finish by themselves (until `finishHung`). */
  hang?: boolean;
  /** The loaded model's `unload()` throws this message (and is not recorded as unloaded). */
  unloadFailMessage?: string;
}

/** A loader with declared sizes and delays that records what happened, for pool tests. */
export class FakeLoader implements ModelLoader<FakeModel> {
  readonly behaviour = new Map<string, FakeBehaviour>();
  readonly loadCalls: string[] = [];
  readonly unloaded: string[] = [];
  readonly signals: AbortSignal[] = [];
  active = 0;
  maxActive = 0;
  private hung: Array<() => void> = [];

  set(name: string, behaviour: FakeBehaviour): this {
    this.behaviour.set(name, behaviour);
    return this;
  }

  /** Lets every hung load finish (successfully). */
  finishHung(): void {
    const hung = this.hung;
    this.hung = [];
    for (const finish of hung) finish();
  }

  async load(spec: ModelSpec, signal: AbortSignal): Promise<FakeModel> {
    const b = this.behaviour.get(spec.name) ?? {};
    this.loadCalls.push(spec.name);
    this.signals.push(signal);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (b.hang) await new Promise<void>((resolve) => this.hung.push(resolve));
      else await new Promise((resolve) => setTimeout(resolve, b.delayMs ?? 10));
      if (b.failTimes && b.failTimes > 0) {
        b.failTimes -= 1;
        throw new Error(b.failMessage ?? `cannot load ${spec.name}`);
      }
    } finally {
      this.active -= 1;
    }
    return new FakeModel(spec.name, b.sizeMb, this.unloaded, b.unloadFailMessage);
  }

  /** How many times `name` was loaded. */
  loadsOf(name: string): number {
    return this.loadCalls.filter((n) => n === name).length;
  }
}

export class FakeModel implements LoadedModel {
  constructor(
    readonly name: string,
    readonly memoryMb: number | undefined,
    private readonly unloaded: string[],
    private readonly unloadFailMessage?: string,
  ) {}

  /** The fake's inference: answers `<model name>: <text>`. */
  async generate(input: FakeInput): Promise<FakeOutput> {
    return { text: `${this.name}: ${input.text}` };
  }

  unload(): void {
    if (this.unloadFailMessage) throw new Error(this.unloadFailMessage);
    this.unloaded.push(this.name);
  }
}

/** A registry of fake models (loader `fake`), `[name, estimated_mb]`. */
export function fakeRegistry(models: Array<[string, number]>): ModelRegistry {
  return new ModelRegistry(
    models.map(([name, estimated_mb]) => ({ name, loader: 'fake', options: {}, estimated_mb })),
  );
}

export function fakeLoaders(loader: FakeLoader): ModelLoaderRegistry {
  return new ModelLoaderRegistry().register('fake', loader);
}

/** A promise with its resolve function, to hold a lease open in a test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What a fake model is asked: a text, and a free label tests may pick a model by. */
export interface FakeInput {
  text: string;
  label?: string;
}

/** What a fake model answers. */
export interface FakeOutput {
  text: string;
}

export const REQUEST: FakeInput = { text: 'a test' };

/** A pool of fake models a, b, c, d (10 MB estimates) with roomy limits unless overridden. */
export function makeFakePool(
  options: Partial<ModelPoolOptions> = {},
  models: Array<[string, number]> = [
    ['a', 10],
    ['b', 10],
    ['c', 10],
    ['d', 10],
  ],
): { pool: ModelPool; loader: FakeLoader } {
  const loader = new FakeLoader();
  const pool = new ModelPool(fakeRegistry(models), fakeLoaders(loader), {
    cacheSize: 5,
    memoryLimitMb: 1000,
    maxConcurrentLoads: 2,
    loadTimeoutMs: 10_000,
    idleTtlMs: 60_000,
    measureMemoryBytes: () => 0,
    ...options,
  });
  return { pool, loader };
}

/** One model's status line. */
export function modelOf(pool: ModelPool, name: string): ModelStatus {
  const found = pool.status().models.find((m) => m.name === name);
  if (!found) throw new Error(`no model ${name} in status`);
  return found;
}
