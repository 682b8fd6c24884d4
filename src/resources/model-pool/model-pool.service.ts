import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppError } from '../../common/errors/app-errors';
import { AppConfig } from '../../config/app-config';
import { HttpRequester } from '../http-pool/http-pool.types';
import { ManagedResourceBase, ResourceHealth } from '../registry/managed-resource';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceType } from '../registry/resource-state';
import { CaptionGeneration, CaptionRequest } from './caption.types';
import { OpenAiCaptionLoader } from './loaders/openai-caption.loader';
import { WinkCaptionLoader } from './loaders/wink-caption.loader';
import { ModelLoaderRegistry } from './model-loader.registry';
import { ModelPool } from './model-pool';
import {
  MODEL_HTTP_REQUESTER,
  MODEL_POOL_RESOURCE_NAME,
  OPENAI_LOADER_TYPE,
  WINK_LOADER_TYPE,
} from './model-pool.constants';
import { ModelConfigError } from './model-pool.errors';
import { LoadedModel, ModelLoader, ModelPoolStatus, ModelStatus } from './model-pool.types';
import { ModelRegistry, builtInModelSpecs, loadModelRegistryFile } from './model-registry';
import { setActiveModelPool } from './use-model.decorator';

/** Options of `generateCaption`. */
export interface GenerateCaptionOptions {
  /** Registered model name. Default: MODEL_FALLBACK (caption-local). */
  model?: string;
  /**
   * Answer with MODEL_FALLBACK when the requested model fails with a server-side error (5xx:
   * load failure, upstream error or timeout, no memory). Default true. Client errors (400, 404)
   * never fall back.
   */
  fallback?: boolean;
}

/**
 * The model pool as a managed resource (`ai_model`): Nest lifecycle, configuration, built-in
 * loaders, health. The pool itself is the framework-free `ModelPool`.
 */
@Injectable()
export class ModelPoolService extends ManagedResourceBase {
  /** Loader types; modules add theirs with `registerLoader`. */
  private readonly loaders = new ModelLoaderRegistry();
  private readonly models: ModelRegistry;
  private pool: ModelPool;

  constructor(
    private readonly config: AppConfig,
    registry: ResourceRegistry,
    @Optional() @Inject(MODEL_HTTP_REQUESTER) requester?: HttpRequester,
  ) {
    super(MODEL_POOL_RESOURCE_NAME, ResourceType.AI_MODEL, { required: true });
    this.models = new ModelRegistry(
      config.MODEL_CONFIG ? loadModelRegistryFile(config.MODEL_CONFIG) : builtInModelSpecs(),
    );
    for (const [variable, names] of [
      ['MODEL_PRELOAD', config.MODEL_PRELOAD],
      ['MODEL_FALLBACK', [config.MODEL_FALLBACK]],
    ] as const) {
      const unknown = names.filter((n) => !this.models.has(n));
      if (unknown.length > 0) {
        throw new ModelConfigError(
          `${variable} names ${unknown.join(', ')}, not in the model registry (${this.models.names().join(', ')})`,
        );
      }
    }
    this.loaders.register(WINK_LOADER_TYPE, new WinkCaptionLoader());
    this.loaders.register(
      OPENAI_LOADER_TYPE,
      new OpenAiCaptionLoader({
        baseUrl: config.OPENAI_BASE_URL,
        apiKey: config.OPENAI_API_KEY,
        model: config.OPENAI_MODEL,
        requester,
      }),
    );
    this.pool = this.createPool();
    registry.register(this);
    setActiveModelPool(this);
  }

  /** The model used when a request names none: MODEL_FALLBACK. */
  get defaultModel(): string {
    return this.config.MODEL_FALLBACK;
  }

  /**
   * Writes a caption with the named model (default MODEL_FALLBACK), falling back to
   * MODEL_FALLBACK on a server-side failure unless `fallback: false`. This is what the caption
   * service calls.
   * @throws InvalidInputError (400) bad model name or request · NotFoundAppError /
   *   ModelNotAvailableError (404) · and, when no fallback applies or the fallback fails too,
   *   the requested model's error (502 UpstreamError, 504 UpstreamTimeoutError, 503, 507).
   */
  async generateCaption(
    request: CaptionRequest,
    options: GenerateCaptionOptions = {},
  ): Promise<CaptionGeneration> {
    const model = options.model ?? this.defaultModel;
    try {
      const result = await this.withModel(model, (m) => m.generate(request));
      return { ...result, model, fallback: false };
    } catch (error) {
      const fallback = this.defaultModel;
      if (options.fallback === false || model === fallback || !isServerSide(error)) throw error;
      this.logger.warn(
        `model ${model} failed (${(error as Error).message}); answering with ${fallback}`,
      );
      try {
        const result = await this.withModel(fallback, (m) => m.generate(request));
        return { ...result, model: fallback, fallback: true };
      } catch {
        throw error; // the requested model's failure is the one worth reporting
      }
    }
  }

  /** Runs `fn` holding a lease on the model (loaded on first use). See `ModelPool.withModel`. */
  async withModel<T>(name: string, fn: (model: LoadedModel) => Promise<T> | T): Promise<T> {
    this.assertUsable();
    return this.pool.withModel(name, fn);
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

  /** Adds a loader type (call it from a constructor or onModuleInit); see README.md. */
  registerLoader(type: string, loader: ModelLoader): void {
    this.loaders.register(type, loader);
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

  protected async doInit(): Promise<void> {
    // An admin re-initialize after shutdown gets a fresh pool (counters start again).
    if (this.pool.isClosed) this.pool = this.createPool();
    for (const name of this.config.MODEL_PRELOAD) {
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
    await this.pool.close(this.config.SHUTDOWN_GRACE_MS);
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

  private createPool(): ModelPool {
    const c = this.config;
    return new ModelPool(this.models, this.loaders, {
      cacheSize: c.MODEL_CACHE_SIZE,
      memoryLimitMb: c.MODEL_MEMORY_LIMIT_MB,
      maxConcurrentLoads: c.MODEL_MAX_CONCURRENT_LOADS,
      loadTimeoutMs: c.MODEL_LOAD_TIMEOUT_MS,
      idleTtlMs: c.MODEL_IDLE_TTL * 1000,
      preload: c.MODEL_PRELOAD,
      logger: this.logger,
    });
  }
}

/** A failure on our side or upstream (5xx, or not a typed error at all): worth a fallback. */
function isServerSide(error: unknown): boolean {
  return !(error instanceof AppError) || error.status >= 500;
}
