import { V14_RESOURCES } from '../src/resources/monitoring/monitoring.v14';
import { usePagesOf } from './support/browser';
import { useTestApp } from './support/test-app';

/** A page's first render can take a few seconds on a busy 2-core machine. */
const PAGE_TEST_MS = 60_000;
/** The contract: the dashboard's figures are at most a few seconds old. */
const FRESH_WITHIN_MS = 5000;

/** The little of the DOM the page function below uses (the specs compile without lib "dom"). */
interface PageDocument {
  getElementById(id: string): { textContent: string | null } | null;
}

/**
 * The cache misses the dashboard shows ("hits / misses") once they are at least `min`, else
 * false: a wait condition. It runs in the page, so it is self-contained (Playwright sends its
 * source).
 */
const missesShown = (min: number): { misses: number } | false => {
  const page = (globalThis as unknown as { document: PageDocument }).document;
  const text = page.getElementById('cache-hm')?.textContent ?? '';
  const misses = Number(text.split(' / ')[1]?.replace(/,/g, ''));
  return misses >= min ? { misses } : false;
};

/**
 * The dashboard in headless Chromium, with the scheduled snapshot on and a whole minute between
 * snapshots: a lookup made after the page has loaded shows within seconds all the same.
 */
describe('/dashboard figures are live (e2e, headless Chromium)', () => {
  const t = useTestApp({ ENABLE_MONITORING: 'true', METRICS_INTERVAL: '60' });
  const pages = usePagesOf(() => t.app, PAGE_TEST_MS);

  it(
    'shows a cache miss made after the page loaded within 5 s, with METRICS_INTERVAL=60',
    async () => {
      const { page } = await pages.browser.open(`${pages.base}/dashboard`);
      const shown = await page.waitForFunction(missesShown, 0);
      const { misses: before } = (await shown.jsonValue()) as { misses: number };
      // The page's own polls make no cache lookups: this caption's (a miss) is the only one.
      const res = await fetch(`${pages.base}/api/v14/captions/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          content_description: `A kite over the dunes ${Date.now()}`,
          style: 'casual',
        }),
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ cached: false });
      await page.waitForFunction(missesShown, before + 1, {
        timeout: FRESH_WITHIN_MS,
      });
      // The sparkline of requests already has points from the page's own polls, not minutes later.
      await page
        .locator('#spark-req polyline')
        .waitFor({ state: 'attached', timeout: FRESH_WITHIN_MS });
      await page.close();
    },
    PAGE_TEST_MS,
  );

  it(
    'draws a card for every registered resource beyond the v14 five, with no CSP violation',
    async () => {
      const stats = await fetch(`${pages.base}/api/v14/resources/monitoring/stats`);
      const body = (await stats.json()) as { resources: Record<string, unknown> };
      const resources = Object.keys(body.resources);
      const extra = resources.filter((n) => !(V14_RESOURCES as readonly string[]).includes(n));
      const { page, problems } = await pages.browser.open(`${pages.base}/dashboard`);
      for (const name of extra) {
        const card = page.locator(`#resource-card-${name}`);
        await card.waitFor({ state: 'attached', timeout: FRESH_WITHIN_MS });
        expect(await card.locator('h2').textContent()).toBe(name);
        expect(await card.textContent()).toMatch(/state.*operations.*errors/s);
      }
      expect(await page.locator('[data-resource]').count()).toBe(extra.length);
      expect(problems).toEqual({ console: [], errors: [], cspViolations: [], outsideRequests: [] });
      await page.close();
    },
    PAGE_TEST_MS,
  );
});
