import { Client } from 'pg';
import { Redis } from 'ioredis';
import { Fleet, LoadReport, fleetEnv, startLoad } from './support/fleet';
import { startRedisServer, freePort } from './support/processes';
import { TestDatabase, adminHeaders, createTestDatabase, eventually } from './support/test-app';

const SIZE = 3;
const DESCRIPTIONS = [
  'Morning light over a quiet harbour',
  'A bowl of ramen on a rainy evening',
  'Runners crossing a bridge at dawn',
  'A cat asleep on a stack of books',
];

/** Cached caption requests: a handful of descriptions, so nearly every answer is a cache hit. */
const cachedGenerate = (n: number) => ({
  method: 'POST',
  path: '/api/v14/captions/generate',
  body: { content_description: DESCRIPTIONS[n % DESCRIPTIONS.length], style: 'casual' },
});

function logReport(what: string, report: LoadReport): void {
  console.log(
    `${what}: ${report.requests} requests, ${report.failures.length} failed, longest ${report.maxLatencyMs} ms`,
  );
}

/**
 * Three instances of the built app behind a real HAProxy, on one database and their own
 * redis-server (so the test can kill it): rolling restarts, a Redis outage, and fleet-wide
 * single flight, as an operator would see them.
 */
describe('a fleet of three behind HAProxy (e2e)', () => {
  const prefix = `fleet${process.pid}:`;
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let db: TestDatabase;
  let fleet: Fleet;

  beforeAll(async () => {
    redis = await startRedisServer(await freePort());
    db = await createTestDatabase();
    fleet = await Fleet.start({
      size: SIZE,
      env: fleetEnv(db.url, `redis://127.0.0.1:${redis.port}`, prefix),
    });
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
    await db?.drop();
  });

  const restart = async (slot: number) => {
    expect(await fleet.stopInstance(slot)).toBe(0);
    await fleet.startInstance(slot);
    await fleet.waitForBalancer(slot, 'UP');
  };

  it('rolls every instance under steady load with zero failed requests', async () => {
    const load = startLoad(fleet.url, 8, cachedGenerate);
    for (let slot = 0; slot < SIZE; slot++) await restart(slot);
    const report = await load.stop();
    logReport('rolling restart', report);
    expect(report.failures).toEqual([]);
    expect(report.requests).toBeGreaterThan(100);
    // Each old instance went through the whole sequence.
    for (let slot = 0; slot < SIZE; slot++) {
      expect(fleet.output(slot)).not.toMatch(/shutdown did not finish/);
    }
  }, 180_000);

  it('keeps serving cached reads through a Redis kill and restart; invalidation works on all three afterwards', async () => {
    const load = startLoad(fleet.url, 6, cachedGenerate);
    await redis.stop(); // SIGKILL
    // An instance replaced while Redis is down must start and be ready without it.
    await restart(SIZE - 1);
    redis = await startRedisServer(redis.port);
    const report = await load.stop();
    logReport('Redis outage', report);
    expect(report.failures).toEqual([]);

    const raw = new Redis(redis.port, '127.0.0.1', { lazyConnect: true });
    await raw.connect();
    try {
      const channel = `${prefix}cache:invalidate`;
      const subscribers = async () =>
        ((await raw.pubsub('NUMSUB', channel)) as [string, number])[1];
      expect(await eventually(async () => (await subscribers()) === SIZE, 30_000, 200)).toBe(true);
    } finally {
      raw.disconnect();
    }

    // Each instance uses L2 again once its command connections have reconnected (backoff up to
    // 5 s) and its L2 circuit has closed (a trial call after the half-open delay). Look up a key
    // on each until every cache reports L2 `up`, as an operator would read /resources/cache/status.
    const l2Up = async () => {
      for (let slot = 0; slot < SIZE; slot++) {
        const base = `${fleet.instanceUrl(slot)}/api/v14/resources/cache`;
        await fetch(`${base}/l2-trial`, { headers: adminHeaders });
        const status = (await (await fetch(`${base}/status`)).json()) as { l2: { state: string } };
        if (status.l2.state !== 'up') return false;
      }
      return true;
    };
    expect(await eventually(l2Up, 30_000, 250)).toBe(true);

    // A clear on any one instance evicts the value from every other instance's L1.
    for (let from = 0; from < SIZE; from++) {
      const key = `fleet-key-${from}`;
      const cacheUrl = (slot: number) =>
        `${fleet.instanceUrl(slot)}/api/v14/resources/cache/${key}`;
      const put = await fetch(cacheUrl(from), {
        method: 'POST',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ value: from }),
      });
      expect(put.status).toBe(201);
      for (let slot = 0; slot < SIZE; slot++) {
        expect((await fetch(cacheUrl(slot), { headers: adminHeaders })).status).toBe(200);
      }
      const cleared = await fetch(`${fleet.instanceUrl(from)}/api/v14/resources/cache/clear`, {
        method: 'POST',
        headers: adminHeaders,
      });
      expect(cleared.status).toBe(200);
      for (let slot = 0; slot < SIZE; slot++) {
        const gone = await eventually(
          async () => (await fetch(cacheUrl(slot), { headers: adminHeaders })).status === 404,
        );
        expect({ from, slot, gone }).toEqual({ from, slot, gone: true });
      }
    }
  }, 180_000);

  it('runs one inference and stores one row for 500 identical uncached requests spread over the fleet', async () => {
    const inferences = async () => {
      let total = 0;
      for (let slot = 0; slot < SIZE; slot++) {
        const res = await fetch(`${fleet.instanceUrl(slot)}/api/v14/resources/models/status`);
        const body = (await res.json()) as { models: { name: string; access_count: number }[] };
        total += body.models.reduce((sum, m) => sum + m.access_count, 0);
      }
      return total;
    };
    const description = `A lighthouse in a storm, fleet single flight ${process.pid}`;
    const before = await inferences();
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        fetch(`${fleet.instanceUrl(i % SIZE)}/api/v14/captions/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content_description: description, style: 'funny' }),
        }).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as { id: string },
        })),
      ),
    );
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect((await inferences()) - before).toBe(1);

    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM captions WHERE content_description = $1',
        [description],
      );
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await client.end();
    }
  }, 60_000);
});
