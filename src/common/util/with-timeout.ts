import { TimeoutAppError } from '../errors/app-errors';

/**
 * Rejects with TimeoutAppError when `promise` has not settled within `ms`. The timer is unref'd
 * and cleared as soon as the promise settles. One promise and one reaction per call, not
 * Promise.race plus finally (six): every L2 call and database connection passes here, and with
 * AsyncLocalStorage on, Node 20 runs async hooks for each promise a request makes.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TimeoutAppError(`${what} timed out after ${ms} ms`)),
      ms,
    );
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
