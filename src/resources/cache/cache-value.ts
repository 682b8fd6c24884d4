import { createHash } from 'node:crypto';
import { InvalidInputError, PayloadTooLargeError } from '../../common/errors/app-errors';
import { KEY_PATTERN, MAX_KEY_LENGTH, MAX_VALUE_DEPTH } from './cache.constants';

/** True for a key the cache accepts (see KEY_PATTERN). */
export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/** Throws InvalidInputError (400) unless `key` is a valid cache key. The key is not echoed: it may be huge. */
export function assertValidKey(key: unknown): asserts key is string {
  if (isValidKey(key)) return;
  const length = typeof key === 'string' ? key.length : 0;
  throw new InvalidInputError(
    `invalid cache key${typeof key === 'string' ? ` (${length} characters)` : ''}: use 1-${MAX_KEY_LENGTH} characters from A-Z a-z 0-9 . _ : @ = + -`,
  );
}

/** A value ready to store: its JSON text and that text's size in bytes. */
export interface SerializedValue {
  json: string;
  bytes: number;
}

/**
 * Checks that `value` round-trips through JSON without loss and fits `maxBytes`, and returns
 * its JSON. Throws InvalidInputError (400) for what JSON cannot carry faithfully (functions,
 * symbols, bigints, non-finite numbers, Map/Set and other exotic objects, `undefined` at the
 * top), for circular values and for nesting deeper than MAX_VALUE_DEPTH; PayloadTooLargeError
 * (413) above `maxBytes`. Nothing is stored by this function, so a rejected value leaves the
 * cache as it was.
 */
export function serializeValue(value: unknown, maxBytes: number): SerializedValue {
  if (value === undefined) throw new InvalidInputError('value is undefined: nothing to cache');
  let json: string;
  try {
    inspect(value, 1, new Set());
    json = JSON.stringify(value);
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    // A getter or toJSON that throws.
    throw new InvalidInputError(`value is not JSON-serializable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof json !== 'string') throw new InvalidInputError('value is not JSON-serializable');
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    throw new PayloadTooLargeError(`value is ${bytes} bytes of JSON; the limit is ${maxBytes}`);
  }
  return { json, bytes };
}

/** Objects JSON.stringify turns into `{}` or a lossy shape without complaint. */
function isExotic(value: object): boolean {
  return (
    value instanceof Map ||
    value instanceof Set ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof Promise ||
    value instanceof ArrayBuffer ||
    (ArrayBuffer.isView(value) && !('toJSON' in value))
  );
}

function inspect(value: unknown, depth: number, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined': // dropped inside objects and null inside arrays, as JSON does
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InvalidInputError(`value holds ${value}, which JSON cannot carry`);
      }
      return;
    case 'object':
      break;
    default:
      throw new InvalidInputError(`value holds a ${typeof value}, which JSON cannot carry`);
  }
  if (value === null) return;
  if (depth > MAX_VALUE_DEPTH) {
    throw new InvalidInputError(`value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  if (ancestors.has(value)) throw new InvalidInputError('value is circular');
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Date, Buffer, and classes that define their own JSON form: check what they turn into.
    const replacement: unknown = toJSON.call(value);
    if (replacement !== value) {
      ancestors.add(value);
      inspect(replacement, depth, ancestors);
      ancestors.delete(value);
      return;
    }
  }
  if (isExotic(value)) {
    throw new InvalidInputError(
      `value holds a ${value.constructor?.name ?? 'special object'}, which JSON cannot carry`,
    );
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    // Holes and undefined items become null, as JSON has it.
    for (const item of value) inspect(item, depth + 1, ancestors);
  } else {
    for (const key of Object.keys(value)) {
      inspect((value as Record<string, unknown>)[key], depth + 1, ancestors);
    }
  }
  ancestors.delete(value);
}

/**
 * A valid cache key for free text or argument lists: `prefix:` followed by 32 characters of
 * the SHA-256 of their JSON (base64url). Throws for what JSON cannot encode (circular input).
 */
export function hashKey(prefix: string, ...parts: unknown[]): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(parts) ?? '')
    .digest('base64url')
    .slice(0, 32);
  return `${prefix}:${digest}`;
}
