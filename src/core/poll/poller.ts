/**
 * The wait loop, the pure step function that drives it, and the resume token.
 * Knows states, delays and signals; knows nothing of HTTP or vendors.
 *
 * @module
 */
import { z } from 'zod';
import { sleep } from '../abort.js';
import { ConfigError, isTransient, WaitTimeoutError } from '../errors.js';
import type { TaskSnapshot } from '../lifecycle.js';
import { nextDelay, type Observation, type PollOptions } from './schedule.js';

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
}

/**
 * The pure step function: a state and one poll's outcome in; the new state and the delay before
 * the next poll out. `random` (in [0, 1)) fixes the jitter; omit it for `Math.random()`.
 */
export function advance(state: WaitState, outcome: PollOutcome, options: PollOptions, random?: number): Step {
  const snapshot = outcome.snapshot;
  const next: WaitState = { ...state, polls: state.polls + 1, history: state.history };
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
  }
  const etaAt = snapshot?.eta === undefined ? undefined : Date.parse(snapshot.eta);
  const delayMs = nextDelay(options, {
    attempt: state.attempt,
    now: outcome.now,
    hintMs: outcome.hintMs,
    etaAt,
    history: next.history,
    random,
  });
  next.attempt = state.attempt + 1;
  return { state: next, done: false, delayMs };
}

/** One poll as the loop sees it: fetch, validate, normalize; reject on a fault. */
export type Fetcher = (signal: AbortSignal) => Promise<{ snapshot: TaskSnapshot; hintMs: number | undefined }>;

/** Everything one run of the wait loop needs. */
export interface LoopParams {
  vendor: string;
  id: string;
  fetch: Fetcher;
  options: PollOptions;
  state: WaitState;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

const TIMED_OUT = Symbol('wait timed out');

/**
 * Polls until a terminal snapshot, yielding every snapshot observed. Transient faults are
 * retried on the backoff schedule until the timeout; anything else ends the loop at once.
 * Every timer and listener is gone when the generator finishes, however it finishes.
 */
export async function* pollLoop(params: LoopParams): AsyncGenerator<TaskSnapshot, void, undefined> {
  const { signal: userSignal, options } = params;
  userSignal?.throwIfAborted();
  const started = Date.now();
  const control = new AbortController();
  const onAbort = () => control.abort(userSignal?.reason);
  userSignal?.addEventListener('abort', onAbort, { once: true });
  const deadline = Number.isFinite(params.timeoutMs)
    ? setTimeout(() => control.abort(TIMED_OUT), params.timeoutMs)
    : undefined;
  let state = params.state;
  let last: TaskSnapshot | undefined;
  let lastError: unknown;
  const stop = (): unknown => {
    if (control.signal.reason !== TIMED_OUT) return control.signal.reason;
    return new WaitTimeoutError({
      vendor: params.vendor,
      id: params.id,
      snapshot: last,
      elapsedMs: Date.now() - started,
      polls: state.polls,
      resumeToken: encodeState(state),
      cause: lastError,
    });
  };
  try {
    for (;;) {
      let outcome: PollOutcome;
      try {
        const { snapshot, hintMs } = await params.fetch(control.signal);
        control.signal.throwIfAborted();
        outcome = { snapshot, hintMs, now: Date.now() };
        last = snapshot;
        lastError = undefined;
      } catch (error) {
        if (control.signal.aborted) throw stop();
        if (!isTransient(error)) throw error;
        lastError = error;
        const hintMs = (error as { retryAfterMs?: number }).retryAfterMs;
        outcome = { error, hintMs, now: Date.now() };
      }
      const step = advance(state, outcome, options);
      state = step.state;
      if (outcome.snapshot) {
        yield outcome.snapshot;
        if (step.done) return;
      }
      try {
        await sleep(step.delayMs, control.signal);
      } catch {
        throw stop();
      }
    }
  } finally {
    if (deadline !== undefined) clearTimeout(deadline);
    userSignal?.removeEventListener('abort', onAbort);
    // Ends anything still listening on this wait's signal.
    if (!control.signal.aborted) control.abort();
  }
}
