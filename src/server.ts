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
  logger.log(startupBlock(config, Date.now() - started));
  for (const warning of productionWarnings(config)) logger.warn(warning);
  handleSignals(app, config);
  return app;
}

/** The one start-up message: where everything is, and what the service runs on. */
export function startupBlock(config: AppConfig, readyInMs: number): string {
  const url = `http://localhost:${config.PORT}`;
  const database = config.databaseEmbedded ? 'embedded PostgreSQL' : 'PostgreSQL (DATABASE_URL)';
  const cache = config.redisEnabled ? 'in-process + Redis' : 'in-process + disk (no REDIS_URL)';
  return [
    `Captions API v14 ready in ${readyInMs} ms · database: ${database} · cache: ${cache}`,
    `  API        ${url}/api/v14`,
    `  docs       ${url}/docs`,
    `  dashboard  ${url}/dashboard`,
    `  metrics    ${url}/metrics`,
  ].join('\n');
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
