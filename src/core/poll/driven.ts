/**
 * The wait loop: a wait driven by timers and callbacks around the pure step function
 * ({@link advance}). Waits sleep in a shared {@link WakeScheduler}: the client's, or their group's
 * (one timer for all, not one per wait). Knows states, delays and signals; knows nothing of HTTP
 * or vendors.
 *
 * @module
 */
import { isTransient, TaskFailedError, WaitTimeoutError } from '../errors.js';
import type { TaskSnapshot } from '../lifecycle.js';
import { type Caller, withCaller } from '../observe/caller.js';
import type { WaitObserver } from '../observe/waits.js';
import { advance, encodeState, type WaitState } from './poller.js';
import type { PollOptions } from './schedule.js';
import { type Stoppable, subscribe, unsubscribe } from './signals.js';
import type { Rousable, WakeRegistry } from './wakes.js';

/**
 * When a poll was due and how late its wait already runs: what the client's request budget
 * orders its queue by. The budget sets `sentAt` when the poll's request goes out.
 */
export interface PollOrder {
  readonly kind: 'poll';
  /** When the poll was due (ms since the epoch). */
  dueAt: number;
  /** How late the wait's previous poll went out, in ms. */
  lateMs: number;
  sentAt?: number | undefined;
}

const TIMED_OUT = Symbol('wait timed out');
// setTimeout's limit: a longer delay fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A sleeping wait, as a {@link WakeScheduler} holds it. */
export interface Wakeable {
  /** When it wants to be woken (ms since the epoch). */
  readonly wakeAt: number;
  wake(): void;
}

/** Wakes sleeping waits at their `wakeAt`: the timers of a client or a group, one for all its waits. */
export interface WakeScheduler {
  add(wait: Wakeable): void;
  remove(wait: Wakeable): void;
}

/** What a stopped wait rejects with: the caller's reason, or a {@link WaitTimeoutError}. */
function stopError(
  reason: unknown,
  vendor: string,
  id: string,
  last: TaskSnapshot | undefined,
  started: number,
  state: WaitState,
  lastError: unknown,
): unknown {
  if (reason !== TIMED_OUT) return reason;
  return new WaitTimeoutError({
    vendor,
    id,
    snapshot: last,
    elapsedMs: Date.now() - started,
    polls: state.polls,
    resumeToken: encodeState(state),
    cause: lastError,
  });
}

/** Stops `wait` as its deadline does: it rejects with a {@link WaitTimeoutError}. */
export function expire(wait: Stoppable): void {
  wait.halt(TIMED_OUT);
}

/** What a group hears from each of its waits, instead of per-wait callbacks. */
export interface WaitEvents<Task> {
  /** Every snapshot; `changed` when its state or progress differs from the last one. A throw ends the wait. */
  snapshot(task: Task, snapshot: TaskSnapshot, changed: boolean): void;
  /** The wait ended: its terminal snapshot, or the error it failed with. */
  settled(task: Task, snapshot: TaskSnapshot | undefined, error: unknown): void;
}

/**
 * What every {@link waitFor} with the same settings shares: one object per client (and per set of
 * per-call poll options, and per group) rather than these fields in every pending wait.
 */
export interface WaitShared<Task> {
  vendor: string;
  /**
   * Fetches `task` once: called as `fetch(task, signal, order, observer)`, so one function serves
   * every wait; the wait's observer, when it has one, is told of the requests.
   */
  fetch: (
    task: Task,
    signal: AbortSignal,
    order: PollOrder,
    observer: WaitObserver | undefined,
  ) => Promise<{ snapshot: TaskSnapshot; hintMs: number | undefined }>;
  options: PollOptions;
  timeoutMs: number;
  /** Where the waits sleep: the client's timers, or their group's. */
  timers: WakeScheduler;
  /** A group's: its deadline (ms since the epoch), which the group enforces, and its events. */
  group?: { deadlineAt: number; events: WaitEvents<Task> } | undefined;
  /** The client's pending waits, and the key of a task among them: a push rouses the waits on its task. */
  wakes?: { registry: WakeRegistry; key(task: Task): string } | undefined;
}

