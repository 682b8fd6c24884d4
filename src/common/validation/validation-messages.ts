import type { ErrorObject } from 'ajv';
import { ERROR_MESSAGE_KEYWORD } from './request-ajv';
import { unknownPropertyMessages } from './unknown-properties';

type SchemaLike = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, SchemaLike>;
  [ERROR_MESSAGE_KEYWORD]?: string;
};

/**
 * ajv's errors as the messages clients have always read, in class-validator's wording
 * (`style must be one of the following values: ...`, `property foo should not exist`), one per
 * problem, in the order ajv found them. `dataVar` names the whole input (`body`, `querystring`,
 * `params`) when the error is about it rather than about one of its fields.
 */
export function validationMessages(errors: ErrorObject[], dataVar = 'body'): string[] {
  const enumPaths = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  const messages = errors
    // A value outside an enum is said once: "must be one of", not also "must be a string".
    .filter((e) => !(e.keyword === 'type' && enumPaths.has(e.instancePath)))
    .map((e) => messageOf(e, dataVar));
  return [...new Set(messages)];
}

function messageOf(error: ErrorObject, dataVar: string): string {
  const name = fieldName(error.instancePath) || dataVar;
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as SchemaLike;
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownPropertyMessages([String(params.additionalProperty)])[0];
    case 'required': {
      const missing = String(params.missingProperty);
      const field = error.instancePath ? `${name}.${missing}` : missing;
      return `${field} ${expectation(schema.properties?.[missing])}`;
    }
    case 'type':
    case 'enum':
      return `${name} ${expectation(schema)}`;
    case 'minLength':
      return `${name} must be longer than or equal to ${String(params.limit)} characters`;
    case 'maxLength':
      return `${name} must be shorter than or equal to ${String(params.limit)} characters`;
    case 'minimum':
      return `${name} must not be less than ${String(params.limit)}`;
    case 'maximum':
      return `${name} must not be greater than ${String(params.limit)}`;
    case 'minItems':
      return `${name} must contain at least ${String(params.limit)} elements`;
    case 'maxItems':
      return `${name} must contain no more than ${String(params.limit)} elements`;
    case 'pattern':
      return `${name} ${schema[ERROR_MESSAGE_KEYWORD] ?? `must match ${String(params.pattern)} regular expression`}`;
    case 'format':
      return params.format === 'uuid'
        ? `${name} must be a UUID`
        : `${name} must be a valid ${String(params.format)}`;
    default:
      return `${name} ${error.message ?? 'is invalid'}`;
  }
}

/** What a value of this schema must be, as class-validator says it. */
function expectation(schema: SchemaLike | undefined): string {
  if (schema?.enum) return `must be one of the following values: ${schema.enum.join(', ')}`;
  const types = [schema?.type ?? []].flat().filter((t) => t !== 'null');
  switch (types[0]) {
    case 'string':
      return 'must be a string';
    case 'integer':
      return 'must be an integer number';
    case 'number':
      return 'must be a number';
    case 'boolean':
      return 'must be a boolean value';
    case 'array':
      return 'must be an array';
    case 'object':
      return 'must be an object';
    default:
      return 'is required';
  }
}

/** `/requests/2/style` → `requests.2.style` (ajv's JSON pointer, unescaped). */
function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}
