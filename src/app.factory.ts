import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { LifecycleService } from './common/lifecycle/lifecycle.service';
import { jsonDepthExceeds } from './common/util/json-depth';
import { requestIdFor } from './common/util/request-id';
import { createRootLogger } from './common/logging/logging.options';
import { installRequestLogging } from './common/logging/request-logging';
import { quietFramework } from './common/logging/framework-noise';
import { setupSwagger } from './docs/swagger';
import { serverTimeoutOptions } from './common/server/server-timeouts';
import { installSchemaValidation } from './common/validation/schema-validation';
import { namingForbiddenKeys } from './common/validation/forbidden-json-keys';
import { answerClientError, answerFrameworkError } from './common/filters/pre-routing-errors';
import { installSecurityHeaders } from './common/security/security-headers';
import { RateLimitService } from './common/rate-limit/rate-limit.service';
import { trustProxyOption } from './common/rate-limit/trust-proxy';
import { isPlatformRoute } from './common/lifecycle/platform-routes';
import { declareRouteTemplate, routeTemplateOf } from './common/server/route-template';

/** Deepest JSON body accepted; deeper ones get 400 before anything recurses into them. */
const MAX_JSON_DEPTH = 64;

/** Paths outside the /api/v14 prefix, as the contract lists them. */
const UNPREFIXED = [
  'docs',
  'redoc',
  'redoc/redoc.standalone.js',
  'openapi.json',
  'metrics',
  'dashboard',
  'favicon.ico',
  'favicon.svg',
];

/**
 * Builds and initializes the app (resources opened, routes registered) without listening, so
 * main.ts and the e2e tests boot exactly the same thing. Tests may send the logs to a stream.
 */
export async function createApp(
  config: AppConfig,
  options: { logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    ...serverTimeoutOptions(config),
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    // The client address of rate limits and the audit log; see TRUST_PROXY.
    trustProxy: trustProxyOption(config.TRUST_PROXY),
    // Cache keys of up to 256 characters travel in the path (Fastify's default is 100).
    routerOptions: { maxParamLength: 512 },
    // Idle keep-alive sockets close at once on shutdown; busy ones finish their request.
    forceCloseConnections: 'idle',
    // Requests that reach a closing server are served, not answered with a bare 503: the
    // shutdown sequence (GracefulShutdown) decides when to stop, and says Connection: close.
    return503OnClosing: false,
    // Errors raised before routing get the contract's body and x-request-id too.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const rootLogger = createRootLogger(config, options.logDestination);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, rootLogger),
    adapter,
    {
      bufferLogs: true,
      // Fastify's own parser is used, behind a depth limit (limitJsonDepth below).
      bodyParser: false,
    },
  );
  app.useLogger(quietFramework(app.get(Logger)));
  // NestFactory.create only flushes buffered logs on listen(); an app that is not listening yet
  // (tests, or a slow start) would otherwise hold every log line in memory.
  app.flushLogs();
  app.setGlobalPrefix('api/v14', {
    exclude: UNPREFIXED.map((path) => ({ path, method: RequestMethod.GET })),
  });
  app.useGlobalFilters(new AllExceptionsFilter());
  instrument(app, app.get(LifecycleService), config);
  installRequestLogging(app, rootLogger);
  installSecurityHeaders(app);
  await app.get(RateLimitService).install(app);
  setupSwagger(app);
  await app.init();
  return app;
}

/** Request id header, in-flight counting, and the larger body limit of background jobs. */
function instrument(
  app: NestFastifyApplication,
  lifecycle: LifecycleService,
  config: AppConfig,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  declareRouteTemplate(fastify);
  limitJsonDepth(fastify);
  // The routes' schemas (ApiRoute) validate their input: before the routes are registered.
  installSchemaValidation(fastify);
  fastify.addHook('onRoute', (route) => {
    if (route.url === '/api/v14/batch/jobs' && route.method === 'POST')
      route.bodyLimit = config.BATCH_BODY_LIMIT_BYTES;
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    lifecycle.requestStarted(!isPlatformRoute(routeTemplateOf(request)));
    done();
  });
  // Checked as each answer is sent, so a request that began before SIGTERM says it too.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.closingConnections) void reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    lifecycle.requestFinished(reply.statusCode, !isPlatformRoute(routeTemplateOf(request)));
    done();
  });
}

/** Fastify's own JSON parser (secure against prototype poisoning) behind a nesting limit. */
function limitJsonDepth(
  fastify: ReturnType<NestFastifyApplication['getHttpAdapter']>['getInstance'] extends () => infer F
    ? F
    : never,
): void {
  const parse = namingForbiddenKeys(fastify.getDefaultJsonParser('error', 'error'));
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      done(
        Object.assign(new Error(`body nests deeper than ${MAX_JSON_DEPTH} levels`), {
          statusCode: 400,
        }),
        undefined,
      );
      return;
    }
    parse(request, body as string, done);
  });
}
