import { round } from './round';

describe('round', () => {
  it('rounds half away from zero to the given decimals', () => {
    expect(round(12.345, 1)).toBe(12.3);
    expect(round(12.35, 1)).toBe(12.4);
    expect(round(2.5, 0)).toBe(3);
    expect(round(0.12345, 4)).toBe(0.1235);
  });

  it('leaves whole numbers whole', () => {
    expect(round(42, 3)).toBe(42);
  });
});
