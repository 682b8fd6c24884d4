import { CircuitState } from 'cockatiel';

/** A circuit breaker's state as every status API spells it (HTTP hosts, the cache's L2). */
export type CircuitName = 'closed' | 'open' | 'half_open' | 'isolated';

const CIRCUIT_NAMES: Record<CircuitState, CircuitName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

export function circuitName(state: CircuitState): CircuitName {
  return CIRCUIT_NAMES[state];
}
