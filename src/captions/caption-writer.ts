import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/errors/app-errors';
import { AppConfig } from '../config/app-config';
import { ModelConfigError } from '../resources/model-pool/model-pool.errors';
import { ModelPoolService } from '../resources/model-pool/model-pool.service';
import {
  CaptionGeneration,
  CaptionModel,
  CaptionRequest,
  CaptionResult,
} from './models/caption-model.types';

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

/** What the admin performance self-test asks the default model for, each round. */
export const SELF_TEST_CAPTION: CaptionRequest = {
  content_description: 'monitoring self-test: a cup of coffee on a sunny windowsill',
  style: 'casual',
  hashtag_count: 3,
  language: 'en',
  max_length: 280,
};

/**
 * Writes captions with the models of the shared pool, and owns the fallback policy: the
 * default model is MODEL_FALLBACK, which also answers when another model fails server-side.
 * The caption service (and through it the batch jobs) calls it.
 */
@Injectable()
export class CaptionWriter implements OnModuleInit {
  private readonly logger = new Logger(CaptionWriter.name);

  constructor(
    private readonly models: ModelPoolService,
    private readonly config: AppConfig,
  ) {
    // The admin performance self-test's model operation: one caption from the default model.
    models.registerSelfTest(() => this.write(this.defaultModel, SELF_TEST_CAPTION));
  }

  /**
   * Start-up fails, with a message naming the variable, when MODEL_FALLBACK names a model the
   * registry (MODEL_CONFIG, else the caption models) does not declare. Here rather than in the
   * constructor: by now every provider has registered its default models.
   */
  onModuleInit(): void {
    const fallback = this.config.MODEL_FALLBACK;
    if (!this.models.isDeclared(fallback)) {
      throw new ModelConfigError(
        `MODEL_FALLBACK names ${fallback}, not in the model registry (${this.models.declaredModels().join(', ')})`,
      );
    }
  }

  /** The model used when a request names none: MODEL_FALLBACK. */
  get defaultModel(): string {
    return this.config.MODEL_FALLBACK;
  }

  /**
   * Writes a caption with the named model (default MODEL_FALLBACK), falling back to
   * MODEL_FALLBACK on a server-side failure unless `fallback: false`.
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
      const result = await this.write(model, request);
      return { ...result, model, fallback: false };
    } catch (error) {
      const fallback = this.defaultModel;
      if (options.fallback === false || model === fallback || !isServerSide(error)) throw error;
      this.logger.warn(
        `model ${model} failed (${(error as Error).message}); answering with ${fallback}`,
      );
      try {
        const result = await this.write(fallback, request);
        return { ...result, model: fallback, fallback: true };
      } catch {
        throw error; // the requested model's failure is the one worth reporting
      }
    }
  }

  /** One caption from one model, holding a lease on it while it writes. */
  private write(model: string, request: CaptionRequest): Promise<CaptionResult> {
    return this.models.withModel<CaptionModel, CaptionResult>(model, (m) => m.generate(request));
  }
}

/** A failure on our side or upstream (5xx, or not a typed error at all): worth a fallback. */
export function isServerSide(error: unknown): boolean {
  return !(error instanceof AppError) || error.status >= 500;
}
