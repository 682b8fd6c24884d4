import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';
import { LifecycleService } from './common/lifecycle/lifecycle.service';

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
  handleSignals(app, config);
  return app;
}

/**
 * SIGTERM/SIGINT: readiness turns 503 at once, the server stops accepting, in-flight requests
 * finish (bounded by SHUTDOWN_GRACE_MS), resources close in reverse order, exit 0. We handle
 * the signals ourselves instead of Nest's enableShutdownHooks(), which re-raises the signal
 * after the hooks (exit code 143 instead of 0). A second signal does not run the hooks again.
 */
function handleSignals(app: NestFastifyApplication, config: AppConfig): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} received again: shutdown already under way`);
      return;
    }
    stopping = true;
    app.get(LifecycleService).beginDrain(signal);
    const server = app.getHttpServer();
    setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_MS).unref();
    setTimeout(() => {
      console.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 15_000).unref();
    await app.close();
    logger.log('shutdown complete');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
}
