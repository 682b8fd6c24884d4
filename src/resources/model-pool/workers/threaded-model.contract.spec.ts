/**
 * The pool's contract across the thread boundary, with the test worker model in real worker
 * threads: single-flight loads, footprints measured in the threads, leases holding off unload,
 * unload ending the threads, shutdown waiting for calls in flight.
 */
import { ModelLoadError } from '../model-pool.errors';
import type { ModelPool } from '../model-pool';
import type { TestWorkerModel } from '../testing/test.worker-model';
import { workerPool, workerSpec } from '../testing/worker-pool';

type Model = TestWorkerModel & { unload(): Promise<void> };

describe('model pool across worker threads', () => {
  jest.setTimeout(60_000);
  let pool: ModelPool | undefined;
  afterEach(async () => {
    await pool?.close(1000);
    pool = undefined;
  });

  it('loads once for concurrent cold uses, in threads of its own', async () => {
    const built = workerPool([workerSpec('w', { loadDelayMs: 100 })], { threads: 2 });
    pool = built.pool;
    const ids = await Promise.all(
      Array.from({ length: 6 }, () => built.pool.withModel('w', (m: Model) => m.threadId())),
    );
    expect(built.pool.status().loads).toBe(1);
    expect(new Set(ids).size).toBeGreaterThanOrEqual(1);
    expect(ids.every((id) => id > 0)).toBe(true); // 0 is the main thread
    expect(built.pool.status().workers).toMatchObject({ size: 2, busy: 0, queued: 0, restarts: 0 });
  });

  it('charges what the load added to each thread', async () => {
    const built = workerPool([workerSpec('w', { sizeMb: 24 })], { threads: 2 });
    pool = built.pool;
    await built.pool.load('w');
    const [row] = built.pool.status().models;
    // 24 MB held per thread, two threads, give or take what else the isolates did meanwhile.
    expect(row.memory_mb).toBeGreaterThan(46);
    expect(row.memory_mb).toBeLessThan(52);
    expect(row.measured).toBe(true);
  });

  it('passes arguments and answers across the boundary', async () => {
    const built = workerPool([workerSpec('w', { sizeMb: 1 })]);
    pool = built.pool;
    await expect(built.pool.withModel('w', (m: Model) => m.echo('hello'))).resolves.toBe(
      'w: hello (1048576 bytes)',
    );
  });

  it('does not unload a model while a lease is held, then ends its threads', async () => {
    const built = workerPool([workerSpec('w')]);
    pool = built.pool;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const use = built.pool.withModel('w', async (m: Model) => {
      const first = await m.echo('a');
      await held;
      return `${first} / ${await m.echo('b')}`;
    });
    await waitFor(() => built.pool.status().models[0].leases === 1);
    const unloading = built.pool.unload('w');
    expect(built.pool.status().models[0].state).toBe('unloading');
    expect(built.pool.status().workers.size).toBe(1);
    release();
    await expect(use).resolves.toBe('w: a (0 bytes) / w: b (0 bytes)');
    await unloading;
    expect(built.pool.status().models[0]).toMatchObject({ state: 'unloaded', memory_mb: 0 });
    expect(built.pool.status().workers.size).toBe(0);
  });

  it('waits at shutdown for calls in flight, then ends the threads', async () => {
    const built = workerPool([workerSpec('w')]);
    pool = built.pool;
    await built.pool.load('w');
    const events: string[] = [];
    const call = built.pool
      .withModel('w', (m: Model) => m.sleep(300))
      .then(() => events.push('call answered'));
    await waitFor(() => built.pool.status().workers.busy === 1);
    await built.pool.close(10_000);
    events.push('closed');
    await call;
    expect(events).toEqual(['call answered', 'closed']);
    expect(built.pool.status().workers.size).toBe(0);
  });

  it('fails a load that fails in its thread, leaving no thread behind', async () => {
    const built = workerPool([workerSpec('w', { failLoad: 'no weights here' })], { threads: 2 });
    pool = built.pool;
    const load = built.pool.load('w');
    await expect(load).rejects.toBeInstanceOf(ModelLoadError);
    await expect(load).rejects.toThrow(/no weights here/);
    expect(built.pool.status().models[0].state).toBe('error');
    expect(built.pool.status().workers.size).toBe(0);
  });

  it('runs a worker model on the main thread when threads are 0', async () => {
    const built = workerPool([workerSpec('w')], { threads: 0 });
    pool = built.pool;
    await expect(built.pool.withModel('w', (m: Model) => m.threadId())).resolves.toBe(0);
    expect(built.pool.status().workers).toEqual({ size: 0, busy: 0, queued: 0, restarts: 0 });
  });
});

/** Polls `condition` on the event loop (no clock assertions): resolves once it holds. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
