import { Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

/** Declared (decorated) properties of each DTO class, computed once per class. */
const declared = new WeakMap<Type<unknown>, ReadonlySet<string>>();

/**
 * The own keys of a plain request object that the DTO class does not declare.
 *
 * class-validator's whitelist cannot be relied on for this: class-transformer skips every key
 * whose name resolves to a function or accessor on the instance (`toString`, `constructor`,
 * `hasOwnProperty`, `__defineGetter__`, …), Nest's ValidationPipe deletes `__proto__`,
 * `prototype` and `constructor` before transforming, and the whitelist itself looks names up in
 * a plain object, where `constructor` or `hasOwnProperty` are found on Object.prototype. Each of
 * those names reached the handler (201) while `foo` was refused. Own keys against a Set of the
 * declared names has no such lookup.
 */
export function unknownProperties(dtoClass: Type<unknown>, plain: unknown): string[] {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) return [];
  const allowed = declaredProperties(dtoClass);
  return Object.keys(plain).filter((key) => !allowed.has(key));
}

/** class-validator's own wording, so every unknown field reads the same. */
export function unknownPropertyMessages(keys: string[]): string[] {
  return keys.map((key) => `property ${key} should not exist`);
}

function declaredProperties(dtoClass: Type<unknown>): ReadonlySet<string> {
  let names = declared.get(dtoClass);
  if (!names) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dtoClass, '', false, false);
    names = new Set(metadata.map((m) => m.propertyName));
    declared.set(dtoClass, names);
  }
  return names;
}
