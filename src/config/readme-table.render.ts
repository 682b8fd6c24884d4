import type { ConfigVariable } from './app-config';
import { inSectionOrder } from './config-sections';
import { envSpelling } from './env-example.render';

export const CONFIG_START = '<!-- config:start -->';
export const CONFIG_END = '<!-- config:end -->';

const MIB = 1024 * 1024;

/**
 * The README's configuration table: every variable, in section order. Columns are padded as
 * prettier pads markdown tables, so the README stays prettier-clean.
 */
export function renderReadmeTable(variables: readonly ConfigVariable[]): string {
  const rows = inSectionOrder(variables).flatMap(([, members]) =>
    members.map((variable) => [`\`${variable.name}\``, defaultCell(variable), meaning(variable)]),
  );
  return alignedTable(['variable', 'default', 'meaning'], rows);
}

/** Replaces what lies between the config markers of a README with the table. */
export function withConfigTable(readme: string, table: string): string {
  const start = readme.indexOf(CONFIG_START);
  const end = readme.indexOf(CONFIG_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md needs the markers ${CONFIG_START} and ${CONFIG_END}, in that order`);
  }
  return `${readme.slice(0, start + CONFIG_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

function defaultCell(variable: ConfigVariable): string {
  if (variable.optional) return 'unset';
  const spelled = `\`${envSpelling(variable.default)}\``;
  const value = variable.default;
  const inMiB = typeof value === 'number' && value >= MIB && value % MIB === 0;
  return variable.name.endsWith('_BYTES') && inMiB ? `${spelled} (${value / MIB} MiB)` : spelled;
}

function meaning(variable: ConfigVariable): string {
  const secret = variable.sensitive ? ' Secret: never shown in errors or logs.' : '';
  return (variable.doc + secret).replace(/\|/g, '\\|');
}

function alignedTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
