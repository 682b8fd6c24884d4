import { readFileSync, statfs as statfsCallback } from 'node:fs';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { round } from '../../common/util/round';

/** Filesystem sizes as `fs.statfs` reports them (block counts). */
export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
}

/**
 * Everything the sampler reads from the machine, so specs can hand in fixtures. The default
 * (`hostProbe`) reads the real files; every read of a pseudo-file is tiny and synchronous.
 */
export interface SystemProbe {
  /** A file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  statfs(path: string): Promise<FsStats>;
  /** process.cpuUsage(): user and system CPU time of this process, µs. */
  cpuUsage(): NodeJS.CpuUsage;
  /** Monotonic clock, ms. */
  now(): number;
  /** CPUs this process may run on (os.availableParallelism). */
  parallelism(): number;
  totalmem(): number;
  freemem(): number;
}

const statfsAsync = promisify(statfsCallback);

export const hostProbe: SystemProbe = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  async statfs(path) {
    return statfsAsync(path);
  },
  cpuUsage: () => process.cpuUsage(),
  now: () => performance.now(),
  parallelism: () => availableParallelism(),
  totalmem: () => totalmem(),
  freemem: () => freemem(),
};

/** Where the cgroup hierarchy is mounted. */
const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * cgroup v1 writes "no limit" as the largest page-aligned 64-bit value (9223372036854771712);
 * anything this large means unlimited.
 */
const UNLIMITED_BYTES = 2 ** 60;

// ---- parsers (pure, fixture-tested) ----------------------------------------------------------

/** `/proc/self/cgroup`: the v2 path (`0::/path`) and each v1 controller's path. */
export function parseProcCgroup(text: string): {
  unified?: string;
  controllers: Record<string, string>;
} {
  const controllers: Record<string, string> = {};
  let unified: string | undefined;
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, names, path] = match;
    if (id === '0' && names === '') unified = path;
    else for (const name of names.split(',')) if (name) controllers[name] = path;
  }
  return { unified, controllers };
}

/** A byte limit (`memory.max`, `memory.limit_in_bytes`): undefined for `max` or "unlimited". */
export function parseLimitBytes(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (!value || value === 'max') return undefined;
  const bytes = Number(value);
  if (!Number.isFinite(bytes) || bytes <= 0 || bytes >= UNLIMITED_BYTES) return undefined;
  return bytes;
}

/** `memory.stat` (v1 and v2): key → number. */
export function parseKeyValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) out[key] = Number(value);
  }
  return out;
}

/** cgroup v2 `cpu.max` (`<quota> <period>` or `max <period>`): CPUs allowed, or undefined. */
export function parseCpuMax(text: string | undefined): number | undefined {
  const [quota, period] = (text ?? '').trim().split(/\s+/);
  if (!quota || quota === 'max') return undefined;
  return cpusFromQuota(Number(quota), Number(period ?? 100_000));
}

/** cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (quota -1: unlimited). */
export function parseCfsQuota(
  quota: string | undefined,
  period: string | undefined,
): number | undefined {
  if (quota === undefined) return undefined;
  return cpusFromQuota(Number(quota.trim()), Number(period?.trim() ?? 100_000));
}

function cpusFromQuota(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) {
    return undefined;
  }
  return quota / period;
}

/** `/proc/meminfo` (values in kB): total and available bytes. */
export function parseMeminfo(text: string | undefined): {
  totalBytes?: number;
  availableBytes?: number;
} {
  const fields: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const match = /^(\w+):\s+(\d+)\s*kB/.exec(line);
    if (match) fields[match[1]] = Number(match[2]) * 1024;
  }
  return { totalBytes: fields.MemTotal, availableBytes: fields.MemAvailable };
}

/**
 * The working set: usage minus inactive page cache, which the kernel reclaims before it
 * OOM-kills (the figure kubelet and `docker stats` use). Raw usage would read near 100 % on
 * any container that has read a few files.
 */
