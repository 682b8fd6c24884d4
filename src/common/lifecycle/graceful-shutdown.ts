import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../../config/app-config';
import { LifecycleService } from './lifecycle.service';

/** Time allowed to close the resources after the drain, before the hard deadline, ms. */
export const RESOURCE_CLOSE_BUDGET_MS = 15_000;

type ShutdownConfig = Pick<AppConfig, 'SHUTDOWN_DELAY_MS' | 'SHUTDOWN_GRACE_MS'>;

/** The parts of the app a shutdown touches (an interface, so the sequence is unit-testable). */
export interface ShutdownTarget {
  get: NestFastifyApplication['get'];
  getHttpServer(): {
    close(): unknown;
    closeAllConnections(): void;
  };
  close(): Promise<void>;
}

/**
 * The process shutdown for rolling updates, in the contract's order:
 * 1. readiness answers 503 at once, while the server keeps accepting and serving for
 *    SHUTDOWN_DELAY_MS, so load balancers (Kubernetes endpoints, HAProxy checks) stop sending
 *    before anything is refused; answers now carry `Connection: close`;
 * 2. the server stops accepting and closes idle keep-alive sockets; requests in flight finish,
 *    bounded by SHUTDOWN_GRACE_MS, after which the remaining sockets are closed;
 * 3. Nest closes the app: batch workers reach a safe point, resources close in reverse order of
 *    dependence;
 * 4. exit 0.
 * A second signal is logged and ignored; a hard deadline (delay + grace + a close budget)
 * exits 1 whatever is still running. Each phase is logged once with its duration.
 */
export class GracefulShutdown {
  private readonly logger = new Logger('Shutdown');
  private startedAt?: number;

  constructor(
    private readonly app: ShutdownTarget,
    private readonly config: ShutdownConfig,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  get hardDeadlineMs(): number {
    return this.config.SHUTDOWN_DELAY_MS + this.config.SHUTDOWN_GRACE_MS + RESOURCE_CLOSE_BUDGET_MS;
  }

  async run(signal: string): Promise<void> {
    if (this.startedAt !== undefined) {
      this.logger.warn(`${signal} received again: shutdown already under way`);
      return;
    }
    const started = (this.startedAt = Date.now());
    this.armHardDeadline();
    const lifecycle = this.app.get(LifecycleService);

    lifecycle.beginExit(signal);
    this.logger.log(
      `${signal}: readiness answers 503; serving on for ${this.config.SHUTDOWN_DELAY_MS} ms (SHUTDOWN_DELAY_MS) while load balancers stop sending`,
    );
    await sleep(this.config.SHUTDOWN_DELAY_MS);

    const server = this.app.getHttpServer();
    // Node's close() stops accepting and closes idle keep-alive sockets; busy ones finish.
    server.close();
    this.logger.log(
      `stopped accepting after ${Date.now() - started} ms; ${lifecycle.requestsInFlight} requests in flight`,
    );
    const drainStarted = Date.now();
    const drained = await lifecycle.waitForIdle(this.config.SHUTDOWN_GRACE_MS);
    if (drained) {
      this.logger.log(`in-flight requests finished in ${Date.now() - drainStarted} ms`);
    } else {
      this.logger.warn(
        `${lifecycle.requestsInFlight} requests still running after SHUTDOWN_GRACE_MS=${this.config.SHUTDOWN_GRACE_MS} ms; closing their connections`,
      );
      server.closeAllConnections();
    }

    const closeStarted = Date.now();
    await this.app.close();
    this.logger.log(
      `background work stopped and resources closed in ${Date.now() - closeStarted} ms`,
    );
    this.logger.log(`shutdown complete in ${Date.now() - started} ms`);
    this.exit(0);
  }

  private armHardDeadline(): void {
    setTimeout(() => {
      this.logger.error(`shutdown did not finish within ${this.hardDeadlineMs} ms; exiting`);
      this.exit(1);
    }, this.hardDeadlineMs).unref();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
