/**
 * class-validator's wording for an unknown field, kept by the schema validation (ajv's
 * `additionalProperties`) and by the JSON parser's refusal of prototype keys, so that every
 * unknown field reads the same whatever refused it.
 */
export function unknownPropertyMessages(keys: string[]): string[] {
  return keys.map((key) => `property ${key} should not exist`);
}
