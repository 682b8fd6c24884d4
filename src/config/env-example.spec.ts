import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, OPTIONAL_VARIABLES, SENSITIVE_VARIABLES } from './app-config';

/**
 * `.env.example` is the operator's list of every variable; AppConfig is what the service reads.
 * This fails when they drift: a variable added to one and not the other, or a default that
 * changed on one side only.
 */
function envExample(): Map<string, { value: string; commented: boolean }> {
  const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  const entries = new Map<string, { value: string; commented: boolean }>();
  for (const line of text.split('\n')) {
    const match = /^(# ?)?([A-Z][A-Z0-9_]+)=(\S*)$/.exec(line);
    if (match) entries.set(match[2], { value: match[3], commented: match[1] !== undefined });
  }
  return entries;
}

/** A default as .env.example spells it. */
function spelled(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

describe('.env.example and AppConfig', () => {
  const example = envExample();
  const defaults = new AppConfig() as unknown as Record<string, unknown>;
  const withDefault = Object.keys(defaults);

  it('list the same variables', () => {
    const known = [...withDefault, ...OPTIONAL_VARIABLES].sort();
    expect([...example.keys()].sort()).toEqual(known);
  });

  it('give every variable with a default the same default, set (not commented out)', () => {
    const differing = withDefault
      .filter((name) => example.get(name)?.value !== spelled(defaults[name]))
      .map(
        (name) => `${name}: .env.example ${example.get(name)?.value} vs ${spelled(defaults[name])}`,
      );
    expect(differing).toEqual([]);
    expect(withDefault.filter((name) => example.get(name)?.commented)).toEqual([]);
  });

  it('leave every optional variable unset, and every secret among them', () => {
    expect(OPTIONAL_VARIABLES.filter((name) => !example.get(name)?.commented)).toEqual([]);
    expect(SENSITIVE_VARIABLES.filter((name) => !OPTIONAL_VARIABLES.includes(name))).toEqual([]);
  });
});
