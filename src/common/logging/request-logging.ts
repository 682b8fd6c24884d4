import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Store, storage } from 'nestjs-pino/storage';
import { Logger } from 'pino';
import { loggableUrl } from './loggable-url';

/** Probes and scrapes are not access-logged: they would drown everything else. */
const QUIET_PATHS = /\/health\/|^\/metrics/;

/**
 * Binds a child logger carrying the request id to each request, for every log line written
 * while serving it (nestjs-pino's PinoLogger reads it from the same AsyncLocalStorage its own
 * middleware would fill), and writes one access line when the response is sent.
 */
export function installRequestLogging(app: NestFastifyApplication, root: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  const loggers = new WeakMap<object, Logger>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const logger = root.child({ request_id: request.id });
    loggers.set(request, logger);
    storage.run(new Store(logger), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const logger = loggers.get(request);
    if (logger && !QUIET_PATHS.test(request.url)) {
      const fields = {
        // The route template groups requests; the path and the query's names (never its
        // values) say which one this was.
        req: {
          method: request.method,
          route: request.routeOptions.url ?? null,
          ...loggableUrl(request.url),
        },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      };
      // A 5xx is logged with its cause by the exception filter; this is the one access line.
      if (reply.statusCode >= 500) logger.warn(fields, 'request completed');
      else logger.info(fields, 'request completed');
    }
    done();
  });
}
