import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Captions, background batch jobs and their items: the schema both features started with, in
 * one migration that deployed databases have already applied, so its class name and timestamp
 * stay as they are. New migrations go in their feature's folder (`src/captions/migrations/`,
 * `src/batch/migrations/`) and are listed in `src/database.schema.ts`.
 */
export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE captions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_key text NOT NULL,
        content_description text NOT NULL,
        style text NOT NULL,
        tone text,
        language text NOT NULL,
        hashtag_count integer NOT NULL,
        max_length integer NOT NULL,
        caption text NOT NULL,
        hashtags jsonb NOT NULL,
        model text NOT NULL,
        fallback boolean NOT NULL DEFAULT false,
        processing_time_ms double precision NOT NULL,
        -- Millisecond precision, so the keyset cursor (a JavaScript Date) matches rows exactly.
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
      )`);
    // Keyset pagination walks (created_at, id) newest first.
    await runner.query(
      `CREATE INDEX captions_created_at_id_idx ON captions (created_at DESC, id DESC)`,
    );
    await runner.query(`
      CREATE TABLE batch_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        state text NOT NULL,
        total integer NOT NULL,
        done integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX batch_jobs_state_idx ON batch_jobs (state) WHERE state IN ('queued', 'running')`,
    );
    await runner.query(`
      CREATE TABLE batch_job_items (
        job_id uuid NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
        idx integer NOT NULL,
        request jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending',
        caption_id uuid REFERENCES captions (id) ON DELETE SET NULL,
        error text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, idx)
      )`);
    await runner.query(
      `CREATE INDEX batch_job_items_pending_idx ON batch_job_items (job_id, idx) WHERE state = 'pending'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE batch_job_items');
    await runner.query('DROP TABLE batch_jobs');
    await runner.query('DROP TABLE captions');
  }
}
