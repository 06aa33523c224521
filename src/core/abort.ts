/**
 * Abort-aware sleeping that leaves no timer or listener behind.
 *
 * @module
 */

/** The reason a request's own deadline aborts it with: told apart from a caller's abort. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/** Resolves after `ms`, or rejects with the signal's reason; cleans up on both paths. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles as `work` does, or rejects with the signal's reason as soon as `signal` aborts, whichever
 * comes first; the listener goes on both paths. Whatever `work` resolves to after it lost goes to
 * `late` (to release it: a response body, say).
 *
 * This is what bounds an await on work that holds the signal only weakly or not at all (a user's
 * callback, a `fetch` whose combined signal was collected): the caller holds `signal` strongly.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal, late?: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    work.then(late, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    let lost = false;
    const onAbort = () => {
      lost = true;
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (lost) late?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
