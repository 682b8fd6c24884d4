import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ManagedResourceBase } from '../../resources/registry/managed-resource';
import { HttpRequester } from '../../resources/http-pool/http-pool.types';
import { ModelPoolService } from '../../resources/model-pool/model-pool.service';
import { ModelSpec } from '../../resources/model-pool/model-pool.types';
import {
  CAPTION_LOCAL_MODEL,
  MODEL_HTTP_REQUESTER,
  OPENAI_COMPATIBLE_MODEL,
  OPENAI_LOADER_TYPE,
  WINK_LOADER_TYPE,
} from './caption-models.constants';
import { OpenAiCaptionLoader } from './openai-caption.loader';
import { WinkCaptionLoader } from './wink-caption.loader';
import { WINK_WORKER_MODEL } from './wink-caption.worker-model';

/** The caption models declared when MODEL_CONFIG is unset. */
export function captionModelSpecs(): ModelSpec[] {
  return [
    {
      name: CAPTION_LOCAL_MODEL,
      loader: WINK_LOADER_TYPE,
      options: {},
      estimated_mb: 40,
      description:
        'Offline captions: wink-nlp English model (keywords, entities, sentiment) + caption composer',
    },
    {
      name: OPENAI_COMPATIBLE_MODEL,
      loader: OPENAI_LOADER_TYPE,
      options: {},
      estimated_mb: 1,
      description:
        'Captions from an OpenAI-compatible chat-completions endpoint (OPENAI_BASE_URL, OPENAI_MODEL)',
    },
  ];
}

/**
 * Plugs the caption models into the shared model pool: the `wink` and `openai` loader types and
 * the default models (caption-local, openai-compatible; a MODEL_CONFIG file replaces them).
 * It does it in its constructor: every constructor runs before any `onModuleInit`, so the
 * loaders and models are there when the pool initializes and preloads MODEL_PRELOAD.
 */
@Injectable()
export class CaptionModelsRegistrar {
  constructor(
    modelPool: ModelPoolService,
    config: AppConfig,
    // Optional so a test module without the HTTP pool still builds: openai-compatible is then
    // listed as unavailable.
    @Optional() @Inject(MODEL_HTTP_REQUESTER) requester?: HttpRequester,
  ) {
    // caption-local runs inline: ~0.1 ms of CPU per caption costs less than a thread hop
    // (README, "Where models run"); its footprint is measured in a short-lived thread.
    modelPool.registerLoader(WINK_LOADER_TYPE, new WinkCaptionLoader(), {
      footprintModule: WINK_WORKER_MODEL,
    });
    modelPool.registerLoader(
      OPENAI_LOADER_TYPE,
      new OpenAiCaptionLoader({
        baseUrl: config.OPENAI_BASE_URL,
        apiKey: config.OPENAI_API_KEY,
        model: config.OPENAI_MODEL,
        requester,
      }),
    );
    modelPool.registerDefaultModels(captionModelSpecs());
    // The openai loader calls the requester: when it is a managed resource (the HTTP pool in
    // the app), the models open after it and close before it.
    if (requester instanceof ManagedResourceBase) modelPool.addDependency(requester.name);
  }
}
