import {
  REDOCLY_LOGO_URL,
  WEBPACK_NONCE_INIT,
  loadRedocBundle,
  patchRedocBundle,
} from './redoc-bundle';

describe('patchRedocBundle', () => {
  it('patches the installed ReDoc bundle: its own nonce for styles, no outside address', () => {
    const bundle = loadRedocBundle();
    expect(bundle).not.toContain(WEBPACK_NONCE_INIT);
    expect(bundle).toContain('r.nc=(document.currentScript&&document.currentScript.nonce)');
    expect(bundle).not.toContain(REDOCLY_LOGO_URL);
    expect(bundle.match(/https:\/\/cdn\.|fonts\.googleapis/g)).toBeNull();
  });
  it('refuses a bundle whose patch points moved (a new ReDoc version to review)', () => {
    expect(() => patchRedocBundle(`x;${REDOCLY_LOGO_URL}`)).toThrow(/r\.nc=void 0/);
    expect(() => patchRedocBundle(`${WEBPACK_NONCE_INIT}${WEBPACK_NONCE_INIT}`)).toThrow(
      /exactly once/,
    );
  });
});
