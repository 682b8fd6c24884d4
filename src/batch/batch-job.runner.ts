import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-errors';
import { DatabaseService } from '../resources/database/database.service';
import { CaptionsService } from '../captions/captions.service';
import { validateBatchItem } from './batch-item.validator';
import { BatchJobsRepository } from './batch-jobs.repository';

/** Items of one job processed at once. */
const WORKERS_PER_JOB = 4;
/** How often unfinished jobs are looked for (after a restart, shutdown or transient failure), ms. */
const RESUME_EVERY_MS = 5000;
/** How long shutdown waits for the items in progress, ms. */
const STOP_WAIT_MS = 10_000;

/** A failure worth retrying later rather than failing the item: a resource was away. */
function isTransient(error: unknown): boolean {
  return error instanceof AppError && error.status === 503;
}

/**
 * Runs background jobs. Each item is claimed, generated, stored and marked done in ONE
 * transaction, so a crash or a stop at any point leaves it either done (with its caption) or
 * pending (with nothing stored): after a restart, unfinished jobs resume and no item is done twice.
 */
@Injectable()
export class BatchJobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BatchJobRunner.name);
  private readonly active = new Map<string, Promise<void>>();
  private stopping = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly jobs: BatchJobsRepository,
    private readonly captions: CaptionsService,
    private readonly database: DatabaseService,
  ) {}

  onApplicationBootstrap(): void {
    this.stopping = false;
    void this.resumeUnfinished();
    this.timer = setInterval(() => void this.resumeUnfinished(), RESUME_EVERY_MS);
    this.timer.unref();
  }

  /** Stops taking items and waits (bounded) for those in progress, before the pools close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    const running = Promise.all(this.active.values());
    await Promise.race([
      running,
      new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref()),
    ]);
  }

  /** Starts a job now unless it is already running here. */
  start(jobId: string): void {
    if (this.stopping || this.active.has(jobId)) return;
    const run = this.run(jobId)
      .catch((error: Error) =>
        this.logger.warn(`job ${jobId} paused: ${error.message}; it resumes later`),
      )
      .finally(() => this.active.delete(jobId));
    this.active.set(jobId, run);
  }

  /** Resolves when the job's current run here ends (tests use it). */
  async settled(jobId: string): Promise<void> {
    await this.active.get(jobId);
  }

  private async resumeUnfinished(): Promise<void> {
    try {
      for (const id of await this.jobs.unfinished()) this.start(id);
    } catch {
      // Database away: the next tick tries again.
    }
  }

  private async run(jobId: string): Promise<void> {
    await this.jobs.setState(jobId, 'running');
    await Promise.all(Array.from({ length: WORKERS_PER_JOB }, () => this.work(jobId)));
    if (this.stopping) return;
    const counts = await this.jobs.counts(jobId);
    if (counts && counts.done + counts.failed >= counts.total) {
      await this.jobs.setState(jobId, 'completed');
      this.logger.log(`job ${jobId} completed: ${counts.done} done, ${counts.failed} failed`);
    }
  }

  /** One worker: items until none is pending, the app stops, or a resource goes away. */
  private async work(jobId: string): Promise<void> {
    while (!this.stopping) {
      const claimed = await this.database.transaction((manager) =>
        this.processNext(manager, jobId),
      );
      if (!claimed) return;
    }
  }

  private async processNext(manager: EntityManager, jobId: string): Promise<boolean> {
    const item = await this.jobs.claimNext(manager, jobId);
    if (!item) return false;
    const validation = validateBatchItem(item.request);
    if (!validation.ok) {
      await this.jobs.finishItem(manager, jobId, item.idx, {
        error: validation.error.message.join('; '),
      });
      return true;
    }
    try {
      const caption = await this.captions.generateAndStore(
        validation.body,
        undefined,
        undefined,
        manager,
      );
      await this.jobs.finishItem(manager, jobId, item.idx, { captionId: caption.id });
    } catch (error) {
      if (isTransient(error)) throw error; // rolls back: the item stays pending for a later run
      await this.jobs.finishItem(manager, jobId, item.idx, { error: (error as Error).message });
    }
    return true;
  }
}
