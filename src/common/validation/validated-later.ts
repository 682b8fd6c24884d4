import type { TSchema } from '@sinclair/typebox';

const VALIDATED_LATER = Symbol('validatedLater');

/**
 * Marks a part of a request schema that the handler validates itself, later: batch items, which
 * fail one by one with their index instead of failing the whole request. The OpenAPI document
 * shows the full schema; the route's validation (see forRouteValidation) accepts any value there.
 */
export function ValidatedLater<T extends TSchema>(schema: T): T {
  return { ...schema, [VALIDATED_LATER]: true };
}

/** The schema the route validates: each part marked ValidatedLater accepts any value. */
export function forRouteValidation<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(forRouteValidation) as T;
  if (typeof schema !== 'object' || schema === null) return schema;
  if ((schema as Record<symbol, unknown>)[VALIDATED_LATER]) return {} as T;
  const copy = { ...schema } as Record<string, unknown>;
  for (const [key, value] of Object.entries(copy)) copy[key] = forRouteValidation(value);
  return copy as T;
}
