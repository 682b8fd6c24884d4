import { Inject, Injectable } from '@nestjs/common';
import { ResourceUnavailableError } from '../../common/errors/app-errors';
import type { MetricDefinitions } from '../../common/metrics/metric-definitions';
import { ManagedResourceBase, ResourceHealth } from '../registry/managed-resource';
import type { ResourceObservation, SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceType } from '../registry/resource-state';
import { ModelLoaderRegistry } from './model-loader.registry';
import { ModelPool } from './model-pool';
import { MODEL_POOL_RESOURCE_NAME } from './model-pool.constants';
import { ModelConfigError } from './model-pool.errors';
import { defineModelMetrics } from './model-pool.metrics';
import { MODEL_POOL_OPTIONS } from './model-pool.module-definition';
import { observeModelPool } from './model-pool.observation';
import { ModelPoolModuleOptions } from './model-pool.options';
import {
  LoadedModel,
  ModelLoader,
  ModelPoolStatus,
  ModelSpec,
  ModelStatus,
} from './model-pool.types';
import { ModelRegistry, loadModelRegistryFile } from './model-registry';
import { setActiveModelPool } from './use-model.decorator';
import { ModelWorkerSettings } from './workers/model-worker-settings';
import { ModelWorkers } from './workers/model-workers';
import { WorkerLoaderRegistration } from './workers/worker-model.types';

/** Where models registered to run in workers run when no settings are given: inline. */
const INLINE: ModelWorkerSettings = {
  threads: 0,
  queueLimit: 0,
  inferenceTimeoutMs: 30_000,
};

/** How an inline loader is registered. */
export interface InlineLoaderOptions {
  /**
   * Absolute path of a module exporting `load(spec)` that builds the same model (a worker model
   * module): the footprint is then measured once by loading it in a short-lived thread, instead
   * of as the shared heap's growth across the load (blurred by everything else, and smaller on
   * a reload since modules stay cached).
   */
  footprintModule?: string;
}

/**
 * The model pool as a managed resource (`models`): Nest lifecycle, configuration, registered
 * loaders, health. The pool itself is the framework-free `ModelPool`. It knows no model kind:
 * features register their loader types (`registerLoader`) and the models declared when
 * MODEL_CONFIG is unset (`registerDefaultModels`), from their providers' constructors.
 */
@Injectable()
export class ModelPoolService extends ManagedResourceBase {
  /** Loader types; modules add theirs with `registerLoader`. */
  private readonly loaders = new ModelLoaderRegistry();
  /** MODEL_CONFIG's models, when it is set: they replace every feature's default models. */
  private readonly configured?: readonly ModelSpec[];
  /** What features declared with `registerDefaultModels`, used when MODEL_CONFIG is unset. */
  private readonly defaults: ModelSpec[] = [];
  private declared?: ModelRegistry;
  private built?: ModelPool;
  private selfTestRun?: () => Promise<unknown>;
  /** Worker threads of the models registered to run in them. */
  private readonly workers: ModelWorkers;

  constructor(
    @Inject(MODEL_POOL_OPTIONS) private readonly options: ModelPoolModuleOptions,
    registry: ResourceRegistry,
  ) {
    super(MODEL_POOL_RESOURCE_NAME, ResourceType.AI_MODEL, { required: true });
    // A bad MODEL_CONFIG file stops the start here, naming the variable.
    this.configured = options.modelConfigPath
      ? loadModelRegistryFile(options.modelConfigPath)
      : undefined;
    this.workers = new ModelWorkers(options.workers ?? INLINE, this.logger);
    registry.register(this);
    setActiveModelPool(this);
  }

  /**
   * Runs `fn` holding a lease on the model (loaded on first use). See `ModelPool.withModel`.
   * `M` is the kind of model the caller expects under that name, as with a DI token:
   * `withModel<MyModel, R>(name, (m) => m.run(input))`.
   */
  async withModel<M extends LoadedModel = LoadedModel, T = unknown>(
    name: string,
    fn: (model: M) => Promise<T> | T,
  ): Promise<T> {
    this.assertUsable();
    return this.pool.withModel<M, T>(name, fn);
  }

  /** Admin load: `loaded` (201) or `already_loaded` (200). */
  async load(name: string): Promise<'loaded' | 'already_loaded'> {
    this.assertUsable();
    return this.pool.load(name);
  }

  /** Admin unload, after in-flight uses finish. */
  async unload(name: string): Promise<void> {
    this.assertUsable();
    return this.pool.unload(name);
  }

  /**
   * Adds a loader type whose models run on the main thread (call it from a provider's
   * constructor); see README.md.
   */
  registerLoader<M extends LoadedModel>(
    type: string,
    loader: ModelLoader<M>,
    options: InlineLoaderOptions = {},
  ): void {
    const { footprintModule } = options;
    this.loaders.register(
      type,
      footprintModule ? this.workers.measuredInIsolation(loader, footprintModule) : loader,
    );
  }

  /**
   * Adds a loader type whose models run in worker threads (MODEL_WORKERS per loaded model, or
   * inline when it is 0): a function cannot cross a thread, so the model is named by the path
   * of a module exporting `load(spec)`, and the main thread gets a model whose `methods` post
   * calls to its threads. See README.md.
   */
  registerWorkerLoader(type: string, registration: WorkerLoaderRegistration): void {
    this.loaders.register(type, this.workers.loaderFor(registration));
  }

