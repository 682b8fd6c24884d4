import type { ResourceObservation } from '../registry/observation';
import type { ResourceState, ResourceType } from '../registry/resource-state';

/** The body of GET /resources/pools/redis/status. */
export type RedisStatus = {
  name: string;
  type: ResourceType;
  state: ResourceState;
  url: string | null;
  mode: string;
  pool_size: number;
  connections: { ready: number; connecting: number; closed: number };
  subscriber: string | null;
  operations: number;
  errors: number;
  latency_ms: number;
  last_error: string | null;
};

/**
 * What observers see of Redis: commands and their errors, and the command connections. Redis
 * multiplexes, so its pool has no usage or waiting callers and never alerts.
 */
export function observeRedis(s: RedisStatus): ResourceObservation {
  return {
    operations: s.operations,
    errors: s.errors,
    pool: {
      connections: { ...s.connections },
      max: s.pool_size,
      alertable: false,
    },
    figures: { mode: s.mode, subscriber: s.subscriber },
  };
}
