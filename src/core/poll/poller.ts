/**
 * The pure step function of a wait and the resume token: where a wait stands, and what one poll's
 * outcome makes of it. The loop that drives it is `driven.ts`. Knows states and delays; knows
 * nothing of HTTP or vendors.
 *
 * @module
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { TaskSnapshot } from '../lifecycle.js';
import { clampHint, type DelayPlan, type Observation, type PollOptions, planDelay } from './schedule.js';

const HISTORY = 8;
/** Etas are often given to the second: two within this much are the same eta. */
const SAME_ETA_MS = 1000;

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
  last?: { state: string; rawStatus: string; progress?: number | undefined; at: number } | undefined;
  /** The estimated end the last delay aimed just after (ms since the epoch), if it aimed at one. */
  aimAt?: number | undefined;
  /** Polls that found the task still running after the end a delay aimed at. */
  misses?: number | undefined;
  /** The aimed end the last miss ran past (ms since the epoch). */
  missedAt?: number | undefined;
  /** The earliest time the server allowed the next poll (a `Retry-After`), ms since the epoch. */
  notBefore?: number | undefined;
  /** The vendor's last eta (ms since the epoch), and since when it has given that one. */
  eta?: { at: number; since: number } | undefined;
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
  eta: z.object({ at: z.number().finite(), since: z.number().finite() }).optional(),
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
  basis?: DelayPlan['basis'] | undefined;
}

/**
 * The pure step function: a state and one poll's outcome in; the new state and the delay before
 * the next poll out. `random` (in [0, 1)) fixes the jitter; omit it for `Math.random()`.
 *
 * The delay comes from {@link planDelay}. A poll that finds the task still running after the end
 * the previous delay aimed at is a miss: it is counted, and the backoff starts again from there
 * (see {@link planDelay}). The state remembers since when the vendor has given the same eta (to
 * the second), so that an eta given once is trusted less as time passes. A transient fault is
 * met with the backoff and the server's hint, never with an estimate.
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
    eta: state.eta,
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
  if (snapshot && Number.isFinite(etaAt)) {
    const same = state.eta !== undefined && Math.abs(state.eta.at - (etaAt as number)) <= SAME_ETA_MS;
    next.eta = { at: etaAt as number, since: same ? (state.eta?.since as number) : outcome.now };
  }
  const plan = planDelay(snapshot ? options : { ...options, estimate: false }, {
    attempt: state.attempt,
    now: outcome.now,
    hintMs: outcome.hintMs,
    etaAt,
    etaSince: next.eta?.since,
    history: next.history,
    random,
    startedAt: state.startedAt,
    misses: next.misses,
    missedAt: next.missedAt,
  });
  next.aimAt = plan.aimAt;
  // Kept in the state so that a wait resumed elsewhere still honours the server's hint.
  if (outcome.hintMs !== undefined && Number.isFinite(outcome.hintMs)) {
    next.notBefore = outcome.now + clampHint(options, outcome.hintMs);
  }
  next.attempt = state.attempt + 1;
  return { state: next, done: false, delayMs: plan.delayMs, basis: plan.basis };
}
