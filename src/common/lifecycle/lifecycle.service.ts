import { Injectable, Logger } from '@nestjs/common';
import { InFlightCounter } from '../util/in-flight-counter';

/**
 * Process-wide serving state: whether we are draining (SIGTERM or admin shutdown), and how many
 * requests are in flight, counted by Fastify hooks (see app.factory.ts).
 */
@Injectable()
export class LifecycleService {
  private readonly logger = new Logger(LifecycleService.name);
  private draining = false;
  private exiting = false;
  private changes = 0;
  private readonly inFlight = new InFlightCounter();
  private total = 0;
  private serverErrors = 0;

  get shuttingDown(): boolean {
    return this.draining;
  }

  /** Increases whenever serving state changes, so cached probe results know to expire. */
  get generation(): number {
    return this.changes;
  }

  /** Readiness turns 503 from now on. */
  beginDrain(why: string): void {
    if (!this.draining) this.logger.log(`draining: ${why}; readiness now answers 503`);
    this.draining = true;
    this.changes += 1;
  }

  endDrain(): void {
    if (this.exiting) return; // the process is on its way out: nothing brings it back
    this.draining = false;
    this.changes += 1;
  }

  /**
   * The process is shutting down (SIGTERM): draining for good, and every answer from now on
   * carries `Connection: close`, so kept-alive clients reconnect (through their load balancer,
   * to another instance) instead of finding the socket gone later.
   */
  beginExit(why: string): void {
    this.beginDrain(why);
    this.exiting = true;
  }

  /** True once the process is shutting down: answers close their connection. */
  get closingConnections(): boolean {
    return this.exiting;
  }

  /** `traffic` false for the platform's own requests (isPlatformRoute): in flight, not counted. */
  requestStarted(traffic = true): void {
    this.inFlight.start();
    if (traffic) this.total += 1;
  }

  requestFinished(statusCode: number, traffic = true): void {
    this.inFlight.finish();
    if (traffic && statusCode >= 500) this.serverErrors += 1;
  }

  get requestsInFlight(): number {
    return this.inFlight.count;
  }

  get totalRequests(): number {
    return this.total;
  }

  get totalServerErrors(): number {
    return this.serverErrors;
  }

  /**
   * Waits until at most `allowance` requests are in flight (1 when called from inside a
   * request, e.g. the admin shutdown itself), or until timeoutMs. Resolves true when drained.
   */
  waitForIdle(timeoutMs: number, allowance = 0): Promise<boolean> {
    return this.inFlight.waitUntilAtMost(allowance, timeoutMs);
  }
}
