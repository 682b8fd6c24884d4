import { SystemMetricsSampler, SystemProbe } from '../system-metrics';

/**
 * A SystemMetricsSampler over fixed figures, for specs: memory 40 % in use (no container
 * limit), disk 50 % used, no CPU time spent.
 */
export function fixedSystemSampler(): SystemMetricsSampler {
  const probe: SystemProbe = {
    readFile: () => undefined,
    statfs: async () => ({ bsize: 1, blocks: 10, bfree: 5, bavail: 5 }),
    cpuUsage: () => ({ user: 0, system: 0 }),
    now: () => Date.now(),
    parallelism: () => 2,
    totalmem: () => 1000,
    freemem: () => 600,
  };
  return new SystemMetricsSampler('/data', probe);
}
