import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageService } from '../src/resources/storage/storage.service';
import { adminHeaders, useTestApp } from './support/test-app';

const STATUS = '/api/v14/resources/storage/status';

/** Same rule as test/monitoring.e2e-spec.ts: skipped only where SKIP_PROMTOOL=1 outside CI. */
const PROMTOOL_MAY_SKIP =
  process.env.SKIP_PROMTOOL === '1' && !process.env.CI && !process.env.REQUIRE_PROMTOOL;
const itWithPromtool = PROMTOOL_MAY_SKIP ? it.skip : it;

/** The value of one exposition line, e.g. `captions_api_storage_files`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * The file storage (the seed's FILE_STORAGE) in the real app: added as one folder and one line
 * of the app module, it is seen by the status route, the health summary, /metrics and the admin
 * initialize/shutdown through the registry alone.
 */
describe('file storage (e2e)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storage-e2e-'));
  const t = useTestApp({ STORAGE_DIR: dir, STORAGE_QUOTA_MB: '2' });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers GET /resources/storage/status with the contract fields', async () => {
    await t.app.get(StorageService).write('e2e.txt', 'hello');
    const res = await t.request({ method: 'GET', url: STATUS });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'storage',
      type: 'file_storage',
      state: 'ready',
      path: dir,
      files: 1,
      used_bytes: expect.any(Number),
      quota_bytes: 2 * 1024 * 1024,
      usage_percent: expect.any(Number),
      last_error: null,
    });
    expect(res.json().used_bytes).toBeGreaterThan(5);
  });

  it('is documented in the OpenAPI document like the other status routes', async () => {
    const res = await t.request({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const route = res.json().paths['/api/v14/resources/storage/status'];
    expect(route?.get?.tags).toEqual(['resources']);
  });

  it('appears in the health summary and in the monitoring stats', async () => {
    const health = await t.request({ method: 'GET', url: '/api/v14/resources/monitoring/health' });
    expect(health.json().health_checks).toMatchObject({ storage: 'healthy' });
    const stats = await t.request({ method: 'GET', url: '/api/v14/resources/monitoring/stats' });
    expect(stats.json().resources.storage).toEqual({
      state: 'ready',
      required: false,
      operations: expect.any(Number),
      errors: 0,
      figures: {
        files: expect.any(Number),
        used_bytes: expect.any(Number),
        quota_bytes: 2 * 1024 * 1024,
        usage_percent: expect.any(Number),
      },
    });
    expect(stats.json().error_sources).toMatchObject({ storage: 0 });
  });

  it('exports its series on /metrics', async () => {
    const storage = t.app.get(StorageService);
    await storage.read('e2e.txt');
    const res = await t.request({ method: 'GET', url: '/metrics' });
    const text = res.body;
    expect(sample(text, 'captions_api_storage_files')).toBe(storage.stats().files);
    expect(sample(text, 'captions_api_storage_used_bytes')).toBe(storage.stats().used_bytes);
    expect(sample(text, 'captions_api_storage_quota_bytes')).toBe(2 * 1024 * 1024);
    expect(sample(text, 'captions_api_storage_operations_total{op="write"}')).toBeGreaterThan(0);
    expect(sample(text, 'captions_api_storage_operations_total{op="read"}')).toBeGreaterThan(0);
    expect(sample(text, 'captions_api_storage_operations_total{op="delete"}')).toEqual(
      expect.any(Number),
    );
  });

  itWithPromtool('keeps /metrics valid for promtool with the storage series', async () => {
    const res = await t.request({ method: 'GET', url: '/metrics' });
    const run = spawnSync('promtool', ['check', 'metrics'], { input: res.body, encoding: 'utf8' });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new Error('promtool is not on PATH: install it or set SKIP_PROMTOOL=1 outside CI');
    }
    expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('runs in the admin self-test', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v14/resources/testing/performance',
      headers: adminHeaders,
      payload: { iterations: 5 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results.storage).toMatchObject({ operations: 15, errors: 0 });
    expect(
      t.app
        .get(StorageService)
        .list()
        .map((f) => f.name),
    ).toEqual(['e2e.txt']);
  });

  it('is closed by the admin shutdown and opened again by initialize, its files kept', async () => {
    const down = await t.request({
      method: 'POST',
      url: '/api/v14/resources/shutdown',
      headers: adminHeaders,
    });
    expect(down.statusCode).toBe(200);
    expect(down.json().resources).toMatchObject({ storage: 'closed' });
    const closed = await t.request({ method: 'GET', url: STATUS });
    expect(closed.json()).toMatchObject({ state: 'closed' });

    const up = await t.request({
      method: 'POST',
      url: '/api/v14/resources/initialize',
      headers: adminHeaders,
    });
    expect(up.statusCode).toBe(200);
    expect(up.json().resources).toMatchObject({ storage: 'ready' });
    const storage = t.app.get(StorageService);
    expect((await storage.read('e2e.txt'))?.toString('utf8')).toBe('hello');
    expect(storage.stats().files).toBe(1);
  });
});
