import { InvalidInputError, PayloadTooLargeError } from '../../common/errors/app-errors';
import { MAX_VALUE_DEPTH } from './cache.constants';
import { assertValidKey, hashKey, isValidKey, serializeValue } from './cache-value';

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { next: value };
  return value;
}

describe('key validation', () => {
  it.each(['a', 'caption:abc123', 'user@example.com', 'a.b_c-d:e=f+g', 'x'.repeat(256)])(
    'accepts %s',
    (key) => {
      expect(isValidKey(key)).toBe(true);
      expect(() => assertValidKey(key)).not.toThrow();
    },
  );

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(257)],
    ['a space', 'a b'],
    ['a slash', 'a/b'],
    ['a glob star', 'a*'],
    ['a glob bracket', 'a[0]'],
    ['a question mark', 'a?'],
    ['a newline', 'a\nb'],
    ['non-ASCII', 'café'],
    ['the lease marker', '!lease:x'],
  ])('rejects %s', (_what, key) => {
    expect(isValidKey(key)).toBe(false);
    expect(() => assertValidKey(key)).toThrow(InvalidInputError);
  });

  it('rejects non-strings without echoing them', () => {
    expect(() => assertValidKey(42)).toThrow(InvalidInputError);
    expect(() => assertValidKey(undefined)).toThrow(/invalid cache key:/);
  });

  it('does not echo a rejected key in the message', () => {
    expect(() => assertValidKey('secret token')).toThrow(/\(12 characters\)/);
    expect(() => assertValidKey('secret token')).not.toThrow(/secret/);
  });
});

describe('value validation', () => {
  const limit = 1024;

  it('accepts JSON values and returns their JSON and byte size', () => {
    for (const value of [null, 0, -1.5, true, 'text', [], {}, [1, 'a', null], { a: { b: [1] } }]) {
      const { json, bytes } = serializeValue(value, limit);
      expect(JSON.parse(json)).toEqual(value);
      expect(bytes).toBe(Buffer.byteLength(json));
    }
  });

  it('counts bytes, not characters', () => {
    expect(serializeValue('é', limit).bytes).toBe(4); // quotes + 2 bytes
    expect(() => serializeValue('é'.repeat(600), limit)).toThrow(PayloadTooLargeError);
    expect(() => serializeValue('e'.repeat(600), limit)).not.toThrow();
  });

  it('rejects values over the size limit with 413', () => {
    const error = captureError(() => serializeValue({ text: 'x'.repeat(2000) }, limit));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).status).toBe(413);
  });

  it('rejects circular values with 400', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const error = captureError(() => serializeValue(a, limit));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/circular/);

    const list: unknown[] = [];
    list.push({ inner: list });
    expect(() => serializeValue(list, limit)).toThrow(/circular/);
  });

  it('accepts the same object twice when it is not circular', () => {
    const shared = { x: 1 };
    expect(serializeValue({ a: shared, b: shared }, limit).json).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it(`accepts ${MAX_VALUE_DEPTH} levels of nesting and rejects ${MAX_VALUE_DEPTH + 1}`, () => {
    expect(() => serializeValue(nested(MAX_VALUE_DEPTH), 10_000)).not.toThrow();
    expect(() => serializeValue(nested(MAX_VALUE_DEPTH + 1), 10_000)).toThrow(/deeper than 32/);
    let arrays: unknown = 1;
    for (let i = 0; i < MAX_VALUE_DEPTH + 1; i++) arrays = [arrays];
    expect(() => serializeValue(arrays, 10_000)).toThrow(InvalidInputError);
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', BigInt(1)],
    ['NaN', NaN],
    ['Infinity', { n: Infinity }],
    ['a nested function', { f: () => 1 }],
    ['a function in an array', [() => 1]],
    ['a Map', { m: new Map([['a', 1]]) }],
    ['a Set', new Set([1])],
    ['a typed array', new Uint8Array([1, 2])],
    ['a promise', Promise.resolve(1)],
  ])('rejects %s with 400', (_what, value) => {
    expect(() => serializeValue(value, limit)).toThrow(InvalidInputError);
  });

  it('uses toJSON (Dates become strings, Buffers their JSON form)', () => {
    const date = new Date('2026-01-02T03:04:05.000Z');
    expect(serializeValue({ date }, limit).json).toBe('{"date":"2026-01-02T03:04:05.000Z"}');
    expect(JSON.parse(serializeValue(Buffer.from('hi'), limit).json)).toEqual({
      type: 'Buffer',
      data: [104, 105],
    });
  });

  it('drops undefined properties as JSON does', () => {
    expect(serializeValue({ a: 1, b: undefined }, limit).json).toBe('{"a":1}');
  });

  it('turns a throwing getter into a 400', () => {
    const value = {
      get boom(): never {
        throw new Error('getter failed');
      },
    };
    expect(() => serializeValue(value, limit)).toThrow(InvalidInputError);
  });
});

describe('hashKey', () => {
  it('builds a valid key that depends on the parts', () => {
    const a = hashKey('prefix', 'some free text with spaces / and * stars', 1);
    expect(isValidKey(a)).toBe(true);
    expect(a.startsWith('prefix:')).toBe(true);
    expect(hashKey('prefix', 'some free text with spaces / and * stars', 1)).toBe(a);
    expect(hashKey('prefix', 'other', 1)).not.toBe(a);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
