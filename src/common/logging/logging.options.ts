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
  return destination ? pino(options, destination) : pino(options);
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
