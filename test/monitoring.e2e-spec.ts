import { SchedulerRegistry } from '@nestjs/schedule';
import { spawnSync } from 'node:child_process';
import { CacheService } from '../src/resources/cache/cache.service';
import { ResourceRegistry } from '../src/resources/registry/resource-registry.service';
import {
  HEALTH_INTERVAL_NAME,
  METRICS_INTERVAL_NAME,
} from '../src/resources/monitoring/monitoring.constants';
import { PerformanceTestService } from '../src/resources/monitoring/performance-test.service';
import {
  TestApp,
  adminHeaders,
  bootTestApp,
  createTestDatabase,
  eventually,
} from './support/test-app';

const STATS = '/api/v14/resources/monitoring/stats';
const HEALTH = '/api/v14/resources/monitoring/health';
const HISTORY = '/api/v14/resources/monitoring/history';
const SELF_TEST = '/api/v14/resources/testing/performance';

/** The v14 keys of /resources/monitoring/stats, each with the type it must have. */
const V14_NUMBERS = [
  'total_requests',
  'cache_hits',
  'database_connections',
  'http_requests',
  'redis_operations',
  'model_loads',
  'errors',
] as const;

/**
 * Whether the `promtool check metrics` checks may be skipped: only when SKIP_PROMTOOL=1 says so
 * and neither CI nor REQUIRE_PROMTOOL is set (.ci/run installs promtool and requires it).
 * Otherwise a missing promtool fails the checks instead of passing them silently.
 */
const PROMTOOL_MAY_SKIP =
  process.env.SKIP_PROMTOOL === '1' && !process.env.CI && !process.env.REQUIRE_PROMTOOL;
/** A promtool test: skipped (and counted as skipped by Jest) only where PROMTOOL_MAY_SKIP. */
const itWithPromtool = PROMTOOL_MAY_SKIP ? it.skip : it;

