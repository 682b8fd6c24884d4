import { createHash } from 'node:crypto';

/**
 * The Content-Security-Policies the service answers with: a strict one for everything (JSON
 * answers, errors, /metrics, /openapi.json) and one per HTML page, with a fresh nonce per answer.
 */

/** A CSP as directive name → sources, the shape helmet takes. */
export type CspDirectives = Record<string, string[]>;

/**
 * Every answer that is not a page: nothing may be loaded, run or framed. A JSON answer opened in
 * a browser (or an error page an attacker manages to get rendered) can then run nothing.
 */
export const API_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** A CSP source allowing exactly the inline style `css` (attribute or element text). */
export function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
}

/**
 * Inline styles Swagger UI (swagger-ui-dist, served by @nestjs/swagger) applies that no nonce can
 * reach: the `style` attribute of the SVG sprite in its HTML, and the <style> inside the logo it
 * draws. Allowed by their hashes only ('unsafe-hashes' lets a hash match an attribute).
 */
const SWAGGER_UI_STYLES = [
  "'unsafe-hashes'",
  styleHash('position:absolute;width:0;height:0'),
  styleHash('.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}'),
];

/**
 * The HTML pages (route templates, outside the /api/v14 prefix), each with the style sources it
 * needs beyond this origin's stylesheets and the answer's nonce. Inline <script> and <style> run
 * only with the nonce: never 'unsafe-inline'.
 */
export const PAGE_STYLE_SOURCES: ReadonlyMap<string, readonly string[]> = new Map([
  ['/docs', SWAGGER_UI_STYLES],
  ['/docs/', SWAGGER_UI_STYLES],
  ['/docs/index.html', SWAGGER_UI_STYLES],
  ['/redoc', []],
  ['/dashboard', []],
]);

/** The policy of an HTML page answer carrying `nonce` on its inline scripts and styles. */
export function pageCsp(nonce: string, styleSources: readonly string[] = []): string {
  const directives: CspDirectives = {
    'default-src': ["'none'"],
    'script-src': ["'self'", `'nonce-${nonce}'`],
    'style-src': ["'self'", `'nonce-${nonce}'`, ...styleSources],
    // Swagger UI and ReDoc draw icons as data: SVGs; nothing is fetched from another host.
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    // The OpenAPI document and the dashboard's figures come from this origin.
    'connect-src': ["'self'"],
    // ReDoc's search index runs in a worker it builds from a blob: URL of its own bundle.
    'worker-src': ['blob:'],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
  };
  return serializeCsp(directives);
}

/** `name source source; name source` as browsers read it. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/**
 * Gives every inline <script> and <style> of a page the answer's nonce. Only for the service's
 * own fixed pages: none of them contains text from a request, so no injected markup can be
 * blessed by the nonce.
 */
export function addNonce(html: string, nonce: string): string {
  return html.replace(/<(script|style)(?=[\s>])/gi, `<$1 nonce="${nonce}"`);
}
