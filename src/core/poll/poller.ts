/**
 * The wait loop, the pure step function that drives it, and the resume token.
 * Knows states, delays and signals; knows nothing of HTTP or vendors.
 *
 * @module
 */
import { z } from 'zod';
import { ConfigError, isTransient, TaskFailedError, WaitTimeoutError } from '../errors.js';
import type { TaskSnapshot } from '../lifecycle.js';
import { type Caller, withCaller } from '../observe/caller.js';
import type { WaitObserver } from '../observe/waits.js';
import { clampHint, type DelayPlan, type Observation, type PollOptions, planDelay } from './schedule.js';

const HISTORY = 8;

/**
 * Where a wait stands: plain JSON, so it can be saved and a wait resumed in another process
 * (`wait(ref, { resumeFrom: state })`), or a job queue can drive polls with {@link advance}.
 */
export interface WaitState {
  v: 1;
  vendor: string;
  /** The task reference, as given. */
  ref: unknown;
  /** When the first wait on this task started (ms since the epoch). */
  startedAt: number;
  /** Polls answered so far. */
  polls: number;
  /** Delays scheduled so far: the backoff's exponent. */
  attempt: number;
  /** Recent progress observations, oldest first. */
  history: Observation[];
  /** The last state seen. */
  last?: { state: string; rawStatus: string; progress?: number; at: number } | undefined;
  /** The estimated end the last delay aimed just after (ms since the epoch), if it aimed at one. */
  aimAt?: number | undefined;
  /** Polls that found the task still running after the end a delay aimed at. */
  misses?: number | undefined;
  /** The aimed end the last miss ran past (ms since the epoch). */
  missedAt?: number | undefined;
  /** The earliest time the server allowed the next poll (a `Retry-After`), ms since the epoch. */
  notBefore?: number | undefined;
}

const WaitStateSchema = z.object({
  v: z.literal(1),
  vendor: z.string(),
  ref: z.unknown(),
  startedAt: z.number().finite(),
  polls: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative(),
  history: z.array(z.object({ at: z.number(), progress: z.number().optional() })).max(64),
  last: z
    .object({ state: z.string(), rawStatus: z.string(), progress: z.number().optional(), at: z.number() })
    .optional(),
  aimAt: z.number().finite().optional(),
  misses: z.number().int().nonnegative().optional(),
  missedAt: z.number().finite().optional(),
  notBefore: z.number().finite().optional(),
});

/** A fresh state for a wait on `ref`. */
export function initialState(vendor: string, ref: unknown, now: number): WaitState {
  return { v: 1, vendor, ref, startedAt: now, polls: 0, attempt: 0, history: [] };
}

/** The resume token of a state: its JSON text. */
export function encodeState(state: WaitState): string {
  return JSON.stringify(state);
}

/** Reads a resume token (or a state object); a bad one is a {@link ConfigError}. */
export function decodeState(token: WaitState | string, vendor: string): WaitState {
  let value: unknown = token;
  if (typeof token === 'string') {
    try {
      value = JSON.parse(token);
    } catch {
      throw new ConfigError('resumeFrom', 'resumeFrom is not a resume token: it is not JSON');
    }
  }
  const parsed = WaitStateSchema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(token)').join(', ');
    throw new ConfigError('resumeFrom', `resumeFrom is not a valid resume token (bad fields: ${where})`);
  }
  if (parsed.data.vendor !== vendor) {
    throw new ConfigError(
      'resumeFrom',
      `resumeFrom belongs to a ${parsed.data.vendor} wait; this client is for ${vendor}`,
    );
  }
  return parsed.data as WaitState;
}

/** What one poll gave: a snapshot, or a transient fault; and any server hint. */
export interface PollOutcome {
  snapshot?: TaskSnapshot | undefined;
  error?: unknown;
  /** The server's hint in ms (`Retry-After` or a vendor header). */
  hintMs?: number | undefined;
  /** When the outcome was observed (ms since the epoch). */
  now: number;
}

/** The result of {@link advance}. */
export interface Step {
  state: WaitState;
  /** True when the snapshot is terminal: stop polling. */
  done: boolean;
  /** How long to wait before the next poll (0 when done). */
  delayMs: number;
  /** What decided the delay (see {@link DelayPlan}); absent when done. */
  basis?: DelayPlan['basis'];
}

/**
 * The pure step function: a state and one poll's outcome in; the new state and the delay before
 * the next poll out. `random` (in [0, 1)) fixes the jitter; omit it for `Math.random()`.
 *
 * The delay comes from {@link planDelay}. A poll that finds the task still running after the end
 * the previous delay aimed at is a miss: it is counted, and the backoff starts again from there
 * (see {@link planDelay}). A transient fault is met with the backoff and the server's hint, never
 * with an estimate.
 */
