/**
 * The real server (same start-up and signal handling as main.ts) plus one held route, for the
 * SIGTERM lifecycle e2e: `GET /slow` prints `slow request held` once it has arrived, and
 * answers only when the process receives SIGUSR2, so the test decides when it finishes instead
 * of racing a timer.
 */
import 'reflect-metadata';
import { loadConfigOrExit } from '../../src/main';
import { startServer } from '../../src/server';

let releaseHeld!: () => void;
const released = new Promise<void>((resolve) => (releaseHeld = resolve));
process.once('SIGUSR2', () => releaseHeld());

void startServer(loadConfigOrExit(), (app) => {
  app
    .getHttpAdapter()
    .getInstance()
    .get('/slow', async () => {
      process.stdout.write('slow request held\n');
      await released;
      return { released: true };
    });
}).catch((error: Error) => {
  console.error(`start-up failed: ${error.message}`);
  process.exit(1);
});
