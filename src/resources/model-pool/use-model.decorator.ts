import { AsyncLocalStorage } from 'node:async_hooks';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import { MODEL_POOL_RESOURCE_NAME } from './model-pool.constants';
import { LoadedModel } from './model-pool.types';

/** What `@UseModel` needs from the pool: `ModelPoolService` and the core `ModelPool` both fit. */
export interface ModelLeaser {
  withModel<M extends LoadedModel = LoadedModel, T = unknown>(
    name: string,
    fn: (model: M) => Promise<T> | T,
  ): Promise<T>;
}

/**
 * The pool `@UseModel` methods use. `ModelPoolService` sets it in its constructor, so any
 * class can use the decorator without injecting the service. One app per process is the normal
 * case; when tests boot several, the last one built wins.
 */
let activePool: ModelLeaser | undefined;

export function setActiveModelPool(pool: ModelLeaser | undefined): void {
  activePool = pool;
}

interface HeldModel {
  name: string;
  model: LoadedModel;
}

const held = new AsyncLocalStorage<readonly HeldModel[]>();

/**
 * v14's `@with_ai_model`: the method runs holding a lease on the model (loaded on first use,
 * never unloaded while the method runs); inside it, `currentModel()` returns the model. The
 * decorated method always returns a Promise. `name` may be a function of the method's
 * arguments, e.g. `@UseModel((req: { model?: string }) => req.model ?? 'my-model')`.
 *
 * ```ts
 * @UseModel('my-model')
 * async answer(question: string): Promise<string> {
 *   return currentModel<MyModel>().ask(question); // MyModel extends LoadedModel
 * }
 * ```
 */
export function UseModel<A extends unknown[]>(name: string | ((...args: A) => string)) {
  return (_target: object, _key: string | symbol, descriptor: PropertyDescriptor): void => {
    const original = descriptor.value as (...args: A) => unknown;
    if (typeof original !== 'function') throw new TypeError('@UseModel() decorates methods');
    const wrapped = function (this: unknown, ...args: A): Promise<unknown> {
      const pool = activePool;
      if (!pool) {
        return Promise.reject(
          new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is not initialized'),
        );
      }
      const modelName = typeof name === 'function' ? name(...args) : name;
      return pool.withModel(modelName, (model) =>
        held.run([...(held.getStore() ?? []), { name: modelName, model }], () =>
          original.apply(this, args),
        ),
      );
    };
    // Keep metadata other decorators (@Get, ...) put on the method, whatever their order.
    for (const key of Reflect.getMetadataKeys?.(original) ?? []) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: original.name });
    descriptor.value = wrapped;
  };
}

/**
 * The model leased by the innermost enclosing `@UseModel` method (or the one named `name`), as
 * the kind `M` the caller expects under that name (the pool only knows `LoadedModel`).
 * @throws Error when called outside such a method: a programming error.
 */
export function currentModel<M extends LoadedModel = LoadedModel>(name?: string): M {
  const stack = held.getStore() ?? [];
  const found = name ? [...stack].reverse().find((h) => h.name === name) : stack[stack.length - 1];
  if (!found) {
    throw new Error(
      name
        ? `currentModel(${name}): no @UseModel(${name}) method is running`
        : 'currentModel() called outside a @UseModel method',
    );
  }
  return found.model as M;
}
