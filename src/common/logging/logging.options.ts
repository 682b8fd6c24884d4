import { RequestMethod } from '@nestjs/common';
import { Params } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';

/** Headers that may carry secrets: never logged. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * Structured JSON logs (pino) with the request id on every line; readable, colourless-safe
 * logs in development when pino-pretty is installed (it is a dev dependency).
 */
export function loggingOptions(config: AppConfig): Params {
  const pretty = config.NODE_ENV === 'development' && isInstalled('pino-pretty');
  return {
    // Nest 11's router wants named wildcards; nestjs-pino's default '*' logs a warning.
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.LOG_LEVEL,
      redact: { paths: REDACTED, censor: '***' },
      // The id was chosen by Fastify's genReqId and stored on the raw request.
      genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
      customProps: (req) => ({ request_id: (req as { id?: string }).id }),
      autoLogging: { ignore: (req) => /\/health\/|\/metrics/.test(req.url ?? '') },
      // A 5xx answer is already logged with its cause by the exception filter: one line here.
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'warn' : 'info'),
      serializers: {
        err: (error: Error) => ({ type: error.name, message: error.message }),
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      transport: pretty
        ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
        : undefined,
    },
  };
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
