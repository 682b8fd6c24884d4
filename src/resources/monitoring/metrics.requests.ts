import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceState } from '../registry/resource-state';
import { alertMetrics } from './alerts';
import { MetricDefinitions, byLabel, single } from '../../common/metrics/metric-definitions';
import { poolsWithUsage } from './metrics.pools';
import { MonitoringStats } from './monitoring.types';

/** The last monitoring snapshot, taken by MetricsService.scrape() just before collection. */
export type SnapshotSource = () => MonitoringStats | undefined;

/** Requests, errors by source and the lifecycle state of each shared resource. */
export function defineRequestMetrics(
  m: MetricDefinitions,
  lifecycle: LifecycleService,
  resources: ResourceRegistry,
  snapshot: SnapshotSource,
): void {
  m.gauge('requests_in_flight', 'HTTP requests being answered now.', [], () =>
    single(lifecycle.requestsInFlight),
  );
  m.counter(
    'errors_total',
    'Failures where they happened (the errors of /resources/monitoring/stats), by source.',
    ['source'],
    () => byLabel('source', snapshot()?.error_sources ?? {}),
  );
  const states = Object.values(ResourceState);
  m.gauge(
    'resource_state',
    'Lifecycle state of each shared resource: 1 for the current state, 0 for the others.',
    ['resource', 'state'],
    () =>
      resources
        .all()
        .flatMap((r) =>
          states.map((state) => [{ resource: r.name, state }, r.state === state ? 1 : 0]),
        ),
  );
}

/**
 * System usage and alerts come from the snapshot, not from a fresh read: CPU needs an interval
 * and the alerts are evaluated there.
 */
export function defineSystemMetrics(
  m: MetricDefinitions,
  resources: ResourceRegistry,
  snapshot: SnapshotSource,
): void {
  type Percent = 'memory_usage_percent' | 'cpu_usage_percent' | 'disk_usage_percent';
  const system = (name: string, help: string, percent: Percent) =>
    m.gauge(name, help, [], () => {
      const s = snapshot()?.system_metrics;
      return s ? single(s[percent] / 100) : [];
    });
  system(
    'system_memory_usage_ratio',
    'Memory in use (working set) / the container limit, or the host memory without one.',
    'memory_usage_percent',
  );
  system(
    'system_cpu_usage_ratio',
    'CPU time of this process over the last metrics interval / the CPUs it may use.',
    'cpu_usage_percent',
  );
  system(
    'system_disk_usage_ratio',
    'Used share of the filesystem holding DATA_DIR.',
    'disk_usage_percent',
  );
  m.gauge(
    'alert_active',
    'Whether each v14 performance target is missed now (1) or met (0).',
    ['metric'],
    () => {
      const active = new Set(snapshot()?.alerts.map((a) => a.metric) ?? []);
      return alertMetrics(poolsWithUsage(resources)).map((metric) => [
        { metric },
        active.has(metric) ? 1 : 0,
      ]);
    },
  );
}
