import { RequestMethod, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { LifecycleService } from './common/lifecycle/lifecycle.service';
import { requestIdFor } from './common/util/request-id';
import { setupSwagger } from './docs/swagger';

/** Paths outside the /api/v14 prefix, as the contract lists them. */
const UNPREFIXED = [
  'docs',
  'redoc',
  'redoc/redoc.standalone.js',
  'openapi.json',
  'metrics',
  'dashboard',
];

/**
 * Builds and initializes the app (resources opened, routes registered) without listening, so
 * main.ts and the e2e tests boot exactly the same thing.
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    // Idle keep-alive sockets close at once on shutdown; busy ones finish their request.
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api/v14', {
    exclude: UNPREFIXED.map((path) => ({ path, method: RequestMethod.GET })),
  });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useGlobalFilters(new AllExceptionsFilter());
  instrument(app, app.get(LifecycleService));
  setupSwagger(app);
  await app.init();
  return app;
}

/** Request id header and in-flight counting. */
function instrument(app: NestFastifyApplication, lifecycle: LifecycleService): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    lifecycle.requestStarted();
    done();
  });
  fastify.addHook('onResponse', (_request, reply, done) => {
    lifecycle.requestFinished(reply.statusCode);
    done();
  });
}