export function workingSetBytes(usage: number, stat: Record<string, number>): number {
  const inactive = stat.total_inactive_file ?? stat.inactive_file ?? 0;
  return Math.max(0, usage - inactive);
}

/** Disk use as `df` computes it: used / (used + available to unprivileged users). */
export function diskUsagePercent(fs: FsStats): number {
  const used = (fs.blocks - fs.bfree) * fs.bsize;
  const usable = used + fs.bavail * fs.bsize;
  return usable > 0 ? round((used / usable) * 100, 1) : 0;
}

/** CPU time used over wall time, as a share of the CPUs allowed, 0..100. */
export function cpuPercent(cpuMicros: number, wallMs: number, cores: number): number {
  if (wallMs <= 0 || cores <= 0) return 0;
  return round(Math.min(100, Math.max(0, (cpuMicros / 1000 / wallMs / cores) * 100)), 1);
}

// ---- readings ---------------------------------------------------------------------------------

export type MemorySource = 'cgroup_v2' | 'cgroup_v1' | 'host';

export interface MemoryReading {
  percent: number;
  usedBytes: number;
  limitBytes: number;
  /** Where the limit came from: the container's cgroup, or the host when it sets none. */
  source: MemorySource;
}

export interface CpuReading {
  percent: number;
  /** CPUs the percentage is relative to (cgroup quota when set, else the CPUs available). */
  cores: number;
  /** Wall time the percentage covers, seconds. */
  windowS: number;
}

export interface DiskReading {
  percent: number;
  totalBytes: number;
  usedBytes: number;
}

/**
 * Memory, CPU and disk use of this process's container (or host), container-aware: cgroup v2
 * (`memory.max`, `memory.current`, `cpu.max`), else cgroup v1 (`memory.limit_in_bytes`,
 * `memory.usage_in_bytes`, `cpu.cfs_quota_us`), else the host (`/proc/meminfo`, os).
 *
 * CPU is this process's CPU time (process.cpuUsage) between two samples over the wall time
 * between them, divided by the CPUs it may use, so 100 % means the quota is exhausted.
 */
export class SystemMetricsSampler {
  private baseline: { at: number; usage: NodeJS.CpuUsage };
  private lastCpu?: CpuReading;

  /**
   * @param dataDir folder whose filesystem `disk()` reports (DATA_DIR); need not exist yet.
   * @param minCpuWindowMs samples closer together than this reuse the previous CPU figure, so
   *   on-demand reads a few ms apart do not report noise. Default 1000.
   */
  constructor(
    private readonly dataDir: string,
    private readonly probe: SystemProbe = hostProbe,
    private readonly minCpuWindowMs = 1000,
  ) {
    this.baseline = { at: probe.now(), usage: probe.cpuUsage() };
  }

  memory(): MemoryReading {
    const hostTotal = this.probe.totalmem();
    const cgroup = this.cgroupMemory();
    if (cgroup?.limitBytes !== undefined) {
      const limit = Math.min(cgroup.limitBytes, hostTotal);
      return {
        percent: round((cgroup.usedBytes / limit) * 100, 1),
        usedBytes: cgroup.usedBytes,
        limitBytes: limit,
        source: cgroup.source,
      };
    }
    // No container limit: the host's memory is what can run out.
    const meminfo = parseMeminfo(this.probe.readFile('/proc/meminfo'));
    const total = meminfo.totalBytes ?? hostTotal;
    const available = meminfo.availableBytes ?? this.probe.freemem();
    const used = Math.max(0, total - available);
    return {
      percent: total > 0 ? round((used / total) * 100, 1) : 0,
      usedBytes: used,
      limitBytes: total,
      source: 'host',
    };
  }

