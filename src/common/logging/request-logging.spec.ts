import pino from 'pino';
import { Writable } from 'node:stream';
import { RequestLogContext, accessLogger } from './request-logging';

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

describe('accessLogger', () => {
  it('writes through the root logger: its level, its scrubber, its fields', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const root = pino(
      {
        level: 'warn',
        redact: { paths: ['req.headers.authorization'], censor: '***' },
        hooks: { streamWrite: (line: string) => line.replace('sekret-value', '***') },
      },
      stream,
    );
    const access = accessLogger(root);
    access.info({ request_id: 'r1' }, 'below the level');
    access.warn(
      {
        request_id: 'r2',
        req: { method: 'GET', path: '/a/sekret-value' },
        res: { statusCode: 503 },
      },
      'request completed',
    );
    await flushed();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      level: 40,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      request_id: 'r2',
      req: { method: 'GET', path: '/a/***' },
      res: { statusCode: 503 },
      msg: 'request completed',
    });
  });
});
