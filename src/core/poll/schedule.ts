/**
 * Pure functions that pick the next poll delay. No timers here: the poller sleeps, this decides.
 *
 * @module
 */

/** How a wait polls. Every field has a default; see {@link DEFAULT_POLL_OPTIONS}. */
export interface PollOptions {
  /** The first delay after the first poll, and the floor of every delay. Default 1000 ms. */
  minDelayMs: number;
  /** The ceiling of the backoff. Default 30000 ms. */
  maxDelayMs: number;
  /** Each delay is the previous one times this. Default 2. */
  factor: number;
  /** Random spread of each delay, as a fraction of it (0 turns jitter off). Default 0.2. */
  jitter: number;
  /** The longest a server's `Retry-After` is obeyed; longer hints are cut to this. Default 300000 ms. */
  maxRetryAfterMs: number;
  /**
   * Use the task's `eta` and the progress rate across polls to poll just after the estimated end
   * (within the bounds above), falling back to backoff. Default true.
   */
  estimate: boolean;
}

/** The defaults: 1 s → 30 s, factor 2, ±20 % jitter, `Retry-After` obeyed up to 5 minutes. */
export const DEFAULT_POLL_OPTIONS: Readonly<PollOptions> = Object.freeze({
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.2,
  maxRetryAfterMs: 300_000,
  estimate: true,
});

/** One earlier observation, as the schedule remembers it. */
export interface Observation {
  /** When it was observed (ms since the epoch). */
  at: number;
  /** Progress 0..1, when the vendor gave it. */
  progress?: number;
}

/** Everything the next delay depends on. */
export interface ScheduleInput {
  /** How many delays came before this one (0 for the delay after the first poll). */
  attempt: number;
  /** Now, in ms since the epoch. */
  now: number;
  /** The server's hint (`Retry-After` or a vendor header), in ms. */
  hintMs?: number | undefined;
  /** The vendor's estimated end (ms since the epoch). */
  etaAt?: number | undefined;
  /** Recent observations with progress, oldest first. */
  history?: readonly Observation[] | undefined;
  /** A number in [0, 1) for the jitter; `Math.random()` by default. */
  random?: number | undefined;
}

/** The plain exponential backoff delay for `attempt`, before jitter: `min * factor^attempt`, capped. */
export function backoffDelay(options: PollOptions, attempt: number): number {
  const raw = options.minDelayMs * options.factor ** Math.max(0, attempt);
  return Math.min(options.maxDelayMs, Number.isFinite(raw) ? raw : options.maxDelayMs);
}

/** Spreads `delay` by ±`jitter`, kept within [min, max]. */
export function applyJitter(options: PollOptions, delay: number, random: number): number {
  const spread = delay * options.jitter * (2 * random - 1);
  return clamp(delay + spread, options.minDelayMs, options.maxDelayMs);
}

/** A server hint made safe: never below the minimum delay, never above `maxRetryAfterMs`. */
export function clampHint(options: PollOptions, hintMs: number): number {
  return clamp(hintMs, options.minDelayMs, Math.max(options.minDelayMs, options.maxRetryAfterMs));
}

/**
 * Estimates when the task ends, from the vendor's eta or the progress rate seen across polls.
 * Returns ms since the epoch, or undefined when there is nothing to go on.
 */
export function estimateEnd(input: Pick<ScheduleInput, 'now' | 'etaAt' | 'history'>): number | undefined {
  if (input.etaAt !== undefined && Number.isFinite(input.etaAt) && input.etaAt > input.now) {
    return input.etaAt;
  }
  const history = input.history ?? [];
  if (history.length < 2) return undefined;
  const first = history[0] as Observation;
  const last = history[history.length - 1] as Observation;
  if (first.progress === undefined || last.progress === undefined) return undefined;
  const gained = last.progress - first.progress;
  const took = last.at - first.at;
  if (!(gained > 0) || !(took > 0) || last.progress >= 1) return undefined;
  return last.at + ((1 - last.progress) * took) / gained;
}

/**
 * The delay before the next poll. Pure: the same input gives the same output.
 *
 * - Backoff: `minDelayMs * factor^attempt`, capped at `maxDelayMs`, spread by jitter.
 * - Estimate (when `estimate` is on and the task gave an eta or a progress rate): poll just after
 *   the estimated end, if that is sooner than the backoff would, but never sooner than `minDelayMs`.
 * - A server hint is a floor: the next poll never comes before it allows (up to `maxRetryAfterMs`).
 */
export function nextDelay(options: PollOptions, input: ScheduleInput): number {
  const random = input.random ?? Math.random();
  let delay = applyJitter(options, backoffDelay(options, input.attempt), random);
  if (options.estimate) {
    const end = estimateEnd(input);
    if (end !== undefined) {
      // Aim a little past the estimate so one poll usually sees the end.
      const untilEnd = (end - input.now) * 1.05 + options.minDelayMs * 0.25;
      if (untilEnd < delay) delay = clamp(untilEnd, options.minDelayMs, options.maxDelayMs);
    }
  }
  if (input.hintMs !== undefined && Number.isFinite(input.hintMs)) {
    delay = Math.max(delay, clampHint(options, input.hintMs));
  }
  return Math.round(delay);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
