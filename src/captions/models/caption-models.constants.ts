/**
 * Injection token for the HTTP requester the `openai` loader uses. CaptionsModule binds it to
 * the shared HttpPoolService; tests override it. Without a requester the openai-compatible
 * model is listed as unavailable.
 */
export const MODEL_HTTP_REQUESTER = Symbol('MODEL_HTTP_REQUESTER');

/** Loader types the captions module registers with the model pool. */
export const WINK_LOADER_TYPE = 'wink';
export const OPENAI_LOADER_TYPE = 'openai';

/** The caption models declared when MODEL_CONFIG is unset. */
export const CAPTION_LOCAL_MODEL = 'caption-local';
export const OPENAI_COMPATIBLE_MODEL = 'openai-compatible';

/** Most hashtags a caption request may ask for (the API's `hashtag_count` upper bound). */
export const MAX_HASHTAGS = 30;
