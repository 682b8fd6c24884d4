import { readFileSync } from 'node:fs';

/** The one outside address in ReDoc's bundle: the "API docs by Redocly" footer logo. */
export const REDOCLY_LOGO_URL = 'https://cdn.redoc.ly/redoc/logo-mini.svg';

/** Where webpack's bootstrap in the bundle sets its style nonce (`__webpack_nonce__`). */
export const WEBPACK_NONCE_INIT = 'r.nc=void 0;';

/**
 * ReDoc's standalone bundle as this service serves it. Two changes make it work under the
 * page's Content-Security-Policy (no inline style or script without the answer's nonce, nothing
 * from another host) without a violation in the visitor's console:
 * - webpack's nonce starts as the nonce of the bundle's own <script> tag, so the <style>
 *   elements the bundle injects (perfect-scrollbar's CSS at load, styled-components later)
 *   carry it — what webpack documents `__webpack_nonce__` for;
 * - the footer logo, otherwise loaded from Redocly's CDN, becomes an empty data: image, which
 *   ReDoc drops on its load error, leaving the "API docs by Redocly" link as text.
 * Throws when either place is not found (a new ReDoc version): redoc-bundle.spec.ts fails then.
 */
export function patchRedocBundle(source: string): string {
  for (const needle of [WEBPACK_NONCE_INIT, REDOCLY_LOGO_URL]) {
    if (source.split(needle).length !== 2)
      throw new Error(`ReDoc bundle: expected "${needle}" exactly once; review redoc-bundle.ts`);
  }
  return source
    .replace(
      WEBPACK_NONCE_INIT,
      'r.nc=(document.currentScript&&document.currentScript.nonce)||void 0;',
    )
    .replace(REDOCLY_LOGO_URL, 'data:,');
}

/**
 * The patched bundle from the `redoc` npm package, read once. A bundle that cannot be patched is
 * served as it is (the page still works, with CSP reports in the console): the docs page must not
 * stop the API from starting; redoc-bundle.spec.ts fails on it instead.
 */
export function loadRedocBundle(): string {
  const source = readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8');
  try {
    return patchRedocBundle(source);
  } catch {
    return source;
  }
}
