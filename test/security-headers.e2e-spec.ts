import { SECURITY_HEADERS } from '../src/common/security/security-headers';
import { adminHeaders, useTestApp } from './support/test-app';

/** The strict policy of every answer that is not an HTML page, directive by directive. */
const API_POLICY = [
  "default-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

/** A policy's directives, however it is spaced. */
function directives(csp: unknown): string[] {
  return String(csp)
    .split(';')
    .map((directive) => directive.trim())
    .filter(Boolean);
}

describe('security headers (e2e, real PostgreSQL and Redis)', () => {
  const t = useTestApp();

  /** Headers every answer carries, whatever its route or status. */
  function expectBaseline(headers: Record<string, unknown>): void {
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'x-request-id': expect.any(String),
    });
    expect(headers['x-powered-by']).toBeUndefined();
  }

  it.each([
    ['a JSON answer', '/api/v14/health/live', 200],
    ['an unknown route', '/api/v14/nope', 404],
    ['the metrics scrape', '/metrics', 200],
    ['the OpenAPI document', '/openapi.json', 200],
    ['a validation error', '/api/v14/captions?limit=0', 400],
  ])('gives %s the baseline and the strict API policy', async (_what, url, status) => {
    const res = await t.request({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expectBaseline(res.headers);
    expect(directives(res.headers['content-security-policy'])).toEqual(API_POLICY);
  });

  it('sends exactly the SECURITY_HEADERS helmet computed, for answers written by hand too', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/nope' });
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(Object.keys(SECURITY_HEADERS).length).toBeGreaterThanOrEqual(10);
  });

  it.each(['/docs', '/redoc', '/dashboard'])(
    'gives the page %s its own policy, a new nonce each time, in its tags',
    async (url) => {
      const first = await t.request({ method: 'GET', url });
      const second = await t.request({ method: 'GET', url });
      expect(first.statusCode).toBe(200);
      expectBaseline(first.headers);
      expect(first.headers['cache-control']).toBe('no-store');
      const csp = String(first.headers['content-security-policy']);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self'");
      const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
      expect(second.headers['content-security-policy']).not.toContain(nonce);
      // Every <script> and <style> tag of the page names this answer's nonce.
      const tags = first.body.match(/<(script|style)\b[^>]*>/g) ?? [];
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
    },
  );

  it('serves the ReDoc bundle as a script this origin may run, patched to need nothing else', async () => {
    const res = await t.request({ method: 'GET', url: '/redoc/redoc.standalone.js' });
    expect(res.statusCode).toBe(200);
    expectBaseline(res.headers);
    expect(res.body).not.toContain('cdn.redoc.ly');
    expect(res.body).toContain('document.currentScript.nonce');
  });

  it('marks admin answers no-store, refusals included', async () => {
    const allowed = await t.request({
      method: 'GET',
      url: '/api/v14/resources/cache/absent-key',
      headers: adminHeaders,
    });
    expect(allowed.statusCode).toBe(404);
    expect(allowed.headers['cache-control']).toBe('no-store');
    expectBaseline(allowed.headers);
    const refused = await t.request({
      method: 'GET',
      url: '/api/v14/resources/cache/absent-key',
      headers: { 'x-api-key': 'not-the-admin-key-at-all' },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
    const cleared = await t.request({
      method: 'POST',
      url: '/api/v14/resources/cache/clear',
      headers: adminHeaders,
    });
    expect(cleared.statusCode).toBeLessThan(300);
    expect(cleared.headers['cache-control']).toBe('no-store');
  });

  it('leaves public JSON answers cacheable by their own rules', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v14/resources/cache/status' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBeUndefined();
  });
});
