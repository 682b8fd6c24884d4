import type { ResourceObservation } from '../registry/observation';
import type { HttpPoolStats } from './http-pool.stats';

/** What observers see of the outbound HTTP pool: requests and their errors, and its sockets. */
export function observeHttpPool(s: HttpPoolStats): ResourceObservation {
  return {
    operations: s.requests,
    errors: s.errors,
    pool: {
      connections: { in_use: s.sockets.active, idle: s.sockets.free },
      max: s.max_connections,
      pending: s.sockets.pending,
      usage_percent: s.usage_percent,
      alertable: true,
    },
    figures: { retries: s.retries, in_flight: s.in_flight },
  };
}
