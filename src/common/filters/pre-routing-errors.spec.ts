import { clientErrorStatus, requestIdIn } from './pre-routing-errors';

describe('clientErrorStatus', () => {
  it('maps Node parser errors to their status', () => {
    expect(clientErrorStatus('ERR_HTTP_REQUEST_TIMEOUT', undefined)).toBe(408);
    expect(clientErrorStatus('HPE_INVALID_METHOD', Buffer.from('G@T / HTTP/1.1'))).toBe(400);
    expect(clientErrorStatus(undefined, undefined)).toBe(400);
  });
  it('tells a request line over the limit (414) from headers over it (431)', () => {
    const limit = 100;
    const longLine = Buffer.from(`GET /${'a'.repeat(200)} HTTP/1.1\r\nHost: x\r\n`);
    const cutLine = Buffer.from(`GET /${'a'.repeat(200)}`);
    const bigHeader = Buffer.from(`GET / HTTP/1.1\r\nx-big: ${'a'.repeat(200)}`);
    expect(clientErrorStatus('HPE_HEADER_OVERFLOW', longLine, limit)).toBe(414);
    expect(clientErrorStatus('HPE_HEADER_OVERFLOW', cutLine, limit)).toBe(414);
    expect(clientErrorStatus('HPE_HEADER_OVERFLOW', bigHeader, limit)).toBe(431);
  });
});

describe('requestIdIn', () => {
  it('finds a safe x-request-id among the raw headers', () => {
    expect(requestIdIn(Buffer.from('GET / HTTP/1.1\r\nX-Request-Id: abc-1\r\nx-big: aaa'))).toBe(
      'abc-1',
    );
  });
  it('ignores an unsafe, cut or missing one', () => {
    expect(requestIdIn(Buffer.from('GET / HTTP/1.1\r\nx-request-id: a b"c\r\n'))).toBeUndefined();
    expect(requestIdIn(Buffer.from('GET / HTTP/1.1\r\nx-request-id: abc'))).toBeUndefined();
    expect(requestIdIn(Buffer.from('GET / HTTP/1.1\r\n'))).toBeUndefined();
    expect(requestIdIn(undefined)).toBeUndefined();
  });
});
