/** The v14 `ResourceState` values, kept as the strings clients already read. */
export enum ResourceState {
  INITIALIZING = 'initializing',
  READY = 'ready',
  BUSY = 'busy',
  ERROR = 'error',
  SHUTTING_DOWN = 'shutting_down',
  CLOSED = 'closed',
  /** Not configured (for example no REDIS_URL): nothing to manage, nothing is wrong. */
  DISABLED = 'disabled',
}

/** The v14 `ResourceType` values. */
export enum ResourceType {
  DATABASE = 'database',
  REDIS = 'redis',
  HTTP_CLIENT = 'http_client',
  CACHE = 'cache',
  AI_MODEL = 'ai_model',
  FILE_STORAGE = 'file_storage',
}

const S = ResourceState;

/**
 * Legal moves of the v14 state machine. `closed → initializing` is the admin re-initialize;
 * `error → ready` is recovery once the backend answers again.
 */
export const RESOURCE_TRANSITIONS: Readonly<Record<ResourceState, readonly ResourceState[]>> = {
  [S.CLOSED]: [S.INITIALIZING, S.DISABLED],
  [S.INITIALIZING]: [S.READY, S.ERROR, S.SHUTTING_DOWN, S.DISABLED],
  [S.READY]: [S.BUSY, S.ERROR, S.SHUTTING_DOWN],
  [S.BUSY]: [S.READY, S.ERROR, S.SHUTTING_DOWN],
  [S.ERROR]: [S.READY, S.INITIALIZING, S.SHUTTING_DOWN],
  [S.SHUTTING_DOWN]: [S.CLOSED],
  [S.DISABLED]: [S.SHUTTING_DOWN, S.INITIALIZING],
};

export function canTransition(from: ResourceState, to: ResourceState): boolean {
  return RESOURCE_TRANSITIONS[from].includes(to);
}
