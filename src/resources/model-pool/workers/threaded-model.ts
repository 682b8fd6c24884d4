/**
 * A worker model as the main thread holds it: a LoadedModel whose methods post calls to the
 * model's own piscina threads. It bounds what waits (queue limit → 503), gives every call a
 * deadline (past it piscina terminates the thread running it, and starts a new one), turns a
 * thread's death into a 503 for the calls it was running, and counts replaced threads.
 * Unloading destroys the threads: the isolates, and the model's memory with them, are gone.
 */
import { Piscina } from 'piscina';
import { AppError, ResourceUnavailableError } from '../../../common/errors/app-errors';
import { MODEL_POOL_RESOURCE_NAME } from '../model-pool.constants';
import { ModelBusyError, ModelInferenceTimeoutError, ModelWorkerError } from '../model-pool.errors';
import type { LoadedModel } from '../model-pool.types';
import { describe } from '../model-pool.util';
import type { ModelWorkerSettings } from './model-worker-settings';
import { rebuildError } from './worker-errors';
import type { WorkerPoolStats, WorkerReply, WorkerTask } from './worker-model.types';

export class ThreadedModel implements LoadedModel {
  /** Calls submitted and not settled (running or queued). */
  private inFlight = 0;
  /** Threads started beyond the first `threads`: replacements. */
  private created = 0;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly pool: Piscina<WorkerTask, WorkerReply>,
    private readonly settings: ModelWorkerSettings,
    readonly memoryMb: number,
    methods: readonly string[],
    private readonly onUnloaded: (model: ThreadedModel) => void = () => undefined,
  ) {
    for (const method of methods) {
      Object.defineProperty(this, method, {
        value: (...args: unknown[]) => this.call(method, args),
        enumerable: true,
      });
    }
    // The first threads were created before this object; every later one replaces a thread.
    pool.on('workerCreate', () => {
      this.created += 1;
    });
  }

  /** Threads replaced since the load. */
  get restarts(): number {
    return this.created;
  }

  /**
   * Runs `method(...args)` on a thread of this model.
   * @throws ModelBusyError queue full · ModelInferenceTimeoutError past the deadline ·
   *   ModelWorkerError the thread died or the model failed · what the model threw, rebuilt.
   */
  async call(method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) throw new ResourceUnavailableError(MODEL_POOL_RESOURCE_NAME, 'is closed');
    const { threads, queueLimit, inferenceTimeoutMs } = this.settings;
    if (this.inFlight >= threads + queueLimit) throw new ModelBusyError(this.name, queueLimit);
    this.inFlight += 1;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), inferenceTimeoutMs);
    try {
      const reply = await this.pool.run({ method, args }, { signal: deadline.signal });
      if (!reply.ok) throw rebuildError(this.name, reply.error);
      return reply.value;
    } catch (error) {
      if (deadline.signal.aborted)
        throw new ModelInferenceTimeoutError(this.name, inferenceTimeoutMs);
      if (error instanceof AppError) throw error; // the model's own answer
      throw new ModelWorkerError(this.name, describe(error), { cause: error });
    } finally {
      clearTimeout(timer);
      this.inFlight -= 1;
    }
  }

  stats(): WorkerPoolStats {
    if (this.closed) return { size: 0, busy: 0, queued: 0, restarts: this.restarts };
    const size = this.pool.threads.length;
    const queued = this.pool.queueSize;
    const busy = Math.max(0, Math.min(size, this.inFlight - queued));
    return { size, busy, queued, restarts: this.restarts };
  }

  /** Ends the threads (the pool unloads only once no lease, so no call, is left). */
  async unload(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
    this.onUnloaded(this);
  }
}