export function advance(state: WaitState, outcome: PollOutcome, options: PollOptions, random?: number): Step {
  const snapshot = outcome.snapshot;
  // Built field by field (not spread, nothing deleted) so that every state shares one shape.
  const next: WaitState = {
    v: 1,
    vendor: state.vendor,
    ref: state.ref,
    startedAt: state.startedAt,
    polls: state.polls + 1,
    attempt: state.attempt,
    history: state.history,
    last: state.last,
    aimAt: undefined,
    misses: state.misses,
    missedAt: state.missedAt,
    notBefore: undefined,
  };
  if (snapshot) {
    next.last = {
      state: snapshot.state,
      rawStatus: snapshot.rawStatus,
      at: outcome.now,
      ...(snapshot.progress === undefined ? {} : { progress: snapshot.progress }),
    };
    if (snapshot.progress !== undefined) {
      next.history = [...state.history, { at: outcome.now, progress: snapshot.progress }].slice(-HISTORY);
    }
    if (snapshot.terminal) return { state: next, done: true, delayMs: 0 };
    if (state.aimAt !== undefined && outcome.now >= state.aimAt) {
      next.misses = (state.misses ?? 0) + 1;
      next.missedAt = state.aimAt;
    }
  }
  const etaAt = snapshot?.eta === undefined ? undefined : Date.parse(snapshot.eta);
  const plan = planDelay(snapshot ? options : { ...options, estimate: false }, {
    attempt: state.attempt,
    now: outcome.now,
    hintMs: outcome.hintMs,
    etaAt,
    history: next.history,
    random,
    startedAt: state.startedAt,
    misses: next.misses,
    missedAt: next.missedAt,
  });
  if (plan.aimAt !== undefined) next.aimAt = plan.aimAt;
  // Kept in the state so that a wait resumed elsewhere still honours the server's hint.
  if (outcome.hintMs !== undefined && Number.isFinite(outcome.hintMs)) {
    next.notBefore = outcome.now + clampHint(options, outcome.hintMs);
  }
  next.attempt = state.attempt + 1;
  return { state: next, done: false, delayMs: plan.delayMs, basis: plan.basis };
}

/** One poll as the loop sees it: fetch, validate, normalize; reject on a fault. */
export type Fetcher = (
  signal: AbortSignal,
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
}

const TIMED_OUT = Symbol('wait timed out');

/** Something a caller's signal can stop. */
interface Stoppable {
  halt(reason: unknown): void;
}

interface Subscribers {
  waits: Set<Stoppable>;
  listener: () => void;
}

// One listener on a caller's signal however many waits share it (a shutdown signal for all):
// no listener per wait to hold memory, and no MaxListenersExceededWarning.
const subscribers = new WeakMap<AbortSignal, Subscribers>();

