/**
 * Faults of a model in worker threads, each failing only its own call with a typed error (503
 * or the model's own status, never an untyped 500 or a hang): a throw, a hang past the
 * inference timeout, an exit, running out of memory, a full queue. Threads that died or hung
 * are replaced and counted, and the model keeps answering.
 */
import { InvalidInputError } from '../../../common/errors/app-errors';
import type { ModelPool } from '../model-pool';
import { ModelBusyError, ModelInferenceTimeoutError, ModelWorkerError } from '../model-pool.errors';
import type { TestWorkerModel } from '../testing/test.worker-model';
import { workerPool, workerSpec } from '../testing/worker-pool';

type Model = TestWorkerModel & { unload(): Promise<void> };

describe('worker model faults', () => {
  jest.setTimeout(60_000);
  let pool: ModelPool | undefined;
  afterEach(async () => {
    await pool?.close(1000);
    pool = undefined;
  });

  const use = <T>(fn: (m: Model) => Promise<T>) => (pool as ModelPool).withModel('w', fn);
  const restarts = () => (pool as ModelPool).status().workers.restarts;

  it('fails only the call that threw, keeping a typed error typed', async () => {
    pool = workerPool([workerSpec('w')]).pool;
    const plain = use((m) => m.fail('the model broke'));
    await expect(plain).rejects.toBeInstanceOf(ModelWorkerError);
    await expect(plain).rejects.toMatchObject({ status: 503, message: /the model broke/ });
    await expect(use((m) => m.failTyped('English only'))).rejects.toMatchObject({
      status: 400,
      code: new InvalidInputError('').code,
      message: 'English only',
    });
    await expect(use((m) => m.echo('still here'))).resolves.toMatch(/still here/);
    expect(restarts()).toBe(0);
    expect(pool.status().models[0].errors).toBe(1); // the 400 is the caller's, not the model's
  });

  it('fails a call that hangs past the inference timeout and replaces its thread', async () => {
    pool = workerPool([workerSpec('w')], { inferenceTimeoutMs: 300 }).pool;
    const before = await use((m) => m.threadId());
    const hung = use((m) => m.hang());
    await expect(hung).rejects.toBeInstanceOf(ModelInferenceTimeoutError);
    await expect(hung).rejects.toMatchObject({ status: 503, retryAfterS: 1 });
    // The deadline counts the queue wait too: call again once the new thread has started.
    await waitFor(() => restarts() === 1);
    const after = await use((m) => m.threadId());
    expect(after).not.toBe(before);
    expect(restarts()).toBe(1);
  });

  it('fails the call of a thread that exits and replaces the thread', async () => {
    pool = workerPool([workerSpec('w')]).pool;
    await expect(use((m) => m.exit(3))).rejects.toMatchObject({
      status: 503,
      message: /exited with code: 3/,
    });
    await expect(use((m) => m.echo('again'))).resolves.toMatch(/again/);
    expect(restarts()).toBe(1);
  });

  it('fails the call of a thread that runs out of memory and replaces the thread', async () => {
    pool = workerPool([workerSpec('w')], {}, { maxOldGenerationSizeMb: 32 }).pool;
    const grown = use((m) => m.grow());
    await expect(grown).rejects.toBeInstanceOf(ModelWorkerError);
    await expect(grown).rejects.toThrow(/memory/i);
    await expect(use((m) => m.echo('recovered'))).resolves.toMatch(/recovered/);
    expect(restarts()).toBe(1);
  });

  it('answers 503 with Retry-After once the threads are busy and the queue is full', async () => {
    pool = workerPool([workerSpec('w')], { threads: 1, queueLimit: 1 }).pool;
    await pool.load('w');
    const running = use((m) => m.sleep(300));
    const queued = use((m) => m.sleep(1));
    await waitFor(() => (pool as ModelPool).status().workers.queued === 1);
    const refused = use((m) => m.echo('one too many'));
    await expect(refused).rejects.toBeInstanceOf(ModelBusyError);
    await expect(refused).rejects.toMatchObject({ status: 503, retryAfterS: 1 });
    expect(pool.status().workers).toMatchObject({ size: 1, busy: 1, queued: 1 });
    await expect(Promise.all([running, queued])).resolves.toHaveLength(2);
    await expect(use((m) => m.echo('room again'))).resolves.toMatch(/room again/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
