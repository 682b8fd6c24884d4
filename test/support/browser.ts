import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BrowserContext, Page, Response, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). No browser is downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What went wrong on a page: console errors, uncaught exceptions, CSP violations. */
export interface PageProblems {
  console: string[];
  errors: string[];
  cspViolations: string[];
  /** Requests the page made to any host but the app's own. */
  outsideRequests: string[];
}

export interface TestBrowser {
  context: BrowserContext;
  /** Opens `url` in a fresh tab that records everything in `PageProblems`. */
  open: (url: string) => Promise<{ page: Page; response: Response; problems: PageProblems }>;
  close: () => Promise<void>;
}

/**
 * Headless Chromium on a fresh profile. Fails with a clear message when Chromium is absent:
 * the page tests are required, not skipped.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium package (apt-get install -y chromium)`,
    );
  const profile = mkdtempSync(join(tmpdir(), 'captions-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  // Reported by the page to the console, where it is collected below; CDP init scripts are not
  // themselves subject to the page's CSP.
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) =>
      console.error('CSP violation: ' + event.violatedDirective + ' blocked ' +
        (event.blockedURI || 'inline')));`,
  });
  return {
    context,
    open: async (url) => {
      const origin = new URL(url).origin;
      const problems: PageProblems = {
        console: [],
        errors: [],
        cspViolations: [],
        outsideRequests: [],
      };
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        // The browser's own guess at a site icon, not something the page asked for.
        if (message.location().url.endsWith('/favicon.ico')) return;
        const text = message.text();
        (text.startsWith('CSP violation') ? problems.cspViolations : problems.console).push(text);
      });
      page.on('pageerror', (error) => problems.errors.push(error.message));
      page.on('request', (request) => {
        const target = request.url();
        if (/^https?:/.test(target) && new URL(target).origin !== origin)
          problems.outsideRequests.push(target);
      });
      const response = await page.goto(url, { waitUntil: 'load' });
      if (!response) throw new Error(`no answer for ${url}`);
      return { page, response, problems };
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * For a spec file: listens `app` on a free port and launches Chromium before its tests, closes
 * Chromium after them. Read `browser` and `base` (the app's URL) inside the tests.
 */
export function usePagesOf(
  app: () => NestFastifyApplication,
  setupMs: number,
): { readonly browser: TestBrowser; readonly base: string } {
  const state: { browser?: TestBrowser; base?: string } = {};
  beforeAll(async () => {
    await app().listen({ port: 0, host: '127.0.0.1' });
    const { port } = app().getHttpServer().address() as { port: number };
    state.base = `http://127.0.0.1:${port}`;
    state.browser = await launchBrowser();
  }, setupMs);
  afterAll(async () => {
    await state.browser?.close();
  });
  return {
    get browser() {
      if (!state.browser) throw new Error('the browser starts in beforeAll');
      return state.browser;
    },
    get base() {
      if (!state.base) throw new Error('the app listens in beforeAll');
      return state.base;
    },
  };
}
