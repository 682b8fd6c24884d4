import { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-id';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('requestIdFor', () => {
  it('echoes a plain client id and stores it on the raw request', () => {
    const req = request({ 'x-request-id': 'abc-123' });
    expect(requestIdFor(req)).toBe('abc-123');
    expect((req as unknown as { id: string }).id).toBe('abc-123');
  });

  it('replaces an unsafe or missing id with a UUID', () => {
    expect(requestIdFor(request({ 'x-request-id': 'bad id\ninjected' }))).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect(requestIdFor(request({}))).toMatch(/^[0-9a-f-]{36}$/);
  });
});
