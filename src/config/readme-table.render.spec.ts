import { configVariable as variable } from './testing/config-variable';
import {
  CONFIG_END,
  CONFIG_START,
  renderReadmeTable,
  withConfigTable,
} from './readme-table.render';

describe('renderReadmeTable', () => {
  const table = renderReadmeTable([
    variable({ name: 'CACHE_THING', section: 'cache', default: 1 }),
    variable({ name: 'SOME_BYTES', default: 2 * 1024 * 1024 }),
    variable({ name: 'ODD_BYTES', default: 1000 }),
    variable({ name: 'TOKEN', sensitive: true, doc: 'a | b.' }),
    variable({ name: 'LIST', default: ['a', 'b'] }),
  ]);
  const rows = table.split('\n');
  const cells = (row: string) =>
    row
      .slice(2, -2)
      .split(/ (?<!\\)\| /)
      .map((cell) => cell.trim());

  it('has a row per variable in section order, after the header and rule', () => {
    expect(cells(rows[0])).toEqual(['variable', 'default', 'meaning']);
    expect(rows.slice(2).map((row) => cells(row)[0])).toEqual([
      '`SOME_BYTES`',
      '`ODD_BYTES`',
      '`TOKEN`',
      '`LIST`',
      '`CACHE_THING`',
    ]);
  });

  it('spells defaults as the environment does, whole MiB of byte sizes also in MiB, unset for none', () => {
    expect(rows.slice(2).map((row) => cells(row)[1])).toEqual([
      '`2097152` (2 MiB)',
      '`1000`',
      'unset',
      '`a,b`',
      '`1`',
    ]);
  });

  it('says which are secrets, and escapes pipes', () => {
    expect(cells(rows[4])[2]).toBe('a \\| b. Secret: never shown in errors or logs.');
  });

  it('pads every column to one width, as prettier does', () => {
    expect(new Set(rows.map((row) => row.length)).size).toBe(1);
    expect(rows[1]).toMatch(/^\| -+ \| -+ \| -+ \|$/);
  });
});

describe('withConfigTable', () => {
  it('replaces only what lies between the markers', () => {
    const readme = `# Title\n\nprose\n\n${CONFIG_START}\nold\n${CONFIG_END}\n\nafter\n`;
    expect(withConfigTable(readme, '| t |')).toBe(
      `# Title\n\nprose\n\n${CONFIG_START}\n\n| t |\n\n${CONFIG_END}\n\nafter\n`,
    );
  });

  it('refuses a README without the markers', () => {
    expect(() => withConfigTable('# Title\n', '| t |')).toThrow(/needs the markers/);
  });
});
