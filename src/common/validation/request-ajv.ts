import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** Keyword of a string schema: the value is trimmed before its length and pattern are checked. */
export const TRIM_KEYWORD = 'x-trim';
/**
 * Keyword of a schema: what a failed `pattern` says after the field's name (`must be a plain
 * model name`) instead of the generic `must match <pattern> regular expression`.
 */
export const ERROR_MESSAGE_KEYWORD = 'x-error-message';

/**
 * An ajv instance for request input. Every error is reported (`allErrors`: a client fixes its
 * request in one round trip), an unknown field is an error and never silently removed, defaults
 * are filled in. Bodies are JSON and keep their types ("5" is not a number); query strings and
 * path parameters are text, so they are coerced (`?limit=5` is the integer 5).
 *
 * `allErrors` is safe here because no request schema has an unbounded list of items to check:
 * batch items are validated one by one after the route's own validation (see ValidatedLater).
 */
export function createRequestAjv(options: { coerceTypes: boolean }): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: options.coerceTypes ? 'array' : false,
    allowUnionTypes: true,
    // Errors carry their schema, so messages can name allowed values and custom wording.
    verbose: true,
  });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: TRIM_KEYWORD,
    type: 'string',
    schemaType: 'boolean',
    modifying: true,
    // Before the length and pattern checks of the same schema, so they see the trimmed value.
    before: 'maxLength',
    compile: (trim: boolean) =>
      function trimString(data: string, context) {
        if (trim && context) context.parentData[context.parentDataProperty] = data.trim();
        return true;
      },
  });
  ajv.addKeyword({ keyword: ERROR_MESSAGE_KEYWORD, schemaType: 'string' });
  return ajv;
}

/** The two instances every request schema is compiled by, each schema once. */
const bodyAjv = createRequestAjv({ coerceTypes: false });
const textAjv = createRequestAjv({ coerceTypes: true });

/** Compiles a schema of a request body (JSON: no coercion). */
export function compileBodySchema(schema: object): ValidateFunction {
  return bodyAjv.compile(schema);
}

/** Compiles a schema of a query string or of path parameters (text: coerced). */
export function compileTextSchema(schema: object): ValidateFunction {
  return textAjv.compile(schema);
}
