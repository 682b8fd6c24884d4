import type { LoadedModel, ModelLoader, ModelSpec } from '../model-pool.types';
import { TEST_WORKER_MODEL, workerSpec } from '../testing/worker-pool';
import { measureFootprintInWorker } from './isolated-footprint';
import { IsolatedFootprintLoader } from './isolated-footprint.loader';

/** An inline loader whose models report no footprint of their own. */
class PlainLoader implements ModelLoader {
  loads = 0;
  async load(): Promise<LoadedModel> {
    this.loads += 1;
    return { unload: () => undefined };
  }
}

describe('footprint measured in isolation', () => {
  jest.setTimeout(60_000);
  const signal = new AbortController().signal;

  it('measures what loading the module adds to a fresh thread', async () => {
    const mb = await measureFootprintInWorker(TEST_WORKER_MODEL, workerSpec('w', { sizeMb: 16 }));
    expect(mb).toBeGreaterThan(15);
    expect(mb).toBeLessThan(18);
  });

  it('fails when the module fails to load', async () => {
    await expect(
      measureFootprintInWorker(TEST_WORKER_MODEL, workerSpec('w', { failLoad: 'broken' })),
    ).rejects.toThrow('broken');
  });

  it('gives up on a thread that does not answer in time, and ends it', async () => {
    const hanging = workerSpec('w', { loadDelayMs: 60_000 });
    await expect(
      measureFootprintInWorker(TEST_WORKER_MODEL, hanging, { timeoutMs: 500 }),
    ).rejects.toThrow('did not answer within 500 ms');
  });

  it('gives up when the load it measures is abandoned', async () => {
    const deadline = new AbortController();
    const measuring = measureFootprintInWorker(
      TEST_WORKER_MODEL,
      workerSpec('w', { loadDelayMs: 60_000 }),
      { signal: deadline.signal },
    );
    deadline.abort();
    await expect(measuring).rejects.toThrow('abandoned');
  });

  it('loads the model without its figure when the measuring thread hangs', async () => {
    const warn = jest.fn();
    const measure: typeof measureFootprintInWorker = (module, spec, options) =>
      measureFootprintInWorker(
        module,
        { ...spec, options: { loadDelayMs: 60_000 } },
        {
          ...options,
          timeoutMs: 500,
        },
      );
    const loader = new IsolatedFootprintLoader(new PlainLoader(), TEST_WORKER_MODEL, warn, measure);
    const model = await loader.load(workerSpec('w'), signal);
    expect(model.memoryMb).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('did not answer within 500 ms'));
  });

  it('gives an inline model the isolated figure, measured once for every reload', async () => {
    const inner = new PlainLoader();
    const measured: string[] = [];
    const measure = async (module: string, spec: ModelSpec) => {
      measured.push(spec.name);
      return measureFootprintInWorker(module, spec);
    };
    const loader = new IsolatedFootprintLoader(inner, TEST_WORKER_MODEL, jest.fn(), measure);
    const spec = workerSpec('w', { sizeMb: 8 });
    const first = await loader.load(spec, signal);
    const second = await loader.load(spec, signal);
    expect(first.memoryMb).toBeGreaterThan(7.5);
    expect(first.memoryMb).toBeLessThan(10);
    expect(second.memoryMb).toBe(first.memoryMb);
    expect(measured).toEqual(['w']);
    expect(inner.loads).toBe(2);
  });

  it('leaves the figure to the pool when the measurement fails, and tries again next load', async () => {
    const warn = jest.fn();
    let attempts = 0;
    const measure = async () => {
      attempts += 1;
      throw new Error('no threads here');
    };
    const loader = new IsolatedFootprintLoader(new PlainLoader(), TEST_WORKER_MODEL, warn, measure);
    const model = await loader.load(workerSpec('w'), signal);
    expect(model.memoryMb).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no threads here'));
    await loader.load(workerSpec('w'), signal);
    expect(attempts).toBe(2);
  });
});
