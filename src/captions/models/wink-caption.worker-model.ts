/**
 * caption-local as a worker model module (`load(spec)`): the same WinkCaptionLoader, loadable
 * from its path in a thread. The pool loads it once in a short-lived thread to measure
 * caption-local's footprint in isolation, and the models bench runs caption-local in worker
 * threads with it to compare against inline.
 */
import type { ModelSpec } from '../../resources/model-pool/model-pool.types';
import type { CaptionModel } from './caption-model.types';
import { WinkCaptionLoader } from './wink-caption.loader';

/** Its path, for `registerLoader(..., { footprintModule })` and `registerWorkerLoader`. */
export const WINK_WORKER_MODEL = __filename;

/** The methods a CaptionModel answers across a thread. */
export const CAPTION_MODEL_METHODS = ['generate'] as const;

export function load(spec: ModelSpec): Promise<CaptionModel> {
  return new WinkCaptionLoader().load(spec, new AbortController().signal);
}
