import { LoadedModel, ModelLoader } from './model-pool.types';

/** Loader types by name. The pool looks the loader up at load time, so late registration works. */
export class ModelLoaderRegistry {
  private readonly loaders = new Map<string, ModelLoader>();

  /** Adds (or replaces) the loader for `type`. */
  register<M extends LoadedModel>(type: string, loader: ModelLoader<M>): this {
    this.loaders.set(type, loader);
    return this;
  }

  get(type: string): ModelLoader | undefined {
    return this.loaders.get(type);
  }

  types(): string[] {
    return [...this.loaders.keys()];
  }
}
