import { configVariable as variable } from './testing/config-variable';
import { comment, renderEnvExample } from './env-example.render';

describe('renderEnvExample', () => {
  const text = renderEnvExample([
    variable({ name: 'REDIS_THING', section: 'redis', default: 5 }),
    variable({ name: 'PORTISH', default: 3000 }),
    variable({ name: 'LIST', default: ['a', 'b'] }),
    variable({ name: 'MAYBE', example: 'x://y' }),
    variable({ name: 'BLANK' }),
    variable({ name: 'KEY', default: 'hunter2', sensitive: true }),
  ]);
  const lines = text.split('\n');

  it('sets each variable with a default to it, lists comma-separated', () => {
    expect(lines).toContain('PORTISH=3000');
    expect(lines).toContain('LIST=a,b');
  });

  it('comments out optional variables (with their example) and secrets', () => {
    expect(lines).toContain('# MAYBE=x://y');
    expect(lines).toContain('# BLANK=');
    expect(lines).toContain('# KEY=hunter2');
  });

  it('puts each doc above its variable, and groups by section in section order', () => {
    expect(lines[lines.indexOf('PORTISH=3000') - 1]).toBe('# What PORTISH does.');
    expect(lines.indexOf('# ---- server ----')).toBeLessThan(lines.indexOf('# ---- redis ----'));
    expect(lines.indexOf('# ---- redis ----')).toBeLessThan(lines.indexOf('REDIS_THING=5'));
    expect(lines.indexOf('PORTISH=3000')).toBeLessThan(lines.indexOf('# ---- redis ----'));
  });

  it('ends with one newline', () => {
    expect(text.endsWith('=5\n')).toBe(true);
  });
});

describe('comment', () => {
  it('wraps at 100 characters on word boundaries', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const lines = comment(words);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.startsWith('# ') && line.length <= 100)).toBe(true);
    expect(lines.map((line) => line.slice(2)).join(' ')).toBe(words);
  });

  it('gives a word longer than a line a line of its own', () => {
    const long = 'x'.repeat(120);
    expect(comment(`short ${long} end`)).toEqual(['# short', `# ${long}`, '# end']);
  });
});
