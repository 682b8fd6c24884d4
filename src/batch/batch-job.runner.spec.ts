import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CaptionsService } from '../captions/captions.service';
import { GenerateCaptionBody } from '../captions/schemas/generate-caption.schema';
import { ResourceUnavailableError, UpstreamError } from '../common/errors/app-errors';
import { DatabaseService } from '../resources/database/database.service';
import { BatchJobRunner } from './batch-job.runner';
import { BatchJobsRepository } from './batch-jobs.repository';

interface FakeItem {
  idx: number;
  request: unknown;
  state: 'pending' | 'claimed' | 'done' | 'failed';
  captionId?: string;
  error?: string;
}

/** A transaction of the fake database: what it changed is undone if its callback throws. */
class FakeTransaction {
  readonly undo: Array<() => void> = [];
}

/** DatabaseService.transaction with rollback, and nothing else. */
class FakeDatabase {
  async transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const tx = new FakeTransaction();
    try {
      return await fn(tx as unknown as EntityManager);
    } catch (error) {
      for (const undo of tx.undo.reverse()) undo();
      throw error;
    }
  }
}

/**
 * BatchJobsRepository in memory. A claimed item is skipped by other workers (as FOR UPDATE SKIP
 * LOCKED does) until its transaction ends; a rolled-back claim makes it pending again.
 */
class FakeJobs {
  readonly jobs = new Map<string, { state: string; items: FakeItem[] }>();
  unfinishedFails = false;

  add(id: string, requests: unknown[], state = 'queued'): void {
    const items = requests.map((request, idx): FakeItem => ({ idx, request, state: 'pending' }));
    this.jobs.set(id, { state, items });
  }

  items(id: string): FakeItem[] {
    return this.jobs.get(id)!.items;
  }

  state(id: string): string {
    return this.jobs.get(id)!.state;
  }

  async unfinished(): Promise<string[]> {
    if (this.unfinishedFails) throw new ResourceUnavailableError('database');
    return [...this.jobs]
      .filter(([, job]) => job.state === 'queued' || job.state === 'running')
      .map(([id]) => id);
  }

  async setState(id: string, state: string): Promise<void> {
    this.jobs.get(id)!.state = state;
  }

  async claimNext(manager: EntityManager, jobId: string) {
    const item = this.items(jobId).find((i) => i.state === 'pending');
    if (!item) return undefined;
    item.state = 'claimed';
    (manager as unknown as FakeTransaction).undo.push(() => (item.state = 'pending'));
    return { idx: item.idx, request: item.request };
  }

  async finishItem(
    manager: EntityManager,
    jobId: string,
    idx: number,
    outcome: { captionId: string } | { error: string },
  ): Promise<void> {
    const item = this.items(jobId)[idx];
    const before = { ...item };
    if ('captionId' in outcome) Object.assign(item, { state: 'done', ...outcome });
    else Object.assign(item, { state: 'failed', ...outcome });
    (manager as unknown as FakeTransaction).undo.push(() => Object.assign(item, before));
  }

  async counts(id: string) {
    const items = this.items(id);
    return {
      id,
      state: this.state(id),
      total: items.length,
      done: items.filter((i) => i.state === 'done').length,
      failed: items.filter((i) => i.state === 'failed').length,
    };
  }
}

const request = (i: number) => ({ content_description: `photo ${i}`, style: 'casual' });

