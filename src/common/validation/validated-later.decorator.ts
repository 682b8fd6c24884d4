/** Properties, per DTO class, whose contents are validated later by the handler. */
const registry = new WeakMap<object, string[]>();

/**
 * Marks a property whose contents the handler validates itself, later (batch items, which
 * fail one by one with their index). StrictValidationPipe validates the property's shape as
 * usual but hands the handler the contents exactly as sent: class-transformer would drop keys
 * named after Object.prototype members from nested plain objects (`toString`, `valueOf`, …) and
 * Nest's ValidationPipe would delete `constructor` and `prototype` from them in place, so the
 * later validation could not see, and refuse, them. Not inherited by subclasses.
 */
export function ValidatedLater(): PropertyDecorator {
  return (target, property) => {
    const dtoClass = target.constructor;
    registry.set(dtoClass, [...(registry.get(dtoClass) ?? []), String(property)]);
  };
}

export function validatedLaterProperties(dtoClass: object): readonly string[] {
  return registry.get(dtoClass) ?? [];
}
