/** `value` rounded to `digits` decimals, for figures in status answers and logs. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
