import {
  FsStats,
  SystemMetricsSampler,
  SystemProbe,
  cpuPercent,
  diskUsagePercent,
  parseCfsQuota,
  parseCpuMax,
  parseKeyValues,
  parseLimitBytes,
  parseMeminfo,
  parseProcCgroup,
  workingSetBytes,
} from './system-metrics';

const GiB = 1024 ** 3;

/** /proc/self/cgroup of a Kubernetes pod on cgroup v2 without a cgroup namespace. */
const PROC_CGROUP_V2 = '0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-abc.scope\n';
/** The same on a cgroup v1 (hybrid) host. */
const PROC_CGROUP_V1 = [
  '12:pids:/docker/abc',
  '4:cpu,cpuacct:/docker/abc',
  '3:memory:/docker/abc',
  '1:name=systemd:/docker/abc',
  '0::/docker/abc',
].join('\n');
const MEMORY_STAT_V2 =
  'anon 104857600\nfile 209715200\ninactive_file 157286400\nactive_file 52428800\n';
const MEMORY_STAT_V1 =
  'cache 209715200\nrss 104857600\ninactive_file 1\ntotal_inactive_file 157286400\n';
const MEMINFO =
  'MemTotal:       16384000 kB\nMemFree:         1024000 kB\nMemAvailable:    4096000 kB\n';

describe('cgroup and /proc parsers', () => {
  it('reads the v2 path and each v1 controller from /proc/self/cgroup', () => {
    expect(parseProcCgroup(PROC_CGROUP_V2)).toEqual({
      unified: '/kubepods.slice/kubepods-burstable.slice/cri-containerd-abc.scope',
      controllers: {},
    });
    expect(parseProcCgroup(PROC_CGROUP_V1)).toEqual({
      unified: '/docker/abc',
      controllers: {
        pids: '/docker/abc',
        cpu: '/docker/abc',
        cpuacct: '/docker/abc',
        memory: '/docker/abc',
        'name=systemd': '/docker/abc',
      },
    });
  });

  it('treats max, the v1 "unlimited" value and junk as no limit', () => {
    expect(parseLimitBytes('536870912\n')).toBe(536870912);
    expect(parseLimitBytes('max\n')).toBeUndefined();
    expect(parseLimitBytes('9223372036854771712\n')).toBeUndefined();
    expect(parseLimitBytes('')).toBeUndefined();
    expect(parseLimitBytes(undefined)).toBeUndefined();
    expect(parseLimitBytes('lots')).toBeUndefined();
  });

  it('parses CPU quotas of both versions', () => {
    expect(parseCpuMax('150000 100000\n')).toBe(1.5);
    expect(parseCpuMax('max 100000\n')).toBeUndefined();
    expect(parseCpuMax(undefined)).toBeUndefined();
    expect(parseCfsQuota('200000\n', '100000\n')).toBe(2);
    expect(parseCfsQuota('-1\n', '100000\n')).toBeUndefined();
    expect(parseCfsQuota(undefined, '100000')).toBeUndefined();
  });

  it('computes the working set without inactive page cache, preferring v1 hierarchy totals', () => {
    expect(workingSetBytes(314572800, parseKeyValues(MEMORY_STAT_V2))).toBe(157286400);
    expect(workingSetBytes(314572800, parseKeyValues(MEMORY_STAT_V1))).toBe(157286400);
    expect(workingSetBytes(100, { inactive_file: 500 })).toBe(0);
  });

  it('reads MemTotal and MemAvailable in bytes', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({
      totalBytes: 16384000 * 1024,
      availableBytes: 4096000 * 1024,
    });
    expect(parseMeminfo(undefined)).toEqual({ totalBytes: undefined, availableBytes: undefined });
  });

  it('computes disk use as df does and CPU use relative to the allowed CPUs', () => {
    // 100 blocks, 40 free of which 30 usable by non-root: used 60 / (60 + 30).
    expect(diskUsagePercent({ bsize: 4096, blocks: 100, bfree: 40, bavail: 30 })).toBe(66.7);
    expect(diskUsagePercent({ bsize: 4096, blocks: 0, bfree: 0, bavail: 0 })).toBe(0);
    // 500 ms of CPU over 1 s of wall time on 2 CPUs = 25 %.
    expect(cpuPercent(500_000, 1000, 2)).toBe(25);
    expect(cpuPercent(5_000_000, 1000, 1)).toBe(100);
    expect(cpuPercent(1, 0, 1)).toBe(0);
  });
});

/** A machine made of fixture files. */
function machine(files: Record<string, string>, overrides: Partial<SystemProbe> = {}) {
  let now = 0;
  let cpu = { user: 0, system: 0 };
  const probe: SystemProbe = {
    readFile: (path) => files[path],
    statfs: async (path) => {
      if (path === '/data') return { bsize: 1024, blocks: 1000, bfree: 250, bavail: 250 };
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    },
    cpuUsage: () => cpu,
    now: () => now,
    parallelism: () => 8,
    totalmem: () => 32 * GiB,
    freemem: () => 16 * GiB,
    ...overrides,
  };
  return {
    probe,
    advance(ms: number, cpuMicros: number) {
      now += ms;
      cpu = { user: cpu.user + cpuMicros * 0.75, system: cpu.system + cpuMicros * 0.25 };
    },
  };
}

