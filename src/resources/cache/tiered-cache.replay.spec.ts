import { MAX_PENDING_INVALIDATIONS } from './cache.constants';
import { FakeCacheRedis } from './testing/fake-cache-redis';
import { RecordingLogger } from './testing/redis-test-support';
import { TieredCache } from './tiered-cache';

/**
 * Invalidations that could not reach Redis (or the other instances) during an outage are
 * remembered and re-applied once Redis answers again: otherwise a peer would keep serving a
 * value deleted here while Redis was down. Two caches share one fake Redis, as two replicas
 * share one server; the breaker is kept out of the way so each failing call really fails.
 */
describe('TieredCache replay of invalidations missed during a Redis outage', () => {
  let bus: FakeCacheRedis;
  let one: TieredCache;
  let two: TieredCache;

  const create = () =>
    new TieredCache({
      redis: bus.redis,
      breakerThreshold: 1_000_000,
      sweepIntervalMs: 0,
      logger: new RecordingLogger(),
    });
  /** Lets every promise chain started so far run to its end (no timer is due). */
  const flush = () => jest.advanceTimersByTimeAsync(0);
  /** Redis answers again; the next L2 call of `one` notices and replays. */
  async function recover(...still: Parameters<FakeCacheRedis['failing']['add']>[0][]) {
    bus.failing.clear();
    still.forEach((command) => bus.failing.add(command));
    await one.get('probe');
    await flush();
  }

  beforeEach(async () => {
    jest.useFakeTimers();
    bus = new FakeCacheRedis();
    one = create();
    two = create();
    await Promise.all([one.start(), two.start()]);
  });

  afterEach(async () => {
    bus.failing.clear();
    await Promise.all([one.close(), two.close()]);
    jest.useRealTimers();
  });

  it('a delete whose publish failed reaches the other instances once Redis is back', async () => {
    await one.set('k', 'v');
    await expect(two.get('k')).resolves.toBe('v'); // in two's L1 now
    bus.failing.add('publish');

    await expect(one.del('k')).resolves.toBe(true);
    expect(bus.store.has(bus.keyOf('k'))).toBe(false);
    await expect(two.get('k')).resolves.toBe('v'); // two never heard of it

    await recover();
    expect(bus.parsedMessages().at(-1)).toEqual({ i: one.instanceId, k: ['k'] });
    await expect(two.get('k')).resolves.toBeUndefined();
  });

  it('a delete that could not reach Redis is applied to L2 and published when Redis is back', async () => {
    await one.set('k', 'v');
    await expect(two.get('k')).resolves.toBe('v');
    bus.failing.add('unlink').add('publish');

    await expect(one.del('k')).resolves.toBe(true);
    expect(bus.store.has(bus.keyOf('k'))).toBe(true);

    await recover();
    expect(bus.store.has(bus.keyOf('k'))).toBe(false);
    await expect(two.get('k')).resolves.toBeUndefined();
    await expect(one.get('k')).resolves.toBeUndefined();
  });

  it('a write that lands while a missed clear is remembered keeps the clear remembered', async () => {
    bus.failing.add('scan').add('unlink').add('publish');
    await one.clear(); // missed: the whole namespace is remembered
    await expect(one.set('k', 'new')).resolves.toBeUndefined();
    await expect(one.get('k')).resolves.toBe('new');
  });

  it('a write that is the first call to work after a missed delete keeps its value in L2', async () => {
    await one.set('k', 'old');
    await one.set('other', 'old');
    await expect(two.get('k')).resolves.toBe('old');
    bus.failing.add('unlink').add('publish');
    await one.del('k');
    await one.del('other');

    bus.failing.clear();
    await one.set('k', 'new'); // it lands, and its success starts the replay
    await flush();
    expect(bus.store.has(bus.keyOf('other'))).toBe(false); // the replay did run
    expect(bus.store.get(bus.keyOf('k'))).toContain('"new"');
    await expect(two.get('k')).resolves.toBe('new');
  });

  it('deletes that fail again during the replay keep only the keys not written since', async () => {
    await one.set('a', 1);
    await one.set('b', 2);
    bus.failing.add('unlink').add('publish');
    await one.del('a');
    await one.del('b');

    bus.failing.delete('publish'); // the write of a lands and starts the replay; b fails again
    await one.set('a', 'new');
    await flush();
    expect(bus.store.has(bus.keyOf('b'))).toBe(true);

    await recover();
    expect(bus.store.has(bus.keyOf('b'))).toBe(false);
    expect(bus.store.get(bus.keyOf('a'))).toContain('"new"');
    expect(bus.parsedMessages().at(-1)).toEqual({ i: one.instanceId, k: ['b'] });
  });

  it('a write that is the first call to work after a missed clear survives the replayed clear', async () => {
    await one.set('a', 1);
    await one.set('k', 'old');
    bus.failing.add('scan').add('publish');
    await one.clear();

    bus.failing.clear();
    await one.set('k', 'new'); // it lands, and its success starts the replayed clear
    await flush();
    expect(bus.store.has(bus.keyOf('a'))).toBe(false);
    expect(bus.store.get(bus.keyOf('k'))).toContain('"new"');
    await expect(two.get('k')).resolves.toBe('new');
  });

  it('a write that could not reach Redis is published when it is back, so peers drop the old value', async () => {
    await one.set('k', 'old');
    await expect(two.get('k')).resolves.toBe('old');
    bus.failing.add('set').add('publish');

    await one.set('k', 'new');
    await expect(one.get('k')).resolves.toBe('new');

    await recover();
    expect(bus.store.has(bus.keyOf('k'))).toBe(false); // the old value is gone from L2 too
    await expect(two.get('k')).resolves.toBeUndefined();
  });

  it('a write that failed while its publish worked is undone in L2 at once, not left for a later outage', async () => {
    await one.set('k', 'old');
    await expect(two.get('k')).resolves.toBe('old');
    bus.failNext.set('set', 1); // e.g. one SET timed out

    await one.set('k', 'new');
    await flush();
    // two dropped its copy on the publish; the old value must not come back from L2
    expect(bus.store.has(bus.keyOf('k'))).toBe(false);
    await expect(two.get('k')).resolves.toBeUndefined();
    await expect(one.get('k')).resolves.toBe('new');
  });

  it('a clear whose SCAN failed while its publish worked is applied to Redis at once', async () => {
    await one.set('a', 1);
    bus.failNext.set('scan', 1);

    await expect(one.clear()).resolves.toEqual({ l1: 1, l2: 0 });
    await flush();
    expect(bus.store.has(bus.keyOf('a'))).toBe(false);
    await expect(two.get('a')).resolves.toBeUndefined();
  });

  it('a clear that could not reach Redis is replayed as a namespace clear and published', async () => {
    await one.set('a', 1);
    await one.set('b', 2);
    await expect(two.get('a')).resolves.toBe(1);
    bus.store.set('t:other:x', 'not ours');
    bus.failing.add('scan').add('publish');

    await expect(one.clear()).resolves.toEqual({ l1: 2, l2: 0 });
    expect(bus.store.has(bus.keyOf('b'))).toBe(true);
    await expect(two.get('a')).resolves.toBe(1);

    await recover();
    expect([...bus.store.keys()]).toEqual(['t:other:x']);
    expect(bus.parsedMessages().at(-1)).toEqual({ i: one.instanceId, all: true });
    expect(two.stats().size).toBe(0);
  });

  it('a clear that fails again during the replay is kept for the next recovery', async () => {
    await one.set('a', 1);
    bus.failing.add('scan').add('publish');
    await one.clear();

    await recover('scan'); // reads work again, the clear's SCAN still fails
    expect(bus.store.has(bus.keyOf('a'))).toBe(true);

    await recover();
    expect(bus.store.has(bus.keyOf('a'))).toBe(false);
    expect(bus.parsedMessages().at(-1)).toEqual({ i: one.instanceId, all: true });
  });

  it('deletes that fail again during the replay are all kept for the next recovery', async () => {
    await one.set('a', 1);
    await one.set('b', 2);
    bus.failing.add('unlink').add('publish');
    await one.del('a');
    await one.del('b');

    await recover('unlink'); // publishing works again, deleting does not yet
    expect(bus.store.has(bus.keyOf('a'))).toBe(true);
    expect(bus.store.has(bus.keyOf('b'))).toBe(true);

    await recover();
    expect(bus.store.has(bus.keyOf('a'))).toBe(false);
    expect(bus.store.has(bus.keyOf('b'))).toBe(false);
    expect(bus.parsedMessages().at(-1)).toEqual({ i: one.instanceId, k: ['a', 'b'] });
  });

  it('a recovery with nothing missed publishes nothing', async () => {
    await one.set('k', 'v');
    bus.failing.add('get');
    await expect(one.get('missing')).resolves.toBeUndefined();
    expect(one.l2State).toBe('down');
    const sent = bus.messages.length;

    await recover();
    expect(one.l2State).toBe('up');
    expect(bus.messages).toHaveLength(sent);
  });

  it(`up to ${MAX_PENDING_INVALIDATIONS} missed deletes are replayed key by key`, async () => {
    await one.set('bystander', 'kept');
    await expect(two.get('bystander')).resolves.toBe('kept');
    bus.failing.add('unlink').add('publish');
    const keys = Array.from({ length: MAX_PENDING_INVALIDATIONS }, (_, n) => `k${n}`);
    for (const key of keys) await one.del(key);

    await recover();
    const last = bus.parsedMessages().at(-1);
    expect(last?.all).toBeUndefined();
    expect(last?.k).toEqual(keys);
    expect(bus.store.has(bus.keyOf('bystander'))).toBe(true);
    await expect(two.get('bystander')).resolves.toBe('kept');
  });

  it(`more than ${MAX_PENDING_INVALIDATIONS} missed deletes escalate to a full clear`, async () => {
    await one.set('bystander', 'dropped');
    await expect(two.get('bystander')).resolves.toBe('dropped');
    bus.failing.add('unlink').add('publish');
    for (let n = 0; n <= MAX_PENDING_INVALIDATIONS; n++) await one.del(`k${n}`);

    await recover();
    expect(bus.parsedMessages().at(-1)).toEqual({ i: one.instanceId, all: true });
    expect(bus.store.has(bus.keyOf('bystander'))).toBe(false);
    expect(two.stats().size).toBe(0);
  });

  it('a missed delete after a missed clear is covered by the clear', async () => {
    await one.set('a', 1);
    await one.set('b', 2);
    bus.failing.add('scan').add('unlink').add('publish');
    await one.clear();
    await one.del('a');

    await recover();
    expect(bus.store.has(bus.keyOf('b'))).toBe(false);
    expect(bus.parsedMessages().at(-1)).toEqual({ i: one.instanceId, all: true });
  });
});
