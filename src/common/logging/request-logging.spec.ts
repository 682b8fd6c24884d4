import pino from 'pino';
import { Writable } from 'node:stream';
import { RequestLogContext } from './request-logging';

/** A root logger whose lines are kept, parsed. */
function capturedRoot() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { root: pino({ level: 'info' }, stream), lines };
}

async function flushed(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('RequestLogContext', () => {
  it('makes no child logger until a line is logged within the request', () => {
    const { root } = capturedRoot();
    const child = jest.spyOn(root, 'child');
    const context = new RequestLogContext(root, 'req-1');
    expect(child).not.toHaveBeenCalled();
    expect(context.logger).toBe(context.logger);
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('tags the lines logged within the request with its id', async () => {
    const { root, lines } = capturedRoot();
    new RequestLogContext(root, 'req-2').logger.info('inside');
    await flushed();
    expect(lines).toEqual([expect.objectContaining({ request_id: 'req-2', msg: 'inside' })]);
  });

  it('keeps a logger assigned in its place (PinoLogger.assign)', async () => {
    const { root, lines } = capturedRoot();
    const context = new RequestLogContext(root, 'req-3');
    context.logger = context.logger.child({ user: 'u1' });
    context.logger.info('assigned');
    await flushed();
    expect(lines).toEqual([expect.objectContaining({ request_id: 'req-3', user: 'u1' })]);
  });
});