const V2_DIR = '/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/cri-containerd-abc.scope';

describe('SystemMetricsSampler', () => {
  it('uses the cgroup v2 limit and working set of its own cgroup', () => {
    const { probe } = machine({
      '/proc/self/cgroup': PROC_CGROUP_V2,
      [`${V2_DIR}/memory.max`]: `${GiB}\n`,
      [`${V2_DIR}/memory.current`]: `${GiB / 2 + 157286400}\n`,
      [`${V2_DIR}/memory.stat`]: MEMORY_STAT_V2,
    });
    expect(new SystemMetricsSampler('/data', probe).memory()).toEqual({
      percent: 50,
      usedBytes: GiB / 2,
      limitBytes: GiB,
      source: 'cgroup_v2',
    });
  });

  it('finds the v2 files at the mount root inside a cgroup namespace', () => {
    const { probe } = machine({
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/memory.max': `${2 * GiB}\n`,
      '/sys/fs/cgroup/memory.current': `${GiB}\n`,
      '/sys/fs/cgroup/cpu.max': '50000 100000\n',
    });
    const sampler = new SystemMetricsSampler('/data', probe);
    expect(sampler.memory()).toMatchObject({ percent: 50, source: 'cgroup_v2' });
    expect(sampler.cores()).toBe(0.5);
  });

  it('uses cgroup v1 files, and caps a limit above the host memory at the host memory', () => {
    const { probe } = machine({
      '/proc/self/cgroup': PROC_CGROUP_V1,
      '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': `${64 * GiB}\n`,
      '/sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes': `${8 * GiB + 157286400}\n`,
      '/sys/fs/cgroup/memory/docker/abc/memory.stat': MEMORY_STAT_V1,
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '300000\n',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    });
    const sampler = new SystemMetricsSampler('/data', probe);
    expect(sampler.memory()).toEqual({
      percent: 25,
      usedBytes: 8 * GiB,
      limitBytes: 32 * GiB,
      source: 'cgroup_v1',
    });
    expect(sampler.cores()).toBe(3);
  });

  it('falls back to /proc/meminfo when the cgroup sets no limit (v1 "unlimited")', () => {
    const { probe } = machine({
      '/proc/self/cgroup': PROC_CGROUP_V1,
      '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': '9223372036854771712\n',
      '/sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes': `${GiB}\n`,
      '/proc/meminfo': MEMINFO,
    });
    expect(new SystemMetricsSampler('/data', probe).memory()).toEqual({
      percent: 75,
      usedBytes: (16384000 - 4096000) * 1024,
      limitBytes: 16384000 * 1024,
      source: 'host',
    });
  });

  it('falls back to os.totalmem/freemem without cgroups or /proc', () => {
    const { probe } = machine({});
    const sampler = new SystemMetricsSampler('/data', probe);
    expect(sampler.memory()).toEqual({
      percent: 50,
      usedBytes: 16 * GiB,
      limitBytes: 32 * GiB,
      source: 'host',
    });
    expect(sampler.cores()).toBe(8);
  });

  it('reports CPU over the time since the previous sample, relative to the quota', () => {
    const m = machine({
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/cpu.max': '200000 100000\n',
    });
    const sampler = new SystemMetricsSampler('/data', m.probe);
    m.advance(2000, 1_000_000); // 1 s of CPU in 2 s on 2 CPUs
    expect(sampler.cpu()).toEqual({ percent: 25, cores: 2, windowS: 2 });
    m.advance(1000, 2_000_000); // both CPUs busy
    expect(sampler.cpu()).toEqual({ percent: 100, cores: 2, windowS: 1 });
    // A read a moment later reuses the last figure instead of measuring noise.
    m.advance(10, 0);
    expect(sampler.cpu()).toEqual({ percent: 100, cores: 2, windowS: 1 });
    m.advance(990, 0);
    expect(sampler.cpu()).toEqual({ percent: 0, cores: 2, windowS: 1 });
  });

  it('reports the disk of DATA_DIR, walking up to the nearest existing folder', async () => {
    const { probe } = machine({});
    const sampler = new SystemMetricsSampler('/data/not/yet/created', probe);
    expect(await sampler.disk()).toEqual({
      percent: 75,
      totalBytes: 1024 * 1000,
      usedBytes: 1024 * 750,
    });
  });

  it('does not hide a disk error other than a missing folder', async () => {
    const { probe } = machine(
      {},
      { statfs: async (): Promise<FsStats> => Promise.reject(new Error('EIO')) },
    );
    await expect(new SystemMetricsSampler('/data', probe).disk()).rejects.toThrow('EIO');
  });

  it('reads real numbers on this machine', async () => {
    const sampler = new SystemMetricsSampler(__dirname);
    const memory = sampler.memory();
    expect(memory.percent).toBeGreaterThan(0);
    expect(memory.percent).toBeLessThanOrEqual(100);
    expect((await sampler.disk()).totalBytes).toBeGreaterThan(0);
    expect(sampler.cores()).toBeGreaterThan(0);
  });
});