describe('BatchJobRunner', () => {
  let jobs: FakeJobs;
  let generate: jest.Mock<Promise<{ id: string }>, [GenerateCaptionBody]>;
  let runner: BatchJobRunner;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jobs = new FakeJobs();
    generate = jest.fn(async (dto: GenerateCaptionBody) => ({
      id: `caption of ${dto.content_description}`,
    }));
    runner = new BatchJobRunner(
      jobs as unknown as BatchJobsRepository,
      { generateAndStore: generate } as unknown as CaptionsService,
      new FakeDatabase() as unknown as DatabaseService,
    );
  });

  afterEach(async () => {
    await runner.beforeApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** Holds every generation until `release()`; `inFlight` counts those held. */
  function holdGenerations() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = { inFlight: 0, release };
    generate.mockImplementation(async (dto) => {
      held.inFlight += 1;
      await released;
      held.inFlight -= 1;
      return { id: `caption of ${dto.content_description}` };
    });
    return held;
  }

  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setImmediate(resolve));
  }

  it('does every item once, stores each caption on its item, and completes the job', async () => {
    jobs.add(
      'job',
      Array.from({ length: 10 }, (_, i) => request(i)),
    );
    runner.start('job');
    await runner.settled('job');
    expect(jobs.state('job')).toBe('completed');
    expect(generate).toHaveBeenCalledTimes(10);
    expect(jobs.items('job').map((i) => [i.state, i.captionId])).toEqual(
      Array.from({ length: 10 }, (_, i) => ['done', `caption of photo ${i}`]),
    );
  });

  it('fails an invalid item alone with its validation messages, without generating it', async () => {
    jobs.add('job', [request(0), { content_description: 'x', style: 'angry' }, 'nope', request(3)]);
    runner.start('job');
    await runner.settled('job');
    expect(jobs.state('job')).toBe('completed');
    expect(jobs.items('job').map((i) => i.state)).toEqual(['done', 'failed', 'failed', 'done']);
    expect(jobs.items('job')[1].error).toMatch(/^style must be one of the following values/);
    expect(jobs.items('job')[2].error).toBe('each request must be an object');
    expect(generate).toHaveBeenCalledTimes(2);
  });

  it('fails an item whose generation fails for good, with the error message, and goes on', async () => {
    jobs.add('job', [request(0), request(1), request(2)]);
    generate.mockImplementation(async (dto) => {
      if (dto.content_description === 'photo 1') throw new UpstreamError('model answered 500');
      return { id: `caption of ${dto.content_description}` };
    });
    runner.start('job');
    await runner.settled('job');
    expect(jobs.state('job')).toBe('completed');
    expect(jobs.items('job').map((i) => [i.state, i.error])).toEqual([
      ['done', undefined],
      ['failed', 'model answered 500'],
      ['done', undefined],
    ]);
  });

  it('leaves an item pending when a resource is away (503), pauses the job, and finishes it on a later run', async () => {
    jobs.add('job', [request(0), request(1), request(2)]);
    let away = true;
    generate.mockImplementation(async (dto) => {
      if (away && dto.content_description === 'photo 1') {
        throw new ResourceUnavailableError('model pool');
      }
      return { id: `caption of ${dto.content_description}` };
    });
    runner.start('job');
    await runner.settled('job');
    expect(jobs.state('job')).toBe('running');
    expect(jobs.items('job')[1].state).toBe('pending');
    expect(jobs.items('job')[1].error).toBeUndefined();

    away = false;
    runner.start('job');
    await runner.settled('job');
    expect(jobs.state('job')).toBe('completed');
    expect(jobs.items('job').every((i) => i.state === 'done')).toBe(true);
    // Items done in the first run were not done again.
    const tries = (n: number) =>
      generate.mock.calls.filter(([dto]) => dto.content_description === `photo ${n}`).length;
    expect([tries(0), tries(2)]).toEqual([1, 1]);
    expect(tries(1)).toBeGreaterThanOrEqual(2);
  });

  it('works on four items of a job at once, and starts a job only once while it runs', async () => {
    jobs.add(
      'job',
      Array.from({ length: 10 }, (_, i) => request(i)),
    );
    const held = holdGenerations();
    runner.start('job');
    runner.start('job');
    await until(() => held.inFlight === 4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.inFlight).toBe(4);
    expect(generate).toHaveBeenCalledTimes(4);

    held.release();
    await runner.settled('job');
    expect(generate).toHaveBeenCalledTimes(10);
    expect(jobs.state('job')).toBe('completed');
  });

  it('on shutdown takes no more items, waits for those in progress, and leaves the job unfinished', async () => {
    jobs.add(
      'job',
      Array.from({ length: 10 }, (_, i) => request(i)),
    );
    const held = holdGenerations();
    runner.start('job');
    await until(() => held.inFlight === 4);

    let stopped = false;
    const stopping = runner.beforeApplicationShutdown().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // still waiting for the four in progress
    held.release();
    await stopping;

    const states = jobs.items('job').map((i) => i.state);
    expect(states.filter((s) => s === 'done')).toHaveLength(4);
    expect(states.filter((s) => s === 'pending')).toHaveLength(6);
    expect(generate).toHaveBeenCalledTimes(4);
    expect(jobs.state('job')).toBe('running'); // resumed after the restart

    runner.start('job'); // a stopped runner starts nothing
    await runner.settled('job');
    expect(generate).toHaveBeenCalledTimes(4);
  });

  it('waits at most 10 s on shutdown for an item that hangs', async () => {
    jest.useFakeTimers();
    jobs.add('job', [request(0)]);
    const held = holdGenerations();
    runner.start('job');
    await jest.advanceTimersByTimeAsync(0);
    expect(generate).toHaveBeenCalledTimes(1);

    let stopped = false;
    void runner.beforeApplicationShutdown().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(9_999);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
    expect(jobs.items('job')[0].state).toBe('claimed'); // still in its transaction

    held.release();
    await runner.settled('job');
  });

  it('resumes unfinished jobs at start-up and looks for them again every 5 s', async () => {
    jest.useFakeTimers();
    jobs.add('queued', [request(0)], 'queued');
    jobs.add('interrupted', [request(1)], 'running');
    jobs.add('finished', [request(2)], 'completed');
    runner.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(jobs.state('queued')).toBe('completed');
    expect(jobs.state('interrupted')).toBe('completed');
    expect(generate).toHaveBeenCalledTimes(2);

    jobs.add('later', [request(3)], 'queued');
    await jest.advanceTimersByTimeAsync(4_999);
    expect(jobs.state('later')).toBe('queued');
    await jest.advanceTimersByTimeAsync(1);
    expect(jobs.state('later')).toBe('completed');
    expect(generate).toHaveBeenCalledTimes(3);
  });

  it('tries again on the next tick when the database cannot list unfinished jobs', async () => {
    jest.useFakeTimers();
    jobs.add('job', [request(0)]);
    jobs.unfinishedFails = true;
    runner.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(jobs.state('job')).toBe('queued');

    jobs.unfinishedFails = false;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(jobs.state('job')).toBe('completed');
  });

  it('stops looking for unfinished jobs once shut down', async () => {
    jest.useFakeTimers();
    runner.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    await runner.beforeApplicationShutdown();
    jobs.add('late', [request(0)]);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(jobs.state('late')).toBe('queued');
    expect(generate).not.toHaveBeenCalled();
  });
});
