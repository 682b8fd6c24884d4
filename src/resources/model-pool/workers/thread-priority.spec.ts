/**
 * Model threads run below the main thread's priority (MODEL_WORKER_NICE): each thread reads its
 * own niceness (Linux nice is per thread), so what piscina was given is what the thread got.
 */
import { getPriority } from 'node:os';
import type { ModelPool } from '../model-pool';
import type { LoadedModel } from '../model-pool.types';
import type { TestWorkerModel } from '../testing/test.worker-model';
import { workerPool, workerSpec } from '../testing/worker-pool';

type Model = TestWorkerModel & LoadedModel;

const linux = process.platform === 'linux' ? describe : describe.skip;

linux('model thread priority', () => {
  jest.setTimeout(60_000);
  let pool: ModelPool | undefined;
  afterEach(async () => {
    await pool?.close(1000);
    pool = undefined;
  });

  const mainPriority = getPriority(0);
  const priorityOfThread = (p: ModelPool) => p.withModel<Model, number>('w', (m) => m.priority());

  it('lowers every thread by the configured niceness, the main thread not', async () => {
    pool = workerPool([workerSpec('w')], { threads: 2, nice: 5 }).pool;
    const priorities = await Promise.all([priorityOfThread(pool), priorityOfThread(pool)]);
    expect(priorities).toEqual([mainPriority + 5, mainPriority + 5].map((p) => Math.min(p, 19)));
    expect(getPriority(0)).toBe(mainPriority);
  });

  it('lowers a replacement thread too', async () => {
    pool = workerPool([workerSpec('w')], { threads: 1, nice: 3 }).pool;
    await expect(pool.withModel<Model, never>('w', (m) => m.exit(1))).rejects.toThrow();
    await expect(priorityOfThread(pool)).resolves.toBe(Math.min(mainPriority + 3, 19));
  });

  it("leaves threads at the main thread's priority when no niceness is set", async () => {
    pool = workerPool([workerSpec('w')], { threads: 1 }).pool;
    await expect(priorityOfThread(pool)).resolves.toBe(mainPriority);
  });
});
