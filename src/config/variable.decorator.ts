import type { ConfigSection } from './config-sections';

/** What an operator needs to know about one environment variable, besides its type and default. */
export interface VariableDoc {
  /** The group it is listed under. */
  section: ConfigSection;
  /** One or two operator-facing sentences: what it does, its unit, what unset means. */
  doc: string;
  /** Its value is never printed: masked in validation errors, scrubbed from log lines. */
  sensitive?: boolean;
  /** A value to show, commented out, in `.env.example` for a variable without a default. */
  example?: string;
}

export interface DeclaredVariable extends VariableDoc {
  name: string;
}

/** Per class, its variables in declaration order (property decorators run top to bottom). */
const declared = new WeakMap<object, DeclaredVariable[]>();

/**
 * Documents a configuration property. Validation stays with the class-validator decorators;
 * this records what `.env.example`, the README table and secret masking are generated from.
 */
export function Variable(doc: VariableDoc): PropertyDecorator {
  return (prototype, property) => {
    const type = prototype.constructor;
    const variables = declared.get(type) ?? [];
    variables.push({ name: String(property), ...doc });
    declared.set(type, variables);
  };
}

/** The variables a class declares with @Variable, in declaration order. */
export function declaredVariables(type: object): readonly DeclaredVariable[] {
  return declared.get(type) ?? [];
}
