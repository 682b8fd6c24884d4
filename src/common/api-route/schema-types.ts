import {
  ObjectOptions,
  SchemaOptions,
  StringOptions,
  TProperties,
  TSchema,
  TUnsafe,
  Type,
} from '@sinclair/typebox';
import { ERROR_MESSAGE_KEYWORD, TRIM_KEYWORD } from '../validation/request-ajv';

/**
 * Small TypeBox helpers for the routes' schemas, each a plain JSON Schema that ajv (validation),
 * fast-json-stringify (serialization) and the OpenAPI document (3.1, full JSON Schema) all read.
 */

/** One of a few strings: `{type: string, enum}` (ajv then reports one error, worded "must be one of"). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A value of a typed `schema` or null: `type: [..., 'null']`, keeping the schema's own keywords. */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<T['static'] | null> {
  const { type } = schema as { type?: string | string[] };
  return Type.Unsafe<T['static'] | null>({ ...schema, type: [type ?? 'object', 'null'].flat() });
}

/** A string trimmed before its length is checked (and handed to the handler trimmed). */
export function TrimmedString(options: StringOptions = {}) {
  return Type.String({ ...options, [TRIM_KEYWORD]: true });
}

/** A string matching `pattern`; a mismatch is reported as `<field> <message>`. */
export function Matching(pattern: RegExp, message: string, options: StringOptions = {}) {
  return Type.String({ ...options, pattern: pattern.source, [ERROR_MESSAGE_KEYWORD]: message });
}

/** A UUID in its canonical form (ajv's `uuid` format alone would also take `urn:uuid:` ones). */
export function Uuid(options: StringOptions = {}) {
  return Matching(UUID_PATTERN, 'must be a UUID', { format: 'uuid', ...options });
}

const UUID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** An ISO 8601 timestamp as the API writes them (`Date#toISOString`). */
export function Timestamp(options: StringOptions = {}) {
  return Type.String({ format: 'date-time', ...options });
}

/**
 * An object whose listed fields are typed and whose other fields pass through as they are: a
 * status body that may gain fields (the contract: "add fields freely"), so a field added to a
 * service is not dropped by the response serializer before its schema catches up.
 */
export function OpenObject<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { ...options, additionalProperties: true });
}

/** A map from names (resources, hosts, ...) to values of one schema. */
export function NamedMap<T extends TSchema>(values: T, options: ObjectOptions = {}) {
  return Type.Object({}, { ...options, additionalProperties: values });
}