  /** CPU use since the previous call (the first call: since construction). */
  cpu(): CpuReading {
    const now = this.probe.now();
    const elapsed = now - this.baseline.at;
    if (this.lastCpu && elapsed < this.minCpuWindowMs) return this.lastCpu;
    const usage = this.probe.cpuUsage();
    const used =
      usage.user - this.baseline.usage.user + (usage.system - this.baseline.usage.system);
    const cores = this.cores();
    this.baseline = { at: now, usage };
    this.lastCpu = {
      percent: cpuPercent(used, elapsed, cores),
      cores,
      windowS: Math.round(elapsed) / 1000,
    };
    return this.lastCpu;
  }

  /** The filesystem holding DATA_DIR (its nearest existing ancestor if not created yet). */
  async disk(): Promise<DiskReading> {
    let path = resolve(this.dataDir);
    for (;;) {
      try {
        const fs = await this.probe.statfs(path);
        const used = (fs.blocks - fs.bfree) * fs.bsize;
        return {
          percent: diskUsagePercent(fs),
          totalBytes: fs.blocks * fs.bsize,
          usedBytes: used,
        };
      } catch (error) {
        const parent = dirname(path);
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) throw error;
        path = parent;
      }
    }
  }

  /** CPUs this process may use: the cgroup quota when lower than the CPUs available. */
  cores(): number {
    const available = Math.max(1, this.probe.parallelism());
    const quota = this.cgroupCpuQuota();
    return quota !== undefined ? Math.min(quota, available) : available;
  }

  private cgroups() {
    return parseProcCgroup(this.probe.readFile('/proc/self/cgroup') ?? '');
  }

  private cgroupMemory():
    { usedBytes: number; limitBytes?: number; source: MemorySource } | undefined {
    const { unified, controllers } = this.cgroups();
    for (const dir of candidates(CGROUP_ROOT, unified)) {
      const max = this.probe.readFile(join(dir, 'memory.max'));
      const current = this.probe.readFile(join(dir, 'memory.current'));
      if (max === undefined || current === undefined) continue;
      const stat = parseKeyValues(this.probe.readFile(join(dir, 'memory.stat')));
      return {
        usedBytes: workingSetBytes(Number(current.trim()), stat),
        limitBytes: parseLimitBytes(max),
        source: 'cgroup_v2',
      };
    }
    for (const dir of candidates(join(CGROUP_ROOT, 'memory'), controllers.memory)) {
      const limit = this.probe.readFile(join(dir, 'memory.limit_in_bytes'));
      const usage = this.probe.readFile(join(dir, 'memory.usage_in_bytes'));
      if (limit === undefined || usage === undefined) continue;
      const stat = parseKeyValues(this.probe.readFile(join(dir, 'memory.stat')));
      return {
        usedBytes: workingSetBytes(Number(usage.trim()), stat),
        limitBytes: parseLimitBytes(limit),
        source: 'cgroup_v1',
      };
    }
    return undefined;
  }

  private cgroupCpuQuota(): number | undefined {
    const { unified, controllers } = this.cgroups();
    for (const dir of candidates(CGROUP_ROOT, unified)) {
      const max = this.probe.readFile(join(dir, 'cpu.max'));
      if (max !== undefined) return parseCpuMax(max);
    }
    for (const mount of ['cpu', 'cpu,cpuacct']) {
      for (const dir of candidates(join(CGROUP_ROOT, mount), controllers.cpu)) {
        const quota = this.probe.readFile(join(dir, 'cpu.cfs_quota_us'));
        if (quota !== undefined) {
          return parseCfsQuota(quota, this.probe.readFile(join(dir, 'cpu.cfs_period_us')));
        }
      }
    }
    return undefined;
  }
}

/**
 * Directories to look in: the process's own cgroup under the mount (no cgroup namespace), then
 * the mount itself (a cgroup namespace, where the container's cgroup is the root).
 */
function candidates(mount: string, path: string | undefined): string[] {
  const own = path && path !== '/' ? join(mount, path) : undefined;
  return own ? [own, mount] : [mount];
}
