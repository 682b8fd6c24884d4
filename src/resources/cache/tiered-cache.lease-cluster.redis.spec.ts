import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { RedisService } from '../redis/redis.service';
import {
  RecordingLogger,
  eventually,
  freePort,
  startRedisService,
  uniquePrefix,
} from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

jest.setTimeout(60_000);

/** Three cluster-enabled redis-servers of our own (no replicas), joined into one cluster. */
class OwnCluster {
  readonly ports: number[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'cache-lease-cluster-'));
  private readonly nodes: ChildProcess[] = [];

  async start(): Promise<void> {
    for (let i = 0; i < 3; i++) this.ports.push(await freePort());
    for (const port of this.ports) this.nodes.push(this.spawnNode(port));
    await eventually(() => this.ports.every((p) => this.cli(p, 'ping') === 'PONG'), 10_000);
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`)].concat([
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]),
      { stdio: 'ignore' },
    );
    await eventually(
      () => this.ports.every((p) => this.cli(p, 'cluster', 'info').includes('cluster_state:ok')),
      15_000,
      'cluster_state:ok',
    );
  }

  stop(): void {
    this.nodes.forEach((node) => node.kill('SIGKILL'));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawnNode(port: number): ChildProcess {
    return spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
        .concat(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`])
        .concat(['--dir', this.dir]),
      { stdio: 'ignore' },
    );
  }

  private cli(port: number, ...args: string[]): string {
    try {
      return execFileSync('redis-cli', ['-p', String(port), ...args])
        .toString()
        .trim();
    } catch {
      return '';
    }
  }
}

/**
 * The lease of `getOrSet({ lease })` on a real Redis Cluster, with the value key and its lease
 * key on different nodes: ioredis refuses a pipeline across nodes, so there the read and the
 * lease go out at once as separate commands, and the write and the release one after another.
 */
describe('getOrSet with a lease on a Redis Cluster (own three nodes)', () => {
  const prefix = uniquePrefix('lease-cluster');
  const cluster = new OwnCluster();
  let redis: RedisService;
  let raw: Cluster;
  let cache: TieredCache;

  /** A cache key named `name`…, whose value and lease live on different nodes of the cluster. */
  async function keyAcrossNodes(name: string): Promise<string> {
    const nodeOf = async (redisKey: string) =>
      raw.slots[Number(await raw.cluster('KEYSLOT', redisKey))][0];
    for (let i = 0; ; i++) {
      const key = `${name}${i}`;
      const valueNode = await nodeOf(`${prefix}cache:${key}`);
      if (valueNode !== (await nodeOf(`${prefix}cache:!lease:${key}`))) return key;
    }
  }

  beforeAll(async () => {
    await cluster.start();
    const nodes = cluster.ports.map((p) => `127.0.0.1:${p}`).join(',');
    redis = await startRedisService(prefix, undefined, {
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: nodes,
    });
    raw = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    await raw.ping();
    cache = new TieredCache({ redis, sweepIntervalMs: 0, logger: new RecordingLogger() });
    await cache.start();
  });

  afterAll(async () => {
    await cache?.close();
    raw?.disconnect();
    await redis?.shutdown();
    cluster.stop();
  });

  it('takes the lease with the read, stores the value and then releases the lease', async () => {
    const key = await keyAcrossNodes('miss');
    const leaseKey = `${prefix}cache:!lease:${key}`;
    let leaseDuringLoad: string | null = null;
    const loader = async () => {
      leaseDuringLoad = await raw.get(leaseKey);
      return 'mine';
    };

    await expect(cache.getOrSet(key, loader, { lease: true })).resolves.toBe('mine');
    await eventually(async () => (await raw.exists(leaseKey)) === 0, 5000, 'the lease release');

    expect(leaseDuringLoad).toBe(`${cache.instanceId}:1`);
    expect(await raw.get(`${prefix}cache:${key}`)).toBe('{"g":0,"v":"mine"}');
    expect(cache.stats().l2).toMatchObject({ errors: 0, skipped: 0 });
  });

  it('answers a fresh value found with the read and gives the lease back', async () => {
    const key = await keyAcrossNodes('hit');
    await raw.set(`${prefix}cache:${key}`, '{"g":0,"v":"theirs"}', 'PX', 60_000);

    await expect(cache.getOrSet(key, async () => 'mine', { lease: true })).resolves.toBe('theirs');
    await eventually(
      async () => (await raw.exists(`${prefix}cache:!lease:${key}`)) === 0,
      5000,
      'the lease release',
    );
    expect(cache.stats().l2).toMatchObject({ errors: 0, skipped: 0 });
  });
});
