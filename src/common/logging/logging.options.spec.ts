import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A process that logs through bufferedStdout() and exits at once: far fewer bytes than the
 * buffer holds and well before the periodic flush, so only the flush on exit can write them.
 */
function runLoggingThenExit(exit: string): { status: number | null; lines: string[] } {
  const script = `
    const { bufferedStdout } = require(${JSON.stringify(join(__dirname, 'logging.options'))});
    const pino = require('pino');
    const log = pino({ level: 'info' }, bufferedStdout());
    log.info('first');
    log.warn('last before exit');
    ${exit}
  `;
  const run = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: join(__dirname, '../../..'),
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = run.stdout.split('\n').filter(Boolean);
  return { status: run.status, lines: lines.map((l) => JSON.parse(l).msg) };
}

describe('bufferedStdout', () => {
  it('writes what is buffered when the process exits (the graceful shutdown ends so)', () => {
    expect(runLoggingThenExit('process.exit(0);')).toEqual({
      status: 0,
      lines: ['first', 'last before exit'],
    });
  });

  it('writes what is buffered when an uncaught exception ends the process', () => {
    expect(runLoggingThenExit('throw new Error("fatal");')).toEqual({
      status: 1,
      lines: ['first', 'last before exit'],
    });
  });
});
