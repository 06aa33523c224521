/**
 * The wait loop as an async generator ({@link pollLoop}): the same wait as `waitFor`, seen one
 * snapshot at a time, for `client.watch()` and `for await`.
 *
 * @module
 */
import type { TaskSnapshot } from '../lifecycle.js';
import type { Caller } from '../observe/caller.js';
import type { WaitObserver } from '../observe/waits.js';
import { type PollOrder, Rejection, startWait, type WakeScheduler } from './driven.js';
import type { WaitState } from './poller.js';
import type { PollOptions } from './schedule.js';
import { DueTimers } from './timers.js';
import type { WakeRegistry } from './wakes.js';

/** One poll as the loop sees it: fetch, validate, normalize; reject on a fault. */
export type Fetcher = (
  signal: AbortSignal,
  order?: PollOrder,
  observer?: WaitObserver | undefined,
) => Promise<{ snapshot: TaskSnapshot; hintMs: number | undefined }>;

/** Everything one run of the wait loop needs. */
export interface LoopParams {
  vendor: string;
  id: string;
  fetch: Fetcher;
  options: PollOptions;
  state: WaitState;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Makes the loop's observer when the loop starts (a loop never iterated records nothing). */
  observe?: (() => WaitObserver | undefined) | undefined;
  /** Where the loop was started, for the stack of the error it ends with. */
  caller?: Caller | undefined;
  /** The client's pending waits, and this task's key among them: a push rouses the loop. */
  wakes?: { registry: WakeRegistry; key: string } | undefined;
  /** Where the loop sleeps between polls: the client's timers; a timer of its own by default. */
  timers?: WakeScheduler | undefined;
}

/**
 * Polls until a terminal snapshot, yielding every snapshot observed: the same wait as
 * {@link waitFor}, seen one snapshot at a time. Transient faults are retried on the schedule
 * until the timeout; anything else ends the loop at once. Leaving the loop early (`break`) stops
 * the polling; every timer and listener is gone when the generator finishes, however it finishes.
 */
export async function* pollLoop(params: LoopParams): AsyncGenerator<TaskSnapshot, void, undefined> {
  params.signal?.throwIfAborted();
  const seen: TaskSnapshot[] = [];
  const wakes = params.wakes;
  let notify: (() => void) | undefined;
  let end: { error: unknown } | 'done' | undefined;
  const wait = startWait<Fetcher>(
    {
      shared: {
        vendor: params.vendor,
        fetch: callFetcher,
        options: params.options,
        timeoutMs: params.timeoutMs,
        timers: params.timers ?? new DueTimers(),
        wakes: wakes && { registry: wakes.registry, key: () => wakes.key },
      },
      task: params.fetch,
      id: params.id,
      state: params.state,
      signal: params.signal,
      onSnapshot: (snapshot) => {
        seen.push(snapshot);
        notify?.();
      },
      throwOnFailure: false,
      observer: params.observe?.(),
      caller: params.caller,
    },
    (result) => {
      end = result instanceof Rejection ? { error: result.reason } : 'done';
      notify?.();
    },
  );
  try {
    for (;;) {
      const next = seen.shift();
      if (next) {
        yield next;
        continue;
      }
      if (end === 'done') return;
      if (end) throw end.error;
      await new Promise<void>((resolve) => {
        notify = resolve;
      });
      notify = undefined;
    }
  } finally {
    wait.halt(LEFT);
  }
}

// The consumer left the loop: the wait stops, and nobody is told.
const LEFT = Symbol('left the loop');

function callFetcher(fetcher: Fetcher, signal: AbortSignal, order: PollOrder, observer: WaitObserver | undefined) {
  return fetcher(signal, order, observer);
}
