import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { CacheService } from '../src/resources/cache/cache.service';
import { RedisService } from '../src/resources/redis/redis.service';
import { Child, freePort, startChild, startRedisServer } from './support/processes';
import { TestApp, bootTestApp, createTestDatabase, eventually } from './support/test-app';

/** A Sentinel watching one master, both our own processes on free ports. */
async function startSentinel(masterPort: number): Promise<{ port: number; child: Child }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor captions 127.0.0.1 ${masterPort} 1`,
      'sentinel down-after-milliseconds captions 1000',
    ].join('\n'),
  );
  const child = startChild('redis-server', [config, '--sentinel']);
  const up = await eventually(
    () => child.output().includes('+monitor master captions'),
    10_000,
    25,
  );
  if (!up) throw new Error(`sentinel did not start: ${child.output()}`);
  return { port, child };
}

describe('Redis through Sentinel (e2e, own redis-server and sentinel)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let master: Awaited<ReturnType<typeof startRedisServer>>;
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    master = await startRedisServer();
    sentinel = await startSentinel(master.port);
    t = await bootTestApp({
      DATABASE_URL: db.url,
      REDIS_URL: '',
      REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
      REDIS_SENTINEL_NAME: 'captions',
    });
  });
  afterAll(async () => {
    await t?.close();
    sentinel?.child.process.kill('SIGKILL');
    await master?.stop();
    await db?.drop();
  });

  it('finds the master through the sentinel and serves commands and pub/sub', async () => {
    const status = (
      await t.request({ method: 'GET', url: '/api/v14/resources/pools/redis/status' })
    ).json();
    expect(status).toMatchObject({ state: 'ready', mode: 'sentinel', connections: { ready: 2 } });
    const redis = t.app.get(RedisService);
    await redis.run((c) => c.set(redis.key('via-sentinel'), 'yes'));
    await expect(redis.run((c) => c.get(redis.key('via-sentinel')))).resolves.toBe('yes');

    const received: string[] = [];
    await redis.subscribe(redis.key('chan'), (m) => received.push(m));
    await redis.publish(redis.key('chan'), 'hello');
    expect(await eventually(() => received.includes('hello'), 5000, 10)).toBe(true);
  });
});

/** Three cluster-enabled masters (no replicas), joined with redis-cli --cluster create. */
async function startCluster(): Promise<{ ports: number[]; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const nodes = ports.map((port) =>
    startChild('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--dir',
      dir,
    ]),
  );
  for (const node of nodes) {
    const up = await eventually(
      () => node.output().includes('Ready to accept connections'),
      10_000,
      25,
    );
    if (!up) throw new Error(`cluster node did not start: ${node.output()}`);
  }
  execFileSync(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    { stdio: 'ignore' },
  );
  const ok = await eventually(
    () =>
      ports.every((p) =>
        execFileSync('redis-cli', ['-p', String(p), 'cluster', 'info'])
          .toString()
          .includes('cluster_state:ok'),
      ),
    15_000,
    100,
  );
  if (!ok) throw new Error('cluster did not reach cluster_state:ok');
  return { ports, stop: () => nodes.forEach((n) => n.process.kill('SIGKILL')) };
}

describe('Redis Cluster (e2e, three own cluster nodes)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let cluster: Awaited<ReturnType<typeof startCluster>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    cluster = await startCluster();
    t = await bootTestApp({
      DATABASE_URL: db.url,
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: cluster.ports.map((p) => `127.0.0.1:${p}`).join(','),
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    cluster?.stop();
    await db?.drop();
  });

  it('spreads keys over the nodes and serves them', async () => {
    const status = (
      await t.request({ method: 'GET', url: '/api/v14/resources/pools/redis/status' })
    ).json();
    expect(status).toMatchObject({ state: 'ready', mode: 'cluster', pool_size: 1 });
    const redis = t.app.get(RedisService);
    for (let i = 0; i < 50; i++) await redis.run((c) => c.set(redis.key(`k${i}`), String(i)));
    await expect(redis.run((c) => c.get(redis.key('k42')))).resolves.toBe('42');
    const perNode = cluster.ports.map((p) =>
      Number(execFileSync('redis-cli', ['-p', String(p), 'dbsize']).toString()),
    );
    expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('lets the cache write to L2 and clear only its namespace across the nodes', async () => {
    const cache = t.app.get(CacheService);
    const redis = t.app.get(RedisService);
    for (let i = 0; i < 20; i++) await cache.set(`entry-${i}`, { i });
    await redis.run((c) => c.set(redis.key('foreign'), 'keep'));
    const cleared = await cache.clear();
    expect(cleared.l2).toBe(20);
    await expect(redis.run((c) => c.get(redis.key('foreign')))).resolves.toBe('keep');
    await expect(cache.get('entry-3')).resolves.toBeUndefined();
  });
});
