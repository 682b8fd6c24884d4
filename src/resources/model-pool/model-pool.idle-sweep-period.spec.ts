import { makeFakePool, modelOf } from './testing/fake-model-loader';

/** The idle sweeper runs every MODEL_IDLE_TTL / 2, kept within 1–60 s. */
describe('ModelPool: idle sweep period', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Starts the sweeper at t = 0, then uses `a` (loaded and last used at t = 10 ms). */
  async function idleModel(idleTtlMs: number) {
    const fake = makeFakePool({ idleTtlMs });
    fake.pool.startIdleSweeper();
    const use = fake.pool.withModel('a', () => 'a');
    await jest.advanceTimersByTimeAsync(10);
    await use;
    return fake;
  }

  it('half the TTL: a model idle past the TTL goes at the next sweep, not before', async () => {
    const { pool } = await idleModel(10_000);
    // Sweeps at 5 s, 10 s, 15 s; a is past its TTL from 10.01 s, so the 15 s sweep takes it.
    await jest.advanceTimersByTimeAsync(14_989); // t = 14.999 s
    expect(modelOf(pool, 'a').state).toBe('loaded');
    await jest.advanceTimersByTimeAsync(1);
    expect(modelOf(pool, 'a').state).toBe('unloaded');
    await pool.close(0);
  });

  it('never more often than every second, however short the TTL', async () => {
    const { pool } = await idleModel(100);
    await jest.advanceTimersByTimeAsync(989); // t = 999 ms
    expect(modelOf(pool, 'a').state).toBe('loaded');
    await jest.advanceTimersByTimeAsync(1);
    expect(modelOf(pool, 'a').state).toBe('unloaded');
    await pool.close(0);
  });

  it('never less often than every minute, however long the TTL', async () => {
    const { pool } = await idleModel(200_000);
    // Sweeps every 60 s (not every 100 s): the one at 240 s is the first past the TTL.
    await jest.advanceTimersByTimeAsync(239_989); // t = 239.999 s
    expect(modelOf(pool, 'a').state).toBe('loaded');
    await jest.advanceTimersByTimeAsync(1);
    expect(modelOf(pool, 'a').state).toBe('unloaded');
    await pool.close(0);
  });

  it('starting the sweeper twice runs one sweeper; after close it does not start', async () => {
    const { pool } = makeFakePool({ idleTtlMs: 10_000 });
    const before = jest.getTimerCount();
    pool.startIdleSweeper();
    pool.startIdleSweeper();
    expect(jest.getTimerCount()).toBe(before + 1);
    await pool.close(0);
    pool.startIdleSweeper();
    expect(jest.getTimerCount()).toBe(before);
  });
});
