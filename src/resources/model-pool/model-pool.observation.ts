import type { ResourceObservation } from '../registry/observation';
import type { ModelPoolStatus } from './model-pool.types';

/**
 * What observers see of the model pool: inferences and the errors of every model (failed loads
 * and generations), and the figures of v14's `model_loads` and `models`. No connection pool.
 */
export function observeModelPool(s: ModelPoolStatus): ResourceObservation {
  return {
    operations: s.models.reduce((sum, m) => sum + m.inferences, 0),
    errors: s.models.reduce((sum, m) => sum + m.errors, 0),
    figures: {
      loads: s.loads,
      evictions: s.evictions,
      loaded: s.models.filter((m) => m.state === 'loaded').map((m) => m.name),
      memory_used_mb: s.memory_used_mb,
      memory_limit_mb: s.memory_limit_mb,
    },
  };
}
