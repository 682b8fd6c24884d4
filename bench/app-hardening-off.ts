/**
 * Benchmark only: the built app (dist/) with its security-headers hook replaced by a no-op, so
 * bench/http.bench.ts can measure what the headers cost side by side with the app as shipped.
 * Start it with RATE_LIMIT_ENABLED=false as well to have both hardening costs off. Never a way
 * to run the service: there is deliberately no configuration switch for security headers.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const headers = require('../dist/common/security/security-headers') as {
  installSecurityHeaders: (...args: unknown[]) => void;
};
headers.installSecurityHeaders = () => undefined;

const { loadConfigOrExit } = require('../dist/main') as typeof import('../src/main');
const { startServer } = require('../dist/server') as typeof import('../src/server');

startServer(loadConfigOrExit()).catch((error: Error) => {
  console.error(`start-up failed: ${error.message}`);
  process.exit(1);
});
