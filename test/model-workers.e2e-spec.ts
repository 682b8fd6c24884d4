import { ModelPoolService } from '../src/resources/model-pool/model-pool.service';
import { writeModelConfig } from '../src/resources/model-pool/testing/model-config-file';
import {
  TEST_WORKER_METHODS,
  TEST_WORKER_MODEL,
} from '../src/resources/model-pool/testing/worker-pool';
import { adminHeaders, eventually, useTestApp } from './support/test-app';

/**
 * Models in worker threads in the real app: the test worker model (a caption model whose
 * description steers it: `hang`, `exit`, `throw`, `sleep:<ms>`) registered as a worker loader
 * type, next to caption-local inline. `main-worker` is MODEL_FALLBACK, so a failing
 * `other-worker` falls back to it, while `main-worker`'s own failures reach the client.
 */
const STATUS = '/api/v14/resources/models/status';

describe('model workers (e2e)', () => {
  const t = useTestApp(() => ({
    MODEL_CONFIG: writeModelConfig([
      { name: 'caption-local', loader: 'wink', estimated_mb: 40 },
      { name: 'main-worker', loader: 'test-worker', estimated_mb: 5 },
      { name: 'other-worker', loader: 'test-worker', estimated_mb: 5 },
    ]),
    MODEL_PRELOAD: 'caption-local',
    MODEL_FALLBACK: 'main-worker',
    MODEL_WORKERS: '1',
    MODEL_WORKER_QUEUE: '1',
    MODEL_INFERENCE_TIMEOUT_MS: '3000',
  }));
  let n = 0;
  const generate = (model: string, what: string) =>
    t.request({
      method: 'POST',
      url: '/api/v14/captions/generate',
      // Unique descriptions: no answer comes from the cache.
      payload: {
        content_description: `${what}:${(n += 1)}`,
        style: 'casual',
        hashtag_count: 2,
        model,
      },
    });
  const status = async () => (await t.request({ method: 'GET', url: STATUS })).json();

  beforeAll(() => {
    // Loaders are looked up at load time: the declared worker models become available now.
    t.app.get(ModelPoolService).registerWorkerLoader('test-worker', {
      module: TEST_WORKER_MODEL,
      methods: TEST_WORKER_METHODS,
    });
  });

  it('reports no worker threads while only inline models are loaded', async () => {
    const body = await status();
    expect(body.workers).toEqual({ size: 0, busy: 0, queued: 0, restarts: 0 });
    const local = body.models.find((m: { name: string }) => m.name === 'caption-local');
    // caption-local's footprint is measured in a thread of its own (isolated from this heap).
    expect(local).toMatchObject({ state: 'loaded', measured: true });
    expect(local.memory_mb).toBeGreaterThan(5);
  });

  it('answers from a model in a worker thread and shows its thread', async () => {
    const res = await generate('other-worker', 'sunrise');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      model: 'other-worker',
      fallback: false,
      hashtags: ['#tag0', '#tag1'],
    });
    expect(res.json().caption).toMatch(/^other-worker wrote about sunrise/);
    expect((await status()).workers).toMatchObject({ size: 1, busy: 0, queued: 0 });
  });

  it('falls back when a worker model hangs past the timeout, and replaces its thread', async () => {
    const res = await generate('other-worker', 'hang:0@other-worker');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ model: 'main-worker', fallback: true });
    expect(await eventually(async () => (await status()).workers.restarts === 1)).toBe(true);
    expect((await generate('other-worker', 'again')).json()).toMatchObject({
      model: 'other-worker',
      fallback: false,
    });
  });

  it('answers 503, not 500, when a model without a fallback throws or its thread exits', async () => {
    for (const what of ['throw', 'exit']) {
      const res = await generate('main-worker', what);
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('E_MODEL_WORKER_FAILED');
    }
    expect((await generate('main-worker', 'fine')).statusCode).toBe(201);
  });

  it('answers 503 with Retry-After when the threads are busy and the queue is full', async () => {
    await generate('main-worker', 'warm'); // loaded, so both calls below go straight to it
    // Whichever arrives first runs, the other waits: one thread, a queue of one.
    const running = generate('main-worker', 'sleep:600');
    const queued = generate('main-worker', 'sleep:600');
    expect(await eventually(async () => (await status()).workers.queued === 1, 5000, 5)).toBe(true);
    const refused = await generate('main-worker', 'one too many');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().code).toBe('E_MODEL_BUSY');
    expect((await running).statusCode).toBe(201);
    expect((await queued).statusCode).toBe(201);
  });

  it('frees the threads when a worker model is unloaded', async () => {
    const before = (await status()).workers.size;
    const res = await t.request({
      method: 'DELETE',
      url: '/api/v14/resources/models/other-worker',
      headers: adminHeaders,
    });
    expect(res.statusCode).toBe(200);
    expect((await status()).workers.size).toBe(before - 1);
  });
});
