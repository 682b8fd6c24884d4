import { createHash } from 'node:crypto';
import { addNonce, pageCsp, serializeCsp, styleHash } from './content-security-policy';

describe('content security policy', () => {
  it('gives every script and style tag the nonce, and nothing else', () => {
    const html =
      '<style>a{}</style><script src="/x.js"></script><SCRIPT>1</SCRIPT><scripts></scripts><p>script</p>';
    expect(addNonce(html, 'n0')).toBe(
      '<style nonce="n0">a{}</style><script nonce="n0" src="/x.js"></script>' +
        '<SCRIPT nonce="n0">1</SCRIPT><scripts></scripts><p>script</p>',
    );
  });
  it('builds a page policy with the nonce and never unsafe-inline', () => {
    const csp = pageCsp('abc', ["'sha256-x'"]);
    expect(csp).toContain("script-src 'self' 'nonce-abc'");
    expect(csp).toContain("style-src 'self' 'nonce-abc' 'sha256-x'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).not.toContain('unsafe-inline');
  });
  it('hashes an inline style the way browsers do (base64 SHA-256 of its text)', () => {
    const css = 'position:absolute;width:0;height:0';
    const digest = createHash('sha256').update(css, 'utf8').digest('base64');
    expect(styleHash(css)).toBe(`'sha256-${digest}'`);
    expect(styleHash('')).toBe("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  });
  it('serializes directives in order', () => {
    expect(serializeCsp({ 'default-src': ["'none'"], 'img-src': ["'self'", 'data:'] })).toBe(
      "default-src 'none'; img-src 'self' data:",
    );
  });
});