/** One wait of {@link waitFor}: read once, not kept. */
export interface WaitForParams<Task> {
  shared: WaitShared<Task>;
  task: Task;
  id: string;
  state: WaitState;
  signal?: AbortSignal | undefined;
  /** Called with the first snapshot and whenever the state or progress changes; a throw ends the wait. */
  onProgress?: ((snapshot: TaskSnapshot) => void) | undefined;
  /** Called with every snapshot. */
  onSnapshot?: ((snapshot: TaskSnapshot) => void) | undefined;
  /** Reject with {@link TaskFailedError} when the task ends `failed` or `canceled`. */
  throwOnFailure: boolean;
  /** Told of each poll and of the end (logs, hooks, spans); absent when nothing observes. */
  observer?: WaitObserver | undefined;
  /** Where the wait was started: its frames are appended to the stack of the error it rejects with. */
  caller?: Caller | undefined;
}

/**
 * The wait loop of `client.wait()`, as {@link pollLoop} runs it but driven by its own timers and
 * callbacks: no generator, no async frames, no promise per sleep. A wait asleep is one
 * {@link DrivenWait}, its state, its last snapshot, an entry in its client's timers and the
 * promise returned here: thousands may be pending in one process. Resolves with the terminal snapshot.
 */
export function waitFor<Task>(params: WaitForParams<Task>): Promise<TaskSnapshot> {
  try {
    params.signal?.throwIfAborted();
  } catch (error) {
    return Promise.reject(error);
  }
  let settle: ((value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void) | undefined;
  const promise = new Promise<TaskSnapshot>((resolve) => {
    settle = resolve;
  });
  startWait(params, settle as (value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void);
  return promise;
}

/**
 * Starts a wait that reports its end to `settle` (a snapshot, or a {@link Rejection}), or, in a
 * group, to the group's events.
 */
export function startWait<Task>(
  params: WaitForParams<Task>,
  settle?: (value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void,
): Stoppable {
  return new DrivenWait(params, settle);
}

const HALTED = 1;
const SETTLED = 2;
const THROW_ON_FAILURE = 4;
const SLEEPING = 8;
// Roused during a request: unless its answer ends the wait, the next poll goes at once.
const WOKEN = 16;
// Asleep until its deadline, which comes before its next poll: waking, it times out.
const EXPIRES = 32;

/**
 * A thenable that rejects with `reason`: resolving a promise with it rejects that promise, so a
 * wait keeps only its promise's `resolve` function, not `reject` too.
 */
export class Rejection {
  readonly reason: unknown;
  constructor(reason: unknown) {
    this.reason = reason;
  }
  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, see the class comment
  then(_: unknown, reject: (reason: unknown) => void): void {
    reject(this.reason);
  }
}

/**
 * One wait of {@link waitFor}, {@link pollLoop} or a group: polls, sleeps and settles. Its fields
 * are few on purpose (what all waits share is in one {@link WaitShared}): it is what each of
 * thousands of pending waits holds.
 */
class DrivenWait<Task> implements Stoppable, Wakeable, Rousable {
  readonly #shared: WaitShared<Task>;
  readonly #task: Task;
  readonly #id: string;
  readonly #signal: AbortSignal | undefined;
  readonly #onProgress: ((snapshot: TaskSnapshot) => void) | undefined;
  readonly #onSnapshot: ((snapshot: TaskSnapshot) => void) | undefined;
  /** When the wait times out (ms since the epoch), or Infinity; it started `timeoutMs` before. */
  readonly #deadlineAt: number;
  readonly #settle: ((value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void) | undefined;
  readonly #observer: WaitObserver | undefined;
  readonly #caller: Caller | undefined;
  #flags: number;
  #state: WaitState;
  /** The last snapshot: the one a timeout reports. */
  #last: TaskSnapshot | undefined = undefined;
  #lastError: unknown = undefined;
  #reason: unknown = undefined;
  // The request in flight, and the deadline's timer during it.
  #request: AbortController | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the next poll is due (ms since the epoch), and how late the last one went out (ms). */
  #wakeAt: number;
  #lateMs = 0;

  constructor(
    params: WaitForParams<Task>,
    settle: ((value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void) | undefined,
  ) {
    const shared = params.shared;
    const now = Date.now();
    this.#shared = shared;
    this.#task = params.task;
    this.#id = params.id;
    this.#signal = params.signal;
    this.#onProgress = params.onProgress;
    this.#onSnapshot = params.onSnapshot;
    this.#deadlineAt =
      shared.group?.deadlineAt ??
      (Number.isFinite(shared.timeoutMs) ? now + shared.timeoutMs : Number.POSITIVE_INFINITY);
    this.#settle = settle;
    this.#observer = params.observer;
    this.#caller = params.caller;
    this.#flags = params.throwOnFailure ? THROW_ON_FAILURE : 0;
    this.#state = params.state;
    this.#wakeAt = now;
    if (this.#signal) subscribe(this.#signal, this);
    shared.wakes?.registry.add(shared.wakes.key(this.#task), this);
    // A resumed state may still owe the server a wait (its `Retry-After`) before the first poll:
    // never more than this wait's maxRetryAfterMs, whatever the token says (another machine's
    // clock, a token edited by hand).
    const owed = Math.min((this.#state.notBefore ?? 0) - now, shared.options.maxRetryAfterMs);
    if (owed > 0) this.#sleep(owed);
    else this.#poll();
  }

  get wakeAt(): number {
    return this.#wakeAt;
  }

  halt(reason: unknown): void {
    if (this.#flags & (HALTED | SETTLED)) return;
    this.#flags |= HALTED;
    this.#reason = reason;
    if (this.#request) {
      // The request settles (rejects) on the abort; that settles the wait.
      this.#request.abort(reason);
    } else if (this.#flags & SLEEPING) {
      this.#fail(this.#stopError());
    }
    // Otherwise the wait is running (an onProgress that aborted): it stops before it sleeps.
  }

  /** Called by the scheduler the wait sleeps in. */
  wake(): void {
    if (this.#flags & EXPIRES) {
      // Still asleep for halt(), which fails a sleeping wait at once.
      this.#flags &= ~EXPIRES;
      expire(this);
      return;
    }
    this.#flags &= ~SLEEPING;
    this.#poll();
  }

  /**
   * A push says the task may have changed: a sleeping wait polls at once (never sooner than the
   * server's `Retry-After` allows); during a request, the answer in flight is the check, and only
   * if it does not end the wait does the next poll go at once.
   */
  rouse(): void {
    if (this.#flags & (HALTED | SETTLED)) return;
    if (!(this.#flags & SLEEPING)) {
      this.#flags |= WOKEN;
      return;
    }
    const now = Date.now();
    const at = Math.max(now, this.#state.notBefore ?? 0);
    if (at >= this.#wakeAt) return;
    // The scheduler finds the wait by its wakeAt: removed before that changes.
    this.#shared.timers.remove(this);
    this.#flags &= ~(SLEEPING | EXPIRES);
    if (at > now) {
      this.#sleep(at - now);
      return;
    }
    this.#wakeAt = now;
    this.#poll();
  }

  #poll(): void {
    if (this.#flags & HALTED) {
      this.#fail(this.#stopError());
      return;
    }
    const request = new AbortController();
    this.#request = request;
    // A group enforces its own deadline: no timer per wait.
    const left = this.#deadlineAt - Date.now();
    if (left !== Number.POSITIVE_INFINITY && !this.#shared.group) {
      this.#timer = setTimeout(expire, Math.min(Math.max(0, left), MAX_TIMER_MS), this);
    }
    const order: PollOrder = { kind: 'poll', dueAt: this.#wakeAt, lateMs: this.#lateMs, sentAt: undefined };
    let pending: Promise<{ snapshot: TaskSnapshot; hintMs: number | undefined }>;
    try {
      pending = this.#shared.fetch(this.#task, request.signal, order, this.#observer);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => this.#answered(result, order),
      (error) => this.#faulted(error, order),
    );
  }

  #endRequest(order: PollOrder): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#request = undefined;
    this.#lateMs = order.sentAt === undefined ? 0 : Math.max(0, order.sentAt - order.dueAt);
  }

  #answered(result: { snapshot: TaskSnapshot; hintMs: number | undefined }, order: PollOrder): void {
    this.#endRequest(order);
    try {
      if (this.#flags & HALTED) throw this.#stopError();
      const { snapshot, hintMs } = result;
      const previous = this.#last;
      this.#last = snapshot;
      this.#lastError = undefined;
      const step = advance(this.#state, { snapshot, hintMs, now: Date.now() }, this.#shared.options);
      this.#state = step.state;
      this.#observer?.polled(snapshot, step);
      const changed = !previous || previous.state !== snapshot.state || previous.progress !== snapshot.progress;
      const group = this.#shared.group;
      if (group) {
        group.events.snapshot(this.#task, snapshot, changed);
      } else {
        this.#onSnapshot?.(snapshot);
        if (changed) this.#onProgress?.(snapshot);
      }
      if (step.done) {
        if ((snapshot.state === 'failed' || snapshot.state === 'canceled') && this.#flags & THROW_ON_FAILURE) {
          throw new TaskFailedError(snapshot);
        }
        this.#dispose();
        this.#observer?.settled(snapshot, undefined, false);
        if (group) group.events.settled(this.#task, snapshot, undefined);
        else this.#settle?.(snapshot);
        return;
      }
      if (this.#flags & HALTED) throw this.#stopError();
      this.#sleep(step.delayMs);
    } catch (error) {
      this.#fail(error);
    }
  }

  #faulted(error: unknown, order: PollOrder): void {
    this.#endRequest(order);
    try {
      if (this.#flags & HALTED) throw this.#stopError();
      if (!isTransient(error)) throw error;
      this.#lastError = error;
      const hintMs = (error as { retryAfterMs?: number | undefined }).retryAfterMs;
      const step = advance(this.#state, { error, hintMs, now: Date.now() }, this.#shared.options);
      this.#state = step.state;
      this.#observer?.faulted(error, step);
      this.#sleep(step.delayMs);
    } catch (failure) {
      this.#fail(failure);
    }
  }

  /**
   * Sleeps `scheduled` ms (or only as long as the server asks, when roused meanwhile), or until the
   * deadline (which stops the wait), or until halted.
   */
  #sleep(scheduled: number): void {
    const now = Date.now();
    let delayMs = scheduled;
    if (this.#flags & WOKEN) {
      this.#flags &= ~WOKEN;
      delayMs = Math.min(delayMs, Math.max(0, (this.#state.notBefore ?? 0) - now));
      if (delayMs === 0) {
        this.#wakeAt = now;
        this.#poll();
        return;
      }
    }
    const left = this.#deadlineAt - now;
    this.#wakeAt = now + delayMs;
    this.#flags |= SLEEPING;
    if (delayMs < left) {
      this.#shared.timers.add(this);
    } else if (!this.#shared.group) {
      // Past a group's deadline the group stops every wait at once; a wait of its own wakes to time out.
      this.#wakeAt = now + Math.max(0, left);
      this.#flags |= EXPIRES;
      this.#shared.timers.add(this);
    }
  }

  #stopError(): unknown {
    // Only a finite deadline times out, so the start is the deadline less the timeout.
    const started = Math.round(this.#deadlineAt - this.#shared.timeoutMs);
    return stopError(this.#reason, this.#shared.vendor, this.#id, this.#last, started, this.#state, this.#lastError);
  }

  #fail(error: unknown): void {
    this.#dispose();
    const failure = withCaller(error, this.#caller);
    this.#observer?.settled(this.#last, failure, (this.#flags & HALTED) !== 0);
    const group = this.#shared.group;
    if (group) group.events.settled(this.#task, undefined, failure);
    else this.#settle?.(new Rejection(failure) as unknown as PromiseLike<TaskSnapshot>);
  }

  #dispose(): void {
    if (this.#flags & SLEEPING) this.#shared.timers.remove(this);
    this.#flags = (this.#flags | SETTLED) & ~(SLEEPING | EXPIRES);
    if (this.#signal) unsubscribe(this.#signal, this);
    const wakes = this.#shared.wakes;
    wakes?.registry.remove(wakes.key(this.#task), this);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#request?.abort();
    this.#request = undefined;
  }
}
