import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DatabaseService } from '../resources/database/database.service';

/** Rows of a job's items written in one INSERT. */
const INSERT_CHUNK = 1000;

export interface NewJobItem {
  idx: number;
  request: unknown;
  state: 'pending' | 'failed';
  error: string | null;
}

export interface JobCounts {
  id: string;
  state: string;
  total: number;
  done: number;
  failed: number;
}

export interface JobResultRow {
  idx: number;
  state: string;
  error: string | null;
  caption_id: string | null;
  caption: string | null;
  hashtags: string[] | null;
  model: string | null;
}

/** Background jobs and their items in PostgreSQL. */
@Injectable()
export class BatchJobsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Creates the job and every item in one transaction: a job exists whole or not at all. */
  async create(items: NewJobItem[]): Promise<string> {
    return this.database.transaction(async (manager) => {
      const [job] = await manager.query(
        `INSERT INTO batch_jobs (state, total) VALUES ('queued', $1) RETURNING id`,
        [items.length],
      );
      for (let i = 0; i < items.length; i += INSERT_CHUNK) {
        await manager.query(
          `INSERT INTO batch_job_items (job_id, idx, request, state, error)
           SELECT $1, x.idx, x.request, x.state, x.error FROM jsonb_to_recordset($2::jsonb) AS x(idx int, request jsonb, state text, error text)`,
          [job.id, JSON.stringify(items.slice(i, i + INSERT_CHUNK))],
        );
      }
      return job.id as string;
    });
  }

  async counts(id: string): Promise<JobCounts | undefined> {
    const rows = await this.database.query<JobCounts>(
      `SELECT j.id, j.state, j.total,
              count(*) FILTER (WHERE i.state = 'done')::int AS done,
              count(*) FILTER (WHERE i.state = 'failed')::int AS failed
         FROM batch_jobs j LEFT JOIN batch_job_items i ON i.job_id = j.id
        WHERE j.id = $1 GROUP BY j.id`,
      [id],
    );
    return rows[0];
  }

  async results(id: string, afterIdx: number, limit: number): Promise<JobResultRow[]> {
    return this.database.query<JobResultRow>(
      `SELECT i.idx, i.state, i.error, i.caption_id, c.caption, c.hashtags, c.model
         FROM batch_job_items i LEFT JOIN captions c ON c.id = i.caption_id
        WHERE i.job_id = $1 AND i.idx > $2 ORDER BY i.idx LIMIT $3`,
      [id, afterIdx, limit],
    );
  }

  /** Jobs left unfinished (by a restart, a shutdown or a transient failure). */
  async unfinished(): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(
      `SELECT id FROM batch_jobs WHERE state IN ('queued', 'running') ORDER BY created_at`,
    );
    return rows.map((r) => r.id);
  }

  async setState(id: string, state: 'running' | 'completed'): Promise<void> {
    await this.database.query(
      `UPDATE batch_jobs SET state = $2, updated_at = now(), finished_at = CASE WHEN $2 = 'completed' THEN now() ELSE finished_at END WHERE id = $1`,
      [id, state],
    );
  }

  /**
   * Claims the next pending item inside the caller's transaction (row lock, SKIP LOCKED so
   * workers and instances never take the same item), for `work` to finish in that transaction.
   */
  async claimNext(
    manager: EntityManager,
    jobId: string,
  ): Promise<{ idx: number; request: unknown } | undefined> {
    const rows = await manager.query(
      `SELECT idx, request FROM batch_job_items WHERE job_id = $1 AND state = 'pending' ORDER BY idx LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [jobId],
    );
    return rows[0];
  }

  async finishItem(
    manager: EntityManager,
    jobId: string,
    idx: number,
    outcome: { captionId: string } | { error: string },
  ): Promise<void> {
    if ('captionId' in outcome) {
      await manager.query(
        `UPDATE batch_job_items SET state = 'done', caption_id = $3, updated_at = now() WHERE job_id = $1 AND idx = $2`,
        [jobId, idx, outcome.captionId],
      );
    } else {
      await manager.query(
        `UPDATE batch_job_items SET state = 'failed', error = $3, updated_at = now() WHERE job_id = $1 AND idx = $2`,
        [jobId, idx, outcome.error],
      );
    }
  }
}
