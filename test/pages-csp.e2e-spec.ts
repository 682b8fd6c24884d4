import { PageProblems, usePagesOf } from './support/browser';
import { useTestApp } from './support/test-app';

/** A page's first render can take a few seconds on a busy 2-core machine. */
const PAGE_TEST_MS = 60_000;

/**
 * /docs, /redoc and /dashboard in headless Chromium under their real Content-Security-Policy:
 * each page must render, log no error, break no CSP rule and fetch nothing from another host.
 */
describe('HTML pages under their CSP (e2e, headless Chromium)', () => {
  const t = useTestApp();
  const pages = usePagesOf(() => t.app, PAGE_TEST_MS);

  function expectClean(problems: PageProblems): void {
    expect(problems).toEqual({ console: [], errors: [], cspViolations: [], outsideRequests: [] });
  }

  it.each(['/docs', '/redoc', '/dashboard'])(
    'serves %s with a nonce policy and no unsafe-inline',
    async (path) => {
      const { page, response } = await pages.browser.open(`${pages.base}${path}`);
      const csp = response.headers()['content-security-policy'];
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/]{22}==)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).not.toContain("'unsafe-inline'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      // Every script and style of the page carries this answer's nonce (hidden from attributes,
      // readable as the nonce property).
      const nonces = await page.evaluate(
        "Array.from(document.querySelectorAll('script, style[nonce]')).map((e) => e.nonce)",
      );
      expect(new Set(nonces as string[])).toEqual(new Set([nonce]));
      await page.close();
    },
    PAGE_TEST_MS,
  );

  it(
    'renders Swagger UI with its operations, and opens one',
    async () => {
      const { page, problems } = await pages.browser.open(`${pages.base}/docs`);
      const generate = page
        .locator('.opblock-summary')
        .filter({ hasText: '/api/v14/captions/generate' })
        .first();
      await generate.waitFor({ state: 'visible' });
      await generate.click();
      await page.getByRole('button', { name: 'Try it out' }).first().waitFor({ state: 'visible' });
      await page.waitForLoadState('networkidle');
      expectClean(problems);
      await page.close();
    },
    PAGE_TEST_MS,
  );

  it(
    'renders ReDoc with its title and a working search',
    async () => {
      const { page, problems } = await pages.browser.open(`${pages.base}/redoc`);
      await page.locator('h1', { hasText: 'Captions API v14' }).waitFor({ state: 'visible' });
      // Search runs in ReDoc's blob: worker; a result proves the worker ran under the CSP.
      await page.getByPlaceholder('Search...').fill('generate');
      await page.locator('[data-role="search:results"] li').first().waitFor({ state: 'visible' });
      // Every <style> ReDoc injected was applied: one the CSP refused has no stylesheet.
      const styled = await page.evaluate(
        "Array.from(document.querySelectorAll('style')).every((s) => s.sheet !== null)",
      );
      expect(styled).toBe(true);
      await page.waitForLoadState('networkidle');
      expectClean(problems);
      await page.close();
    },
    PAGE_TEST_MS,
  );

  it(
    'renders the dashboard with live figures',
    async () => {
      const { page, problems } = await pages.browser.open(`${pages.base}/dashboard`);
      await page.waitForFunction(
        "document.getElementById('updated').textContent.startsWith('updated')",
      );
      expect(await page.locator('#req-total').textContent()).toMatch(/^[\d,]+$/);
      expect(await page.locator('#overall').textContent()).toMatch(/^(healthy|degraded)$/);
      await page.waitForLoadState('networkidle');
      expectClean(problems);
      await page.close();
    },
    PAGE_TEST_MS,
  );
});
