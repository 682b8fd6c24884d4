import type { ResourceState, ResourceType } from '../registry/resource-state';
import type { CircuitName } from '../../common/resilience/circuit-name';
import type { SocketCounts } from './http-pool.transport';

/** One upstream host in GET /resources/pools/http/status. */
export type HttpHostStats = SocketCounts & {
  requests: number;
  errors: number;
  retries: number;
  circuit: CircuitName;
};

/** The body of GET /resources/pools/http/status (contract fields plus a few additions). */
export type HttpPoolStats = {
  name: string;
  type: ResourceType;
  state: ResourceState;
  max_connections: number;
  /** HTTP_TIMEOUT, the total deadline of one request including retries. */
  timeout_ms: number;
  free_socket_timeout_ms: number;
  max_response_bytes: number;
  /** Sockets in use on the busiest agent, percent of max_connections. */
  usage_percent: number;
  sockets: SocketCounts;
  requests: number;
  errors: number;
  retries: number;
  in_flight: number;
  hosts: Record<string, HttpHostStats>;
};