/** Runs `promtool check metrics` on the text; throws when promtool is not installed. */
function promtool(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'promtool is not on PATH: install it (apt-get install prometheus) or set SKIP_PROMTOOL=1 ' +
        'outside CI to skip the `promtool check metrics` tests',
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The value of one exposition line, e.g. `captions_api_model_loaded{model="caption-local"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('monitoring (e2e, real PostgreSQL and Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  /** Monitoring off (the test default): no jobs, every read computed on demand. */
  let off: TestApp;
  /** Monitoring on, one-second jobs; open at the same time as `off` (two metric registries). */
  let on: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    // One after the other: both run the migrations on the same database.
    off = await bootTestApp({ DATABASE_URL: db.url });
    on = await bootTestApp({
      DATABASE_URL: db.url,
      ENABLE_MONITORING: 'true',
      METRICS_INTERVAL: '1',
      HEALTH_CHECK_INTERVAL: '1',
    });
  });

  afterAll(async () => {
    await off?.close();
    await on?.close();
    await db?.drop();
  });

  const stats = async (t: TestApp) => {
    const res = await t.request({ method: 'GET', url: STATS });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const scrape = async (t: TestApp) => {
    const res = await t.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res;
  };
  const generate = (t: TestApp, description: string) =>
    t.request({
      method: 'POST',
      url: '/api/v14/captions/generate',
      payload: { content_description: description, style: 'casual' },
    });

  describe('with ENABLE_MONITORING=false', () => {
    it('registers none of its jobs', () => {
      const intervals = off.app.get(SchedulerRegistry).getIntervals();
      expect(intervals).not.toContain(METRICS_INTERVAL_NAME);
      expect(intervals).not.toContain(HEALTH_INTERVAL_NAME);
    });

    it('counts neither probes nor scrapes as traffic: total_requests moves by the stats reads only', async () => {
      const before = await stats(off);
      for (const url of ['/api/v14/health/live', '/api/v14/health/ready', '/metrics']) {
        expect((await off.request({ method: 'GET', url })).statusCode).toBe(200);
      }
      const after = await stats(off);
      expect(after.total_requests - before.total_requests).toBe(1); // this read itself
      expect(after.server_errors).toBe(before.server_errors);
    });

    it('answers stats with every v14 key, and the counters move with traffic', async () => {
      const before = await stats(off);
      for (const key of V14_NUMBERS) expect(typeof before[key]).toBe('number');
      expect(before.cache_stats).toEqual(
        expect.objectContaining({
          size: expect.any(Number),
          max_size: 10000,
          usage_percent: expect.any(Number),
        }),
      );
      const system = before.system_metrics;
      for (const key of ['memory_usage_percent', 'cpu_usage_percent', 'disk_usage_percent']) {
        expect(system[key]).toEqual(expect.any(Number));
        expect(system[key]).toBeGreaterThanOrEqual(0);
        expect(system[key]).toBeLessThanOrEqual(100);
      }
      expect(system.memory_usage_percent).toBeGreaterThan(0);
      expect(system.disk_usage_percent).toBeGreaterThan(0);
      expect(Array.isArray(before.alerts)).toBe(true);

      const description = 'a red bicycle leaning on a blue wall, monitoring e2e';
      const first = await generate(off, description);
      const second = await generate(off, description);
      expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
      expect(second.json().cached).toBe(true);

      const after = await stats(off);
      expect(after.total_requests).toBeGreaterThanOrEqual(before.total_requests + 3);
      expect(after.cache_hits).toBeGreaterThanOrEqual(before.cache_hits + 1);
      expect(after.cache_stats.size).toBeGreaterThanOrEqual(1);
      expect(after.redis_operations).toBeGreaterThan(before.redis_operations);
      expect(after.database_connections).toBeGreaterThanOrEqual(1);
      expect(after.database_connections).toBe(after.pools.database.total);
      expect(after.model_loads).toBeGreaterThanOrEqual(1);
      expect(after.models.loaded).toContain('caption-local');
      expect(after.errors).toBe(
        Object.values(after.error_sources as Record<string, number>).reduce((a, b) => a + b, 0),
      );
    });

    it('counts a 5xx answer in errors', async () => {
      const before = await stats(off);
      // A resource shut down under a request answers 503 (a typed ResourceUnavailableError).
      const cache = off.app.get(CacheService);
      await cache.shutdown();
      try {
        const res = await off.request({
          method: 'GET',
          url: '/api/v14/resources/cache/some-key',
          headers: adminHeaders,
        });
        expect(res.statusCode).toBe(503);
      } finally {
        await cache.init();
      }
      const after = await stats(off);
      expect(after.server_errors).toBe(before.server_errors + 1);
      expect(after.errors).toBeGreaterThanOrEqual(before.errors + 1);
    });

    it('reports every resource in /resources/monitoring/health', async () => {
      const res = await off.request({ method: 'GET', url: HEALTH });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        status: 'healthy',
        health_checks: expect.objectContaining({
          database: 'healthy',
          redis: 'healthy',
          http: 'healthy',
          cache: 'healthy',
          models: 'healthy',
        }),
        checked_at: expect.any(String),
        duration_ms: expect.any(Number),
      });
      // One key per registered resource (whatever this app registers), and nothing else.
      const registered = off.app.get(ResourceRegistry).all();
      expect(Object.keys(body.health_checks).sort()).toEqual(registered.map((r) => r.name).sort());
      expect(new Date(body.checked_at).toISOString()).toBe(body.checked_at);
    });

    it('lists a cache hit-rate alert while lookups mostly miss, and drops it once they hit', async () => {
      const cache = off.app.get(CacheService);
      const { hits, misses } = cache.stats();
      // Enough distinct misses to bring the hit rate well under 80 %, whatever ran before.
      const forcedMisses = Math.max(50, hits * 2);
      for (let i = 0; i < forcedMisses; i++) {
        expect(await cache.get(`monitoring-e2e.miss:${i}`)).toBeUndefined();
      }
      const low = await stats(off);
      const alert = low.alerts.find((a: { metric: string }) => a.metric === 'cache_hit_rate');
      expect(alert).toEqual({
        metric: 'cache_hit_rate',
        value: expect.any(Number),
        threshold: 0.8,
        since: expect.any(String),
      });
      expect(alert.value).toBeLessThan(0.8);
      const alerting = (await scrape(off)).body;
      expect(sample(alerting, 'captions_api_alert_active{metric="cache_hit_rate"}')).toBe(1);

      // Then enough hits to lift it well over 80 %.
      await cache.set('monitoring-e2e.hot', { hot: true }, { ttl: 300 });
      const forcedHits = 5 * (misses + forcedMisses);
      for (let i = 0; i < forcedHits; i++) await cache.get('monitoring-e2e.hot');
      const recovered = await stats(off);
      expect(recovered.alerts.map((a: { metric: string }) => a.metric)).not.toContain(
        'cache_hit_rate',
      );
      expect(recovered.rates.cache_hit_rate).toBeGreaterThan(0.8);
      const cleared = (await scrape(off)).body;
      expect(sample(cleared, 'captions_api_alert_active{metric="cache_hit_rate"}')).toBe(0);
    });

    it('serves /metrics outside the prefix, valid for Prometheus, with pool, cache and model series', async () => {
      const res = await scrape(off);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;

      // No metric described twice, and counters end in _total (promtool checks it too).
      const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
      const names = types.map((l) => l.split(' ')[2]);
      expect(new Set(names).size).toBe(names.length);
      for (const line of types.filter((l) => l.endsWith(' counter'))) {
        expect(line.split(' ')[2]).toMatch(/_total$/);
      }

      for (const pool of ['database', 'http']) {
        expect(
          sample(text, `captions_api_pool_connections{pool="${pool}",state="in_use"}`),
        ).toEqual(expect.any(Number));
      }
      expect(sample(text, 'captions_api_pool_connections{pool="redis",state="ready"}')).toBe(2);
      expect(sample(text, 'captions_api_pool_max_connections{pool="database"}')).toBe(6);
      expect(sample(text, 'captions_api_cache_hits_total{tier="l1"}')).toBeGreaterThan(0);
      expect(sample(text, 'captions_api_cache_hits_total{tier="l2"}')).toEqual(expect.any(Number));
      expect(sample(text, 'captions_api_cache_requests_total{result="miss"}')).toBeGreaterThan(0);
      // No precomputed ratios (they cannot be windowed or summed across replicas).
      expect(text).not.toMatch(/^captions_api_\w+_ratio\{?.*pool|^captions_api_cache_hit_ratio/m);
      expect(sample(text, 'captions_api_info{version="14.0.0"}')).toBe(1);
      expect(sample(text, 'captions_api_model_loaded{model="caption-local"}')).toBe(1);
      expect(
        sample(text, 'captions_api_model_inferences_total{model="caption-local"}'),
      ).toBeGreaterThan(0);
      expect(sample(text, 'captions_api_system_memory_usage_ratio')).toBeGreaterThan(0);
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(
        /^captions_api_http_request_duration_seconds_count\{method="POST",route="\/api\/v14\/captions\/generate",status="201"\} [1-9]/m,
      );

      // Requests are counted by method, route template and status; probes and scrapes are not.
      const statusRoute =
        'captions_api_http_requests_total{method="GET",route="/api/v14/resources/cache/status",status="200"}';
      const before = (sample(text, statusRoute) as number | undefined) ?? 0;
      await off.request({ method: 'GET', url: '/api/v14/resources/cache/status' });
      await off.request({ method: 'GET', url: '/api/v14/health/live' });
      const next = (await scrape(off)).body;
      expect(sample(next, statusRoute)).toBe(before + 1);
      expect(next).not.toMatch(
        /^captions_api_http_requests_total\{[^}]*route="(\/api\/v14\/health|\/metrics)/m,
      );
      expect((await off.request({ method: 'GET', url: '/api/v14/metrics' })).statusCode).toBe(404);
    });

    it('times queries, Redis commands and cached answers as histograms, not precomputed averages', async () => {
      await scrape(off); // the series exist from the first scrape on
      const description = 'histograms for a yellow kayak on a calm lake, monitoring e2e';
      for (let i = 0; i < 2; i++) {
        expect((await generate(off, description)).statusCode).toBe(201); // a miss, then a hit
      }
      const text = (await scrape(off)).body;
      for (const histogram of [
        'database_query_duration_seconds',
        'redis_command_duration_seconds',
        'cached_response_duration_seconds',
      ]) {
        expect(sample(text, `captions_api_${histogram}_count`)).toBeGreaterThan(0);
        expect(text).toMatch(
          new RegExp(`^captions_api_${histogram}_bucket\\{le="0\\.1"\\} \\d`, 'm'),
        );
      }
      expect(text).not.toMatch(/^captions_api_(pool_average_latency|cached_response_p95)_seconds/m);
    });

    it('runs the admin self-test with numbers per resource', async () => {
      const res = await off.request({
        method: 'POST',
        url: SELF_TEST,
        headers: adminHeaders,
        payload: { iterations: 20 },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.iterations).toBe(20);
      const expected = { cache: 40, database: 20, redis: 20, models: 20 };
      for (const [resource, operations] of Object.entries(expected)) {
        const r = body.results[resource];
        expect(r).toEqual({
          operations,
          p50_ms: expect.any(Number),
          p95_ms: expect.any(Number),
          p99_ms: expect.any(Number),
          errors: 0,
        });
        expect(r.p50_ms).toBeGreaterThan(0);
        expect(r.p50_ms).toBeLessThanOrEqual(r.p95_ms);
        expect(r.p95_ms).toBeLessThanOrEqual(r.p99_ms);
      }
      const metrics = (await scrape(off)).body;
      expect(
        sample(
          metrics,
          'captions_api_selftest_operation_duration_seconds_count{resource="database"}',
        ),
      ).toBeGreaterThanOrEqual(20);
    });

    it('refuses more iterations than its cap, and callers without the admin key', async () => {
      const over = await off.request({
        method: 'POST',
        url: SELF_TEST,
        headers: adminHeaders,
        payload: { iterations: 1001 },
      });
      expect(over.statusCode).toBe(400);
      expect(over.json().message).toEqual(['iterations must not be greater than 1000']);
      const anonymous = await off.request({
        method: 'POST',
        url: SELF_TEST,
        payload: { iterations: 1 },
      });
      expect(anonymous.statusCode).toBe(401);
    });

    it('answers 409 to a second self-test while one runs', async () => {
      const selfTest = off.app.get(PerformanceTestService);
      const first = off.request({
        method: 'POST',
        url: SELF_TEST,
        headers: adminHeaders,
        payload: { iterations: 1000 },
      });
      expect(await eventually(() => selfTest.running, 10_000, 1)).toBe(true);
      const second = await off.request({
        method: 'POST',
        url: SELF_TEST,
        headers: adminHeaders,
        payload: { iterations: 1 },
      });
      expect(second.statusCode).toBe(409);
      expect(second.json()).toMatchObject({ statusCode: 409, code: 'E_SELF_TEST_RUNNING' });
      expect((await first).statusCode).toBe(200);
      expect(selfTest.running).toBe(false);
    });

    it('serves a self-contained dashboard at /dashboard', async () => {
      const res = await off.request({ method: 'GET', url: '/dashboard' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.body).toContain("var API = '/api/v14/resources/monitoring'");
      expect(res.body).toContain('/history?limit=');
      // Nothing loaded from elsewhere: no external script, stylesheet or URL but the SVG namespace
      // (the icon is a data: URL).
      expect(res.body).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)/);
      const urls = res.body.match(/https?:\/\/[^\s'"]+/g) ?? [];
      expect(urls).toEqual(['http://www.w3.org/2000/svg']);
      expect((await off.request({ method: 'GET', url: '/api/v14/dashboard' })).statusCode).toBe(
        404,
      );
    });
  });

  describe('with ENABLE_MONITORING=true and one-second intervals', () => {
    it('registers both jobs in SchedulerRegistry', () => {
      const intervals = on.app.get(SchedulerRegistry).getIntervals();
      expect(intervals).toEqual(
        expect.arrayContaining([METRICS_INTERVAL_NAME, HEALTH_INTERVAL_NAME]),
      );
    });

    it('takes snapshots and health checks by itself, and keeps them as history', async () => {
      const first = await stats(on);
      const firstHealth = (await on.request({ method: 'GET', url: HEALTH })).json();
      expect(
        await eventually(async () => (await stats(on)).collected_at !== first.collected_at, 10_000),
      ).toBe(true);
      expect(
        await eventually(
          async () =>
            (await on.request({ method: 'GET', url: HEALTH })).json().checked_at !==
            firstHealth.checked_at,
          10_000,
        ),
      ).toBe(true);
      expect(
        await eventually(
          async () => (await on.request({ method: 'GET', url: HISTORY })).json().points.length >= 2,
          10_000,
        ),
      ).toBe(true);
      const history = (await on.request({ method: 'GET', url: `${HISTORY}?limit=1` })).json();
      expect(history).toMatchObject({ interval_s: 1, capacity: 3600 });
      expect(history.points).toHaveLength(1);
      expect(history.points[0]).toMatchObject({
        at: expect.any(Number),
        total_requests: expect.any(Number),
        memory_usage_percent: expect.any(Number),
        cpu_usage_percent: expect.any(Number),
      });
    });

    itWithPromtool("passes `promtool check metrics` on both apps' exposition", async () => {
      for (const app of [off, on]) {
        const checked = promtool((await scrape(app)).body);
        expect(checked).toEqual({ status: 0, output: '' });
      }
    });

    it('exposes its own metrics registry, next to the other app in this process', async () => {
      const mine = (await scrape(on)).body;
      expect(sample(mine, 'captions_api_model_loaded{model="caption-local"}')).toBe(1);
      // Requests to the other app do not show here: only the one request to this app is new.
      const route =
        'captions_api_http_requests_total{method="GET",route="/api/v14/resources/cache/status",status="200"}';
      const before = (sample(mine, route) as number | undefined) ?? 0;
      for (let i = 0; i < 5; i++) {
        await off.request({ method: 'GET', url: '/api/v14/resources/cache/status' });
      }
      await on.request({ method: 'GET', url: '/api/v14/resources/cache/status' });
      expect(sample((await scrape(on)).body, route)).toBe(before + 1);
    });

    it('answers stats from the snapshot between ticks', async () => {
      // Read twice in a row: a snapshot serves both unless a tick falls in between, so at
      // least one pair of consecutive reads shares its collected_at.
      let shared = false;
      for (let i = 0; i < 5 && !shared; i++) {
        const [a, b] = [await stats(on), await stats(on)];
        shared = a.collected_at === b.collected_at && a.total_requests === b.total_requests;
      }
      expect(shared).toBe(true);
    });

    it('removes its jobs when the app closes', async () => {
      const scheduler = on.app.get(SchedulerRegistry);
      await on.close();
      expect(scheduler.getIntervals()).not.toContain(METRICS_INTERVAL_NAME);
      expect(scheduler.getIntervals()).not.toContain(HEALTH_INTERVAL_NAME);
      on = undefined as unknown as TestApp;
    });
  });
});
