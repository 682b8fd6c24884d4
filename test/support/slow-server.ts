/**
 * The real server (same start-up and signal handling as main.ts) plus one slow route, for the
 * SIGTERM lifecycle e2e: `GET /slow?ms=N` answers after N ms.
 */
import 'reflect-metadata';
import { loadConfigOrExit } from '../../src/main';
import { startServer } from '../../src/server';

void startServer(loadConfigOrExit(), (app) => {
  app
    .getHttpAdapter()
    .getInstance()
    .get('/slow', async (request) => {
      const ms = Number((request.query as { ms?: string }).ms ?? 1000);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { slept_ms: ms };
    });
}).catch((error: Error) => {
  console.error(`start-up failed: ${error.message}`);
  process.exit(1);
});
