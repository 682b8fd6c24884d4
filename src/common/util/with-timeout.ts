import { TimeoutAppError } from '../errors/app-errors';

/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms`. The timer is unref'd and
 * cleared as soon as the promise settles. One promise and one reaction per call, not
 * Promise.race plus finally (five): every L2 call, database connection and model load passes
 * here, and with AsyncLocalStorage on, Node 20 runs async hooks for each promise a request makes.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** withDeadline with a TimeoutAppError (504) naming the call. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new TimeoutAppError(`${what} timed out after ${ms} ms`));
}
