import type { ConfigVariable } from './app-config';
import { CONFIG_SECTIONS, inSectionOrder } from './config-sections';

const WIDTH = 100;

const HEADER = [
  'Captions API — every environment variable, with its default. Copy to .env to override.',
  'Generated from src/config/app-config.ts by `npm run config:docs`: edit the declarations there, not this file.',
  'Optional variables and secrets are commented out. Durations are milliseconds (*_MS) unless the comment says seconds.',
];

/** `.env.example`: every variable under its section, its doc as a comment above it. */
export function renderEnvExample(variables: readonly ConfigVariable[]): string {
  const blocks = [HEADER.flatMap(comment)];
  for (const [section, members] of inSectionOrder(variables)) {
    const { title, note } = CONFIG_SECTIONS[section] as { title: string; note?: string };
    blocks.push([
      `# ---- ${title} ----`,
      ...(note ? comment(note) : []),
      ...members.flatMap((variable) => [...comment(variable.doc), assignment(variable)]),
    ]);
  }
  return blocks.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

/** `NAME=default`; commented out when there is no default or the value is a secret. */
function assignment(variable: ConfigVariable): string {
  if (variable.optional) return `# ${variable.name}=${variable.example ?? ''}`;
  const line = `${variable.name}=${envSpelling(variable.default)}`;
  return variable.sensitive ? `# ${line}` : line;
}

/** A value as the environment spells it: lists comma-separated. */
export function envSpelling(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Comment lines of at most WIDTH characters (a longer word gets a line of its own). */
export function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '#' && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}
