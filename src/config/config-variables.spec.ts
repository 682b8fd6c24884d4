import { getMetadataStorage } from 'class-validator';
import { secretScrubber } from '../common/logging/secret-scrubber';
import {
  AppConfig,
  ConfigValidationError,
  OPTIONAL_VARIABLES,
  SENSITIVE_VARIABLES,
  configVariables,
  validateConfig,
} from './app-config';
import { CONFIG_SECTIONS } from './config-sections';

/** Property names carrying class-validator metadata, optionally only those of one validator. */
function validatedProperties(validator?: string): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(AppConfig, '', true, false);
  const matching = metadata.filter((entry) => !validator || entry.name === validator);
  return [...new Set(matching.map((entry) => entry.propertyName))].sort();
}

const sorted = (names: readonly string[]) => [...names].sort();

describe('configVariables', () => {
  const variables = configVariables();

  it('documents every validated property of AppConfig, once', () => {
    const names = variables.map((variable) => variable.name);
    expect(new Set(names).size).toBe(names.length);
    expect(sorted(names)).toEqual(validatedProperties());
  });

  it('derives optional from @IsOptional(), which is exactly the variables without a default', () => {
    expect(sorted(OPTIONAL_VARIABLES)).toEqual(validatedProperties('isOptional'));
    const defaults = new AppConfig() as unknown as Record<string, unknown>;
    for (const variable of variables) {
      expect({ name: variable.name, optional: variable.optional }).toEqual({
        name: variable.name,
        optional: defaults[variable.name] === undefined,
      });
    }
  });

  it('lists as sensitive exactly the variables declared so', () => {
    expect(sorted(SENSITIVE_VARIABLES)).toEqual(
      ['ADMIN_API_KEY', 'DATABASE_URL', 'OPENAI_API_KEY', 'REDIS_URL'].sort(),
    );
  });

  it('gives every variable a known section and a sentence of doc', () => {
    for (const { name, section, doc } of variables) {
      expect({ name, known: section in CONFIG_SECTIONS }).toEqual({ name, known: true });
      expect(doc).toMatch(/^\S.{8,}[.)]$/);
    }
  });

  it('offers only examples that pass validation', () => {
    const examples = variables.filter((variable) => variable.example !== undefined);
    expect(examples.length).toBeGreaterThan(0);
    for (const { name, example } of examples) {
      expect(() => validateConfig({ [name]: example })).not.toThrow();
    }
  });
});

/** For each sensitive variable, a value that fails validation and contains a secret. */
const INVALID_SECRETS: Record<string, string> = {
  ADMIN_API_KEY: 'short-secret',
  DATABASE_URL: 'mysql://app:hunter2-secret@db/x',
  REDIS_URL: 'http://:hunter2-secret@cache:6379',
  OPENAI_API_KEY: `sk-secret-${'x'.repeat(600)}`,
};

describe('sensitive variables', () => {
  it('have an invalid value each in this spec', () => {
    expect(sorted(Object.keys(INVALID_SECRETS))).toEqual(sorted(SENSITIVE_VARIABLES));
  });

  it.each(Object.entries(INVALID_SECRETS))(
    '%s is named in a validation error, its value is not',
    (name, value) => {
      const error = validationError({ [name]: value });
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('secret');
    },
  );

  it('other variables are echoed, so the masking is what hides a secret', () => {
    expect(validationError({ PORT: 'secret' }).message).toContain('PORT="secret"');
  });

  it.each(SENSITIVE_VARIABLES)('%s is scrubbed from log lines', (name) => {
    const secret = 'hunter2-secret-value';
    const value = name.endsWith('_URL') ? `scheme://app:${secret}@host:1` : secret;
    const scrub = secretScrubber({ [name]: value } as unknown as AppConfig);
    expect(scrub?.(`connecting with ${value}`)).not.toContain(secret);
  });
});

function validationError(env: Record<string, string>): ConfigValidationError {
  try {
    validateConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(Object.keys(env))} to be refused`);
}
