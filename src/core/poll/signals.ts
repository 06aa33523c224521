/**
 * One listener on a caller's signal however many waits share it (a shutdown signal for all): no
 * listener per wait to hold memory, and no MaxListenersExceededWarning.
 *
 * @module
 */

/** Something a caller's signal, or a group, can stop. */
export interface Stoppable {
  halt(reason: unknown): void;
}

interface Subscribers {
  waits: Set<Stoppable>;
  listener: () => void;
}

const subscribers = new WeakMap<AbortSignal, Subscribers>();

export function subscribe(signal: AbortSignal, wait: Stoppable): void {
  let entry = subscribers.get(signal);
  if (!entry) {
    const waits = new Set<Stoppable>();
    const listener = () => {
      subscribers.delete(signal);
      for (const each of waits) each.halt(signal.reason);
    };
    entry = { waits, listener };
    subscribers.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  entry.waits.add(wait);
}

export function unsubscribe(signal: AbortSignal, wait: Stoppable): void {
  const entry = subscribers.get(signal);
  if (!entry) return;
  entry.waits.delete(wait);
  if (entry.waits.size === 0) {
    subscribers.delete(signal);
    signal.removeEventListener('abort', entry.listener);
  }
}