  /**
   * Declares models a feature brings, used when MODEL_CONFIG is unset (MODEL_CONFIG's file
   * replaces them all). Call it from a provider's constructor: the registry is fixed when the
   * pool is first used (at the latest when the resource initializes).
   * @throws ModelConfigError a name another feature declared already, or called too late.
   */
  registerDefaultModels(specs: readonly ModelSpec[]): void {
    if (this.declared) {
      throw new ModelConfigError(
        `default models (${specs.map((s) => s.name).join(', ')}) registered after the model registry was fixed; register them from a provider's constructor`,
      );
    }
    for (const spec of specs) {
      if (this.defaults.some((d) => d.name === spec.name)) {
        throw new ModelConfigError(`default model ${spec.name} is registered twice`);
      }
      this.defaults.push(spec);
    }
  }

  /**
   * The admin performance self-test's model operation: one representative use of a model,
   * registered by the feature that owns the models (it knows what to ask them).
   */
  registerSelfTest(run: () => Promise<unknown>): void {
    this.selfTestRun = run;
  }

  /**
   * Runs the registered self-test operation once (the performance self-test times it).
   * @throws ResourceUnavailableError when no feature registered one, or what the use throws.
   */
  async selfTest(): Promise<unknown> {
    this.assertUsable();
    if (!this.selfTestRun) {
      throw new ResourceUnavailableError(this.name, 'has no self-test registered');
    }
    return this.selfTestRun();
  }

  /** True when the registry (MODEL_CONFIG, else the features' defaults) declares `name`. */
  isDeclared(name: string): boolean {
    return this.models.has(name);
  }

  /** Every declared model name, registry order. */
  declaredModels(): string[] {
    return this.models.names();
  }

  /** Registered models that can be used in this deployment. */
  availableModels(): string[] {
    return this.pool.availableModels();
  }

  /** Preload models not ready yet (never loaded, or failing): readiness fails while any is. */
  missingRequiredModels(): string[] {
    return this.pool.missingRequiredModels();
  }

  /** Started once usable and every MODEL_PRELOAD model is loaded. */
  override startupPending(): string[] {
    return [...super.startupPending(), ...this.missingRequiredModels().map((m) => `model ${m}`)];
  }

  /** The `/resources/models/status` body. */
  status(): ModelPoolStatus {
    return this.pool.status();
  }

  /** One model's status line. @throws InvalidInputError / NotFoundAppError */
  modelStatus(name: string): ModelStatus {
    const spec = this.models.get(name);
    return this.pool.status().models.find((m) => m.name === spec.name) as ModelStatus;
  }

  stats(): Record<string, unknown> {
    return { name: this.name, type: this.type, state: this.state, ...this.pool.status() };
  }

  observe(): ResourceObservation {
    return observeModelPool(this.status());
  }

  defineMetrics(m: MetricDefinitions): void {
    defineModelMetrics(m, () => this.status());
  }

  /** The performance self-test's operation: the one the models' feature registered. */
  selfTestPlan(): SelfTestPlan {
    return { operations: [() => this.selfTest()] };
  }

  protected async doInit(): Promise<void> {
    const unknown = this.options.preload.filter((n) => !this.models.has(n));
    if (unknown.length > 0) {
      throw new ModelConfigError(
        `MODEL_PRELOAD names ${unknown.join(', ')}, not in the model registry (${this.models.names().join(', ')})`,
      );
    }
    // An admin re-initialize after shutdown gets a fresh pool (counters start again).
    if (this.pool.isClosed) this.built = this.createPool();
    for (const name of this.options.preload) {
      if (!this.pool.availableModels().includes(name)) {
        throw new ModelConfigError(
          `MODEL_PRELOAD names ${name}, which is not available: ${this.modelStatus(name).unavailable_reason}`,
        );
      }
    }
    this.pool.startIdleSweeper();
    // A failed preload does not stop start-up: the model is marked `error`, readiness answers
    // 503 (probe below), and the idle sweep retries it with backoff.
    for (const outcome of await this.pool.preloadAll()) {
      if (outcome.error) this.logger.error(`preload of ${outcome.name} failed: ${outcome.error}`);
    }
  }

  protected async doShutdown(): Promise<void> {
    await this.pool.close(this.options.shutdownGraceMs);
  }

  protected async probe(): Promise<ResourceHealth> {
    const status = this.pool.status();
    const missing = this.pool.missingRequiredModels();
    const failing = status.models.filter((m) => m.state === 'error').map((m) => m.name);
    const details = {
      loaded: status.models.filter((m) => m.state === 'loaded').map((m) => m.name),
      memory_used_mb: status.memory_used_mb,
      memory_limit_mb: status.memory_limit_mb,
      ...(missing.length > 0 ? { required_not_ready: missing } : {}),
      ...(failing.length > 0 ? { failing } : {}),
    };
    if (missing.length > 0) return { status: 'unhealthy', details };
    return { status: failing.length > 0 ? 'degraded' : 'healthy', details };
  }

  /** The declared models: fixed on first use, once every provider's constructor has run. */
  private get models(): ModelRegistry {
    return (this.declared ??= new ModelRegistry(this.configured ?? this.defaults));
  }

  /** The pool, built on first use (by then the loaders and default models are registered). */
  private get pool(): ModelPool {
    return (this.built ??= this.createPool());
  }

  private createPool(): ModelPool {
    const o = this.options;
    return new ModelPool(this.models, this.loaders, {
      cacheSize: o.cacheSize,
      memoryLimitMb: o.memoryLimitMb,
      maxConcurrentLoads: o.maxConcurrentLoads,
      loadTimeoutMs: o.loadTimeoutMs,
      idleTtlMs: o.idleTtlMs,
      // Names the registry does not declare stop doInit with a message naming MODEL_PRELOAD.
      preload: o.preload.filter((n) => this.models.has(n)),
      logger: this.logger,
      workers: () => this.workers.stats(),
    });
  }
}
