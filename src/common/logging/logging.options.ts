import pino, { DestinationStream, Logger } from 'pino';
import { Params } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
import { secretScrubber } from './secret-scrubber';

/** Paths that may carry secrets if anything ever logs a request or response object. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** Lines are written once this many bytes wait (one write per ~12 access lines)... */
const STDOUT_BUFFER_BYTES = 4096;
/** ...or after this long, so a quiet server's last lines reach its log in time. */
const STDOUT_FLUSH_INTERVAL_MS = 200;

/**
 * The one pino logger of the process: JSON lines in production, readable single lines in
 * development when pino-pretty is installed (a dev dependency). Every line goes through the
 * secret scrubber before it is written.
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const pretty = !destination && config.NODE_ENV === 'development' && isInstalled('pino-pretty');
  const options = {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED, censor: '***' },
    serializers: { err: (error: Error) => ({ type: error.name, message: error.message }) },
    hooks: { streamWrite: secretScrubber(config) },
    transport: pretty
      ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
      : undefined,
  };
  if (pretty) return pino(options);
  return pino(options, destination ?? bufferedStdout());
}

/**
 * Standard output through a buffer. pino's default starts a write(2) for a line as soon as the
 * previous write is done: at a few lines per event-loop turn (an access line per request) that
 * is nearly one write per line, and buffering measured 3-5 us of CPU less per line. Nothing
 * buffered is lost on the way out: pino flushes this destination synchronously on process exit
 * (the graceful shutdown's process.exit, a fatal start-up error, an uncaught exception); only a
 * SIGKILL can drop the last interval's lines.
 */
export function bufferedStdout(): DestinationStream {
  return pino.destination({
    dest: 1,
    sync: false,
    minLength: STDOUT_BUFFER_BYTES,
    periodicFlush: STDOUT_FLUSH_INTERVAL_MS,
  });
}

/**
 * nestjs-pino serves Nest's Logger and PinoLogger from the root logger. Its pino-http middleware
 * is not mounted (`forRoutes: []`): binding each request's logger and writing the access log are
 * done by two Fastify hooks instead (request-logging.ts). Measured on a cached caption request,
 * the middleware path (pino-http through @fastify/middie) cost about as much CPU as the whole
 * rest of the request.
 */
export function loggingOptions(root: Logger): Params {
  return { forRoutes: [], pinoHttp: { logger: root } };
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
