/** Why a request's signal aborted. */
export type AbortCause = 'deadline' | 'shutdown';

/**
 * One request's total deadline across all its attempts and backoff waits, merged with the
 * pool's shutdown signal into one AbortSignal that axios and the waits obey.
 *
 * Built by hand rather than with AbortSignal.timeout/any so the timer is cleared and the
 * listener on the long-lived shutdown signal removed as soon as the request settles.
 */
export class RequestDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;
  private cause?: AbortCause;

  constructor(
    /** The deadline, ms from now. */
    readonly timeoutMs: number,
    private readonly shutdownSignal: AbortSignal,
  ) {
    this.endsAt = performance.now() + timeoutMs;
    // unref: a pending deadline alone must not keep the process alive.
    this.timer = setTimeout(() => this.abort('deadline'), timeoutMs).unref();
    if (shutdownSignal.aborted) this.abort('shutdown');
    else shutdownSignal.addEventListener('abort', this.onShutdown, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Set once the signal has aborted: what ended the request. */
  get abortedBy(): AbortCause | undefined {
    return this.cause;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  /** Releases the timer and the shutdown listener; call when the request settles. */
  dispose(): void {
    clearTimeout(this.timer);
    this.shutdownSignal.removeEventListener('abort', this.onShutdown);
  }

  private readonly onShutdown = () => this.abort('shutdown');

  private abort(cause: AbortCause): void {
    if (this.cause) return;
    this.cause = cause;
    this.controller.abort(new Error(`request aborted: ${cause}`));
  }
}
