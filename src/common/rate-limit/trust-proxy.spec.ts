import { validateConfig } from '../../config/app-config';
import { trustProxyOption } from './trust-proxy';

describe('trustProxyOption', () => {
  it('maps the words, a hop count and an address list to Fastify trustProxy values', () => {
    expect(trustProxyOption('false')).toBe(false);
    expect(trustProxyOption('TRUE')).toBe(true);
    const twoHops = trustProxyOption('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2, 3].map((hop) => twoHops('10.0.0.1', hop))).toEqual([true, true, false, false]);
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
