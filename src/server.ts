import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { AppConfig, productionWarnings } from './config/app-config';
import { GracefulShutdown } from './common/lifecycle/graceful-shutdown';

const logger = new Logger('Server');

/**
 * Builds the app, lets the caller add to it before it listens (the lifecycle e2e adds a slow
 * route this way), listens, and takes over SIGTERM/SIGINT.
 */
export async function startServer(
  config: AppConfig,
  beforeListen?: (app: NestFastifyApplication) => void,
): Promise<NestFastifyApplication> {
  const started = Date.now();
  const app = await createApp(config);
  beforeListen?.(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  const url = `http://localhost:${config.PORT}`;
  logger.log(
    `Captions API v14 ready in ${Date.now() - started} ms at ${url}/api/v14 — docs at ${url}/docs`,
  );
  for (const warning of productionWarnings(config)) logger.warn(warning);
  handleSignals(app, config);
  return app;
}

/**
 * SIGTERM/SIGINT run the graceful shutdown (see GracefulShutdown). We handle the signals
 * ourselves instead of Nest's enableShutdownHooks(), which re-raises the signal after the hooks
 * (exit code 143 instead of 0).
 */
function handleSignals(app: NestFastifyApplication, config: AppConfig): void {
  const shutdown = new GracefulShutdown(app, config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown.run(signal));
  }
}
