import { Client } from 'pg';
import { BatchJobRunner } from '../src/batch/batch-job.runner';
import { CaptionsService } from '../src/captions/captions.service';
import { DatabaseService } from '../src/resources/database/database.service';
import {
  TestApp,
  bootTestApp,
  createTestDatabase,
  eventually,
  useTestApp,
} from './support/test-app';

const item = (i: number) => ({
  content_description: `Batch photo number ${i}: a lighthouse in the fog`,
  style: 'casual',
  hashtag_count: 2,
});

describe('batches and background jobs (e2e, real PostgreSQL)', () => {
  const t = useTestApp();

  const jobStatus = async (id: string, app = t) =>
    (await app.request({ method: 'GET', url: `/api/v14/batch/jobs/${id}` })).json();

  it('generates a batch where one bad item fails alone, with its index', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v14/batch/generate',
      payload: {
        requests: [item(1), { content_description: 'x', style: 'angry' }, item(2), 'not an object'],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ succeeded: 2, failed: 2 });
    expect(body.results.map((r: { index: number; ok: boolean }) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(body.results[1].error).toMatchObject({
      statusCode: 400,
      message: [expect.stringContaining('style')],
    });
    expect(body.results[0].hashtags).toHaveLength(2);
  });

  it('completes a job of 1,000 items in the background with progress and paginated results', async () => {
    const requests = Array.from({ length: 1000 }, (_, i) =>
      i === 500 ? { style: 'casual' } : item(i),
    );
    const created = await t.request({
      method: 'POST',
      url: '/api/v14/batch/jobs',
      payload: { requests },
    });
    expect(created.statusCode).toBe(202);
    const { job_id } = created.json();
    expect(
      await eventually(async () => (await jobStatus(job_id)).state === 'completed', 60_000, 100),
    ).toBe(true);
    expect(await jobStatus(job_id)).toEqual({
      job_id,
      state: 'completed',
      total: 1000,
      done: 999,
      failed: 1,
      progress_percent: 100,
      results_url: `/api/v14/batch/jobs/${job_id}/results`,
    });
    const page = (
      await t.request({
        method: 'GET',
        url: `/api/v14/batch/jobs/${job_id}/results?limit=10&cursor=495`,
      })
    ).json();
    expect(page.items.map((i: { index: number }) => i.index)).toEqual([
      496, 497, 498, 499, 500, 501, 502, 503, 504, 505,
    ]);
    expect(page.items[4]).toMatchObject({
      index: 500,
      state: 'failed',
      error: expect.stringContaining('content_description'),
    });
    expect(page.items[0]).toMatchObject({
      state: 'done',
      caption_id: expect.any(String),
      hashtags: expect.any(Array),
    });
    expect(page.next_cursor).toBe('505');
  }, 90_000);

  it('answers unknown and malformed job ids with 404 and 400', async () => {
    expect(
      (
        await t.request({
          method: 'GET',
          url: '/api/v14/batch/jobs/00000000-0000-4000-8000-000000000000',
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.request({ method: 'GET', url: '/api/v14/batch/jobs/zzz' })).statusCode).toBe(
      400,
    );
  });
});

describe('a background job interrupted by stopping the app (e2e)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('resumes after a restart and does every item exactly once', async () => {
    const first = await bootTestApp({ DATABASE_URL: db.url });
    const total = 2000;
    // The first app's workers generate LET_THROUGH captions, then each holds its next item until
    // the app stops: the job is stopped mid-way by construction, however fast the machine is.
    const LET_THROUGH = 20;
    const WORKERS_PER_JOB = 4;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    let allHeld!: () => void;
    const workersHeld = new Promise<void>((resolve) => (allHeld = resolve));
    const captions = first.app.get(CaptionsService);
    const generateAndStore = captions.generateAndStore.bind(captions);
    jest.spyOn(captions, 'generateAndStore').mockImplementation(async (...args) => {
      calls += 1;
      if (calls > LET_THROUGH) {
        if (calls === LET_THROUGH + WORKERS_PER_JOB) allHeld();
        await released;
      }
      return generateAndStore(...args);
    });
    // The runner stops taking items as shutdown begins; only then are the held items let go.
    const runner = first.app.get(BatchJobRunner);
    const beforeShutdown = runner.beforeApplicationShutdown.bind(runner);
    jest.spyOn(runner, 'beforeApplicationShutdown').mockImplementation(() => {
      const stopped = beforeShutdown();
      release();
      return stopped;
    });
    const created = await first.request({
      method: 'POST',
      url: '/api/v14/batch/jobs',
      payload: { requests: Array.from({ length: total }, (_, i) => item(i)) },
    });
    const { job_id } = created.json();
    const progress = async (app: TestApp) =>
      (await app.request({ method: 'GET', url: `/api/v14/batch/jobs/${job_id}` })).json();
    await workersHeld;
    await first.close();

    // The first app did the items it was let through, plus those its workers held when it
    // stopped (they finish before it closes), and no more. Counted in the database before the
    // second app starts: it resumes the job at once and could have done a few more by any read.
    const doneByFirst = await countDone(db.url, job_id);
    expect(doneByFirst).toBeGreaterThanOrEqual(LET_THROUGH);
    expect(doneByFirst).toBeLessThanOrEqual(LET_THROUGH + WORKERS_PER_JOB);

    const second = await bootTestApp({ DATABASE_URL: db.url });
    try {
      expect(
        await eventually(async () => (await progress(second)).state === 'completed', 90_000, 100),
      ).toBe(true);
      expect(await progress(second)).toMatchObject({
        done: total,
        failed: 0,
        progress_percent: 100,
      });
      const database = second.app.get(DatabaseService);
      const [counts] = await database.query<{
        captions: number;
        linked: number;
        distinct_links: number;
      }>(
        `SELECT (SELECT count(*)::int FROM captions) AS captions,
                (SELECT count(caption_id)::int FROM batch_job_items WHERE job_id = $1) AS linked,
                (SELECT count(DISTINCT caption_id)::int FROM batch_job_items WHERE job_id = $1) AS distinct_links`,
        [job_id],
      );
      expect(counts).toEqual({ captions: total, linked: total, distinct_links: total });
    } finally {
      await second.close();
    }
  }, 150_000);
});

/** Items of a job marked done, read straight from PostgreSQL. */
async function countDone(databaseUrl: string, jobId: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ done: number }>(
      `SELECT count(*)::int AS done FROM batch_job_items WHERE job_id = $1 AND state = 'done'`,
      [jobId],
    );
    return rows[0].done;
  } finally {
    await client.end();
  }
}
