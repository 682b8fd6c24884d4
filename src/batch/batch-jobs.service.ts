import { Injectable } from '@nestjs/common';
import { NotFoundAppError } from '../common/errors/app-errors';
import { validateBatchItem } from './batch-item.validator';
import { BatchJobRunner } from './batch-job.runner';
import { BatchJobsRepository, NewJobItem } from './batch-jobs.repository';

export interface JobStatus {
  job_id: string;
  state: string;
  total: number;
  done: number;
  failed: number;
  progress_percent: number;
  results_url: string;
}

/** POST/GET /batch/jobs: up to 10,000 requests kept in PostgreSQL and worked in the background. */
@Injectable()
export class BatchJobsService {
  constructor(
    private readonly jobs: BatchJobsRepository,
    private readonly runner: BatchJobRunner,
  ) {}

  /** Invalid items are stored as failed at once, with their error; the rest are queued. */
  async create(requests: unknown[]): Promise<{ job_id: string }> {
    const items: NewJobItem[] = [];
    for (const [idx, request] of requests.entries()) {
      const validation = validateBatchItem(request);
      items.push(
        validation.ok
          ? { idx, request, state: 'pending', error: null }
          : { idx, request: {}, state: 'failed', error: validation.error.message.join('; ') },
      );
    }
    const jobId = await this.jobs.create(items);
    this.runner.start(jobId);
    return { job_id: jobId };
  }

  async status(id: string): Promise<JobStatus> {
    const counts = await this.jobs.counts(id);
    if (!counts) throw new NotFoundAppError(`job ${id} not found`);
    const finished = counts.done + counts.failed;
    return {
      job_id: counts.id,
      state: counts.state,
      total: counts.total,
      done: counts.done,
      failed: counts.failed,
      progress_percent:
        counts.total === 0 ? 100 : Math.round((finished / counts.total) * 1000) / 10,
      results_url: `/api/v14/batch/jobs/${counts.id}/results`,
    };
  }

  async results(
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: unknown[]; next_cursor: string | null }> {
    if (!(await this.jobs.counts(id))) throw new NotFoundAppError(`job ${id} not found`);
    const after = cursor === undefined ? -1 : Number(cursor);
    const rows = await this.jobs.results(id, after, limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({
        index: r.idx,
        state: r.state,
        ...(r.caption_id
          ? { caption_id: r.caption_id, caption: r.caption, hashtags: r.hashtags, model: r.model }
          : {}),
        ...(r.error ? { error: r.error } : {}),
      })),
      next_cursor: rows.length > limit ? String(page[page.length - 1].idx) : null,
    };
  }
}