function subscribe(signal: AbortSignal, wait: Stoppable): void {
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

function unsubscribe(signal: AbortSignal, wait: Stoppable): void {
  const entry = subscribers.get(signal);
  if (!entry) return;
  entry.waits.delete(wait);
  if (entry.waits.size === 0) {
    subscribers.delete(signal);
    signal.removeEventListener('abort', entry.listener);
  }
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

function wakeUp(wait: { wake(): void }): void {
  wait.wake();
}

function timeOut(wait: Stoppable): void {
  wait.halt(TIMED_OUT);
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
  let notify: (() => void) | undefined;
  let end: { error: unknown } | 'done' | undefined;
  const wait = startWait<Fetcher>(
    {
      shared: { vendor: params.vendor, fetch: callFetcher, options: params.options, timeoutMs: params.timeoutMs },
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

function callFetcher(fetcher: Fetcher, signal: AbortSignal, observer: WaitObserver | undefined) {
  return fetcher(signal, observer);
}

/**
 * What every {@link waitFor} with the same settings shares: one object per client (and per set of
 * per-call poll options) rather than these fields in every pending wait.
 */
export interface WaitShared<Task> {
  vendor: string;
  /**
   * Fetches `task` once: called as `fetch(task, signal, observer)`, so one function serves every
   * wait; the wait's observer, when it has one, is told of the requests.
   */
  fetch: (
    task: Task,
    signal: AbortSignal,
    observer: WaitObserver | undefined,
  ) => Promise<{ snapshot: TaskSnapshot; hintMs: number | undefined }>;
  options: PollOptions;
  timeoutMs: number;
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
 * {@link DrivenWait}, its state, its last snapshot, one timer and the promise returned here:
 * thousands may be pending in one process. Resolves with the terminal snapshot.
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

/** Starts a wait that reports its end to `settle`: a snapshot, or a {@link Rejection}. */
function startWait<Task>(
  params: WaitForParams<Task>,
  settle: (value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void,
): Stoppable {
  return new DrivenWait(params, settle);
}

const HALTED = 1;
const SETTLED = 2;
const THROW_ON_FAILURE = 4;

/**
 * A thenable that rejects with `reason`: resolving a promise with it rejects that promise, so a
 * wait keeps only its promise's `resolve` function, not `reject` too.
 */
class Rejection {
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
 * One wait of {@link waitFor} or {@link pollLoop}: polls, sleeps and settles its promise. Its fields are few on purpose (what all waits share is in one {@link WaitShared}):
 * it is what each of thousands of pending waits holds.
 */
class DrivenWait<Task> implements Stoppable {
  readonly #shared: WaitShared<Task>;
  readonly #task: Task;
  readonly #id: string;
  readonly #signal: AbortSignal | undefined;
  readonly #onProgress: ((snapshot: TaskSnapshot) => void) | undefined;
  readonly #onSnapshot: ((snapshot: TaskSnapshot) => void) | undefined;
  /** When the wait times out (ms since the epoch), or Infinity; it started `timeoutMs` before. */
  readonly #deadlineAt: number;
  readonly #settle: (value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void;
  readonly #observer: WaitObserver | undefined;
  readonly #caller: Caller | undefined;
  #flags: number;
  #state: WaitState;
  /** The last snapshot: the one a timeout reports. */
  #last: TaskSnapshot | undefined = undefined;
  #lastError: unknown = undefined;
  #reason: unknown = undefined;
  // The request in flight, and the timer: the sleep's, or the deadline during a request.
  #request: AbortController | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(params: WaitForParams<Task>, settle: (value: TaskSnapshot | PromiseLike<TaskSnapshot>) => void) {
    const shared = params.shared;
    this.#shared = shared;
    this.#task = params.task;
    this.#id = params.id;
    this.#signal = params.signal;
    this.#onProgress = params.onProgress;
    this.#onSnapshot = params.onSnapshot;
    this.#deadlineAt = Number.isFinite(shared.timeoutMs) ? Date.now() + shared.timeoutMs : Number.POSITIVE_INFINITY;
    this.#settle = settle;
    this.#observer = params.observer;
    this.#caller = params.caller;
    this.#flags = params.throwOnFailure ? THROW_ON_FAILURE : 0;
    this.#state = params.state;
    if (this.#signal) subscribe(this.#signal, this);
    // A resumed state may still owe the server a wait (its `Retry-After`) before the first poll.
    const owed = (this.#state.notBefore ?? 0) - Date.now();
    if (owed > 0) this.#sleep(owed);
    else this.#poll();
  }

  halt(reason: unknown): void {
    if (this.#flags & (HALTED | SETTLED)) return;
    this.#flags |= HALTED;
    this.#reason = reason;
    if (this.#request) {
      // The request settles (rejects) on the abort; that settles the wait.
      this.#request.abort(reason);
    } else if (this.#timer !== undefined) {
      this.#fail(this.#stopError());
    }
    // Otherwise the wait is running (an onProgress that aborted): it stops before it sleeps.
  }

  /** Called by the sleep's timer. */
  wake(): void {
    this.#timer = undefined;
    this.#poll();
  }

  #poll(): void {
    if (this.#flags & HALTED) {
      this.#fail(this.#stopError());
      return;
    }
    const request = new AbortController();
    this.#request = request;
    const left = this.#deadlineAt - Date.now();
    if (left !== Number.POSITIVE_INFINITY) this.#timer = setTimeout(timeOut, Math.max(0, left), this);
    let pending: Promise<{ snapshot: TaskSnapshot; hintMs: number | undefined }>;
    try {
      pending = this.#shared.fetch(this.#task, request.signal, this.#observer);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => this.#answered(result),
      (error) => this.#faulted(error),
    );
  }

  #endRequest(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#request = undefined;
  }

  #answered(result: { snapshot: TaskSnapshot; hintMs: number | undefined }): void {
    this.#endRequest();
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
      this.#onSnapshot?.(snapshot);
      if (changed) this.#onProgress?.(snapshot);
      if (step.done) {
        if ((snapshot.state === 'failed' || snapshot.state === 'canceled') && this.#flags & THROW_ON_FAILURE) {
          throw new TaskFailedError(snapshot);
        }
        this.#dispose();
        this.#observer?.settled(snapshot, undefined, false);
        this.#settle(snapshot);
        return;
      }
      if (this.#flags & HALTED) throw this.#stopError();
      this.#sleep(step.delayMs);
    } catch (error) {
      this.#fail(error);
    }
  }

  #faulted(error: unknown): void {
    this.#endRequest();
    try {
      if (this.#flags & HALTED) throw this.#stopError();
      if (!isTransient(error)) throw error;
      this.#lastError = error;
      const hintMs = (error as { retryAfterMs?: number }).retryAfterMs;
      const step = advance(this.#state, { error, hintMs, now: Date.now() }, this.#shared.options);
      this.#state = step.state;
      this.#observer?.faulted(error, step);
      this.#sleep(step.delayMs);
    } catch (failure) {
      this.#fail(failure);
    }
  }

  /** Sleeps `delayMs`, or until the deadline (which stops the wait), or until halted. */
  #sleep(delayMs: number): void {
    const left = this.#deadlineAt - Date.now();
    this.#timer = delayMs < left ? setTimeout(wakeUp, delayMs, this) : setTimeout(timeOut, Math.max(0, left), this);
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
    this.#settle(new Rejection(failure) as unknown as PromiseLike<TaskSnapshot>);
  }

  #dispose(): void {
    this.#flags |= SETTLED;
    if (this.#signal) unsubscribe(this.#signal, this);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#request?.abort();
    this.#request = undefined;
  }
}
