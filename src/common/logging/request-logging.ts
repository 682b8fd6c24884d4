import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Store, storage } from 'nestjs-pino/storage';
import { Logger } from 'pino';
import { routeTemplateOf } from '../server/route-template';
import { loggableUrl } from './loggable-url';

/** Probes and scrapes are not access-logged: they would drown everything else. */
const QUIET_PATHS = /\/health\/|^\/metrics/;

/**
 * A request's logging context, in the AsyncLocalStorage nestjs-pino's PinoLogger reads (the
 * store its own middleware would fill). The child logger carrying the request id is made on the
 * first line logged while serving the request: most requests log none besides the access line,
 * and a pino child per request was measurable CPU on the cached routes (bench:profile).
 */
export class RequestLogContext implements Store {
  private child?: Logger;

  constructor(
    private readonly root: Logger,
    readonly requestId: string,
  ) {}

  get logger(): Logger {
    return (this.child ??= this.root.child({ request_id: this.requestId }));
  }

  /** PinoLogger.assign() replaces the logger with a child carrying more fields. */
  set logger(logger: Logger) {
    this.child = logger;
  }
}

/**
 * Binds a logging context carrying the request id to each request, for every log line written
 * while serving it, and writes one access line (with the same request id) when the response
 * is sent.
 */
export function installRequestLogging(app: NestFastifyApplication, root: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  const access = accessLogger(root);
  fastify.addHook('onRequest', (request, _reply, done) => {
    storage.run(new RequestLogContext(root, String(request.id)), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // A 5xx is logged with its cause by the exception filter; this is the one access line.
    const level = reply.statusCode >= 500 ? 'warn' : 'info';
    if (access.isLevelEnabled(level) && !QUIET_PATHS.test(request.url)) {
      access[level](
        accessLine(String(request.id), request, routeTemplateOf(request), reply),
        'request completed',
      );
    }
    done();
  });
}

/**
 * The root logger without its redaction paths, for the access lines only: they name no header
 * (accessLine picks every field), and pino's redaction walked each line's `req` and `res`
 * anyway, about half the cost of writing the line. The secret scrubber still sees every line.
 */
export function accessLogger(root: Logger): Logger {
  return root.child({}, { redact: [] });
}

/** The parts of Fastify's request and reply the access line reads. */
interface Served {
  request: { method: string; url: string };
  reply: { statusCode: number; elapsedTime: number };
}

/** The access line's fields: the same as if written by the request's child logger. */
function accessLine(
  requestId: string,
  request: Served['request'],
  route: string | undefined,
  reply: Served['reply'],
) {
  return {
    request_id: requestId,
    // The route template groups requests; the path and the query's names (never its values)
    // say which one this was.
    req: {
      method: request.method,
      route: route ?? null,
      ...loggableUrl(request.url),
    },
    res: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime * 100) / 100,
  };
}
