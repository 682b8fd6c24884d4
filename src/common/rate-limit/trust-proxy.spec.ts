import { validateConfig } from '../../config/app-config';
import { trustProxyOption } from './trust-proxy';

describe('trustProxyOption', () => {
  it('maps the words, a hop count and an address list to Fastify trustProxy values', () => {
    expect(trustProxyOption('false')).toBe(false);
    expect(trustProxyOption('TRUE')).toBe(true);
    expect(trustProxyOption('2')).toBe(2);
    expect(trustProxyOption('10.0.0.0/8, 127.0.0.1,::1')).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
  });

  it('is off by default, and a value that is none of these stops start-up naming it', () => {
    expect(validateConfig({}).TRUST_PROXY).toBe('false');
    expect(() => validateConfig({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
  });
});
