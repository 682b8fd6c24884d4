/** The model pool's one name (one managed resource for every model): registry, health check key, metrics label, route segment. */
export const MODEL_POOL_RESOURCE_NAME = 'models';

/**
 * What a model name must look like: lower-case letters, digits, `.`, `_`, `-`, at most 64
 * characters, starting with a letter or digit. A name is only ever a key in the registry, never
 * a path: this pattern rejects `/`, `\`, `..`-prefixed names, spaces and upper case up front.
 */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A measured footprint is never recorded below this, MB (a load can free as much as it takes). */
export const MIN_MODEL_FOOTPRINT_MB = 1;

/** First retry delay after a failed load, ms; doubles per consecutive failure. */
export const LOAD_RETRY_BASE_MS = 1000;
/** Longest retry delay after failed loads, ms. */
export const LOAD_RETRY_MAX_MS = 60_000;

/** Bounds of the idle-sweep period, ms (the period is half of MODEL_IDLE_TTL within these). */
export const IDLE_SWEEP_MIN_MS = 1000;
export const IDLE_SWEEP_MAX_MS = 60_000;
