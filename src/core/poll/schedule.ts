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
   * Use the task's `eta` and the progress rate across polls to poll just after the estimated end,
   * falling back to backoff when there is nothing to go on or the estimate proved wrong.
   * Default true.
   */
  estimate: boolean;
  /**
   * The longest delay an estimate may ask for while the estimated end is still far off. A delay
   * longer than `maxDelayMs` is also never more than twice the time waited so far, so a wrong
   * estimate costs about what an uncapped backoff would. At or below `maxDelayMs`, every delay
   * stays within `maxDelayMs`. Default 300000 ms.
   */
  maxEstimateDelayMs?: number;
}

/** The defaults: 1 s → 30 s, factor 2, ±20 % jitter, `Retry-After` obeyed up to 5 minutes. */
export const DEFAULT_POLL_OPTIONS: Readonly<Required<PollOptions>> = Object.freeze({
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.2,
  maxRetryAfterMs: 300_000,
  estimate: true,
  maxEstimateDelayMs: 300_000,
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
  /** When the wait started (ms since the epoch). Without it, no delay exceeds `maxDelayMs`. */
  startedAt?: number | undefined;
  /**
   * Polls that found the task still running after the end a delay aimed at. Each one widens
   * the estimate's uncertainty, and from the first one on an estimate may lengthen a delay but
   * no longer shortens it below the backoff.
   */
  misses?: number | undefined;
  /** The aimed end the last miss ran past (ms since the epoch). */
  missedAt?: number | undefined;
}

/** The next delay and why: what {@link planDelay} decided. */
export interface DelayPlan {
  /** How long to wait before the next poll, in whole ms. */
  delayMs: number;
  /**
   * What decided it: `backoff` (nothing to go on, or the task is overdue), `approach` (the
   * estimated end is still far: a step towards it), `aim` (the poll comes just after the
   * estimated end) or `hint` (the server's hint, a floor, was longer than all of these).
   */
  basis: 'backoff' | 'approach' | 'aim' | 'hint';
  /** For `aim`: the estimated end the poll comes just after (ms since the epoch). */
  aimAt?: number;
}

/** An estimated end and how far off it may be. */
export interface Estimate {
  /** The estimated end (ms since the epoch). */
  end: number;
  /** The uncertainty of the time left, as a fraction of it: 0.25 means it may well be 25 % off. */
  spread: number;
}

/** How far off a vendor's eta may be. */
const ETA_SPREAD = 0.2;
/** How far off a smooth progress rate may still be (progress is rarely linear). */
const RATE_SPREAD = 0.1;
/** An approach step stops this many spreads short of the estimated end... */
const CAUTION = 2;
/** ...but covers at least this fraction of the time left. */
const MIN_STEP = 0.6;
/** Aim once the expected error of the estimate (spread × time left) is within this much of `maxDelayMs`. */
const AIM_WITHIN = 0.75;
/** Beyond `maxDelayMs`, a delay is at most this many times the time waited so far. */
const GROWTH = 2;

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
 * The longest delay an estimate may ask for at `now`: `maxDelayMs`, or up to
 * `maxEstimateDelayMs` but never more than twice the time waited since `startedAt`.
 */
export function estimateCeiling(options: PollOptions, input: Pick<ScheduleInput, 'now' | 'startedAt'>): number {
  const configured = options.maxEstimateDelayMs ?? Number.NaN;
  const far = Math.max(
    options.maxDelayMs,
    Number.isNaN(configured) ? DEFAULT_POLL_OPTIONS.maxEstimateDelayMs : configured,
  );
  const waited =
    input.startedAt !== undefined && Number.isFinite(input.startedAt) ? input.now - input.startedAt : Number.NaN;
  if (!(waited > 0)) return options.maxDelayMs;
  return clamp(waited * GROWTH, options.maxDelayMs, far);
}

/**
 * Estimates when the task ends, from the vendor's eta or the progress rate seen across polls.
 * Returns ms since the epoch, or undefined when there is nothing to go on.
 */
export function estimateEnd(input: Pick<ScheduleInput, 'now' | 'etaAt' | 'history'>): number | undefined {
  return estimate(input)?.end;
}

/**
 * {@link estimateEnd} with its uncertainty.
 *
 * - A vendor eta still in the future wins, trusted to ±20 %.
 * - Otherwise the progress rate of the latest step: from the last observation below the current
 *   progress to the latest one, within the latest run of non-decreasing progress (a drop starts
 *   a new phase). Time queued at 0 % or stalled before that step does not slow the rate down.
 * - Its spread is 10 %, plus the progress granularity over the progress gained in that step
 *   (a jump of one 25 % step says little), plus how much faster that step was than the run's
 *   average (an accelerating task ends sooner than its current rate says).
 */
export function estimate(input: Pick<ScheduleInput, 'now' | 'etaAt' | 'history'>): Estimate | undefined {
  if (input.etaAt !== undefined && Number.isFinite(input.etaAt) && input.etaAt > input.now) {
    return { end: input.etaAt, spread: ETA_SPREAD };
  }
  const history = input.history ?? [];
  const last = history[history.length - 1];
  if (!last || !isProgress(last.progress) || !(last.progress < 1)) return undefined;
  const current = last.progress;
  let start = history.length - 1;
  while (start > 0) {
    const before = history[start - 1]?.progress;
    if (!isProgress(before) || before > (history[start]?.progress as number)) break;
    start--;
  }
  const run = history.slice(start);
  const first = (run[0] as Observation).progress as number;
  let step: Observation | undefined;
  let origin: Observation | undefined;
  for (const o of run) {
    if ((o.progress as number) < current) step = o;
    if (o.progress === first) origin = o;
  }
  if (!step || !origin) return undefined;
  const rateSince = (from: Observation, to: Observation = last) =>
    (current - (from.progress as number)) / (to.at - from.at);
  // Up to the first poll that saw the current value: a stall since then does not slow it down.
  const arrival = run.find((o) => o.progress === current) as Observation;
  const rate = rateSince(step, arrival);
  if (!(rate > 0) || !Number.isFinite(rate)) return undefined;
  const end = last.at + (1 - current) / rate;
  const gained = current - (step.progress as number);
  const speedup = origin === step ? 0 : Math.max(0, Math.log(rate / rateSince(origin, arrival)));
  const spread = RATE_SPREAD + granularity(run) / gained + speedup;
  return Number.isFinite(end) && Number.isFinite(spread) ? { end, spread } : undefined;
}

const STEPS = [0.25, 0.2, 0.1, 0.05, 0.02, 0.01];

/** The coarsest step that every progress value seen is a multiple of (at least 1 %). */
function granularity(run: readonly Observation[]): number {
  for (const step of STEPS) {
    if (run.every((o) => Math.abs((o.progress as number) / step - Math.round((o.progress as number) / step)) < 1e-6)) {
      return step;
    }
  }
  return 0.01;
}

/**
 * When the task became overdue, if it is: the aimed end a poll ran past, its eta once passed, or
 * the first observation at 100 % while it still runs. The latest of these.
 */
function overdueSince(input: ScheduleInput): number | undefined {
  let since: number | undefined;
  const later = (at: number | undefined) => {
    if (at !== undefined && Number.isFinite(at) && at <= input.now && (since === undefined || at > since)) since = at;
  };
  if ((input.misses ?? 0) > 0) later(input.missedAt);
  later(input.etaAt);
  const history = input.history ?? [];
  let full: number | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const o = history[i] as Observation;
    // It reached 100 % some time after the last poll that saw it below.
    if (!isProgress(o.progress) || o.progress < 1) {
      if (full !== undefined) full = o.at;
      break;
    }
    full = o.at;
  }
  later(full);
  return since;
}

/**
 * The delay before the next poll and what decided it. Pure: the same input gives the same output.
 *
 * - Backoff, when there is nothing to go on: `minDelayMs * factor^attempt`, capped at
 *   `maxDelayMs`, spread by ±`jitter`. Once the task is overdue (a poll ran past an aimed end,
 *   its eta passed, or it sits at 100 %), the backoff starts again: each delay is the time since
 *   it became overdue (within [`minDelayMs`, the plain backoff]), so it doubles.
 * - Estimate (when `estimate` is on and {@link estimate} has one): while its expected error
 *   (spread × time left) is more than ¾ of `maxDelayMs`, step towards the end, stopping two
 *   spreads short of it but covering at least 60 % of the time left; then aim just after it, by
 *   the expected error plus a quarter of `minDelayMs`. No step exceeds {@link estimateCeiling}.
 *   Each miss widens the spread; after one, an estimate may lengthen the backoff, not shorten it.
 * - A server hint is a floor: the next poll never comes before it allows (up to `maxRetryAfterMs`).
 */
export function planDelay(options: PollOptions, input: ScheduleInput): DelayPlan {
  const random = input.random ?? Math.random();
  const overdue = options.estimate ? overdueSince(input) : undefined;
  const plain = backoffDelay(options, input.attempt);
  const backoff = applyJitter(options, overdue === undefined ? plain : Math.min(plain, input.now - overdue), random);
  let plan: DelayPlan = { delayMs: backoff, basis: 'backoff' };
  if (options.estimate) {
    const guess = estimate(input);
    if (guess !== undefined) {
      const misses = Math.max(0, input.misses ?? 0);
      const guided = towards(options, input, { ...guess, spread: guess.spread * (1 + misses) }, random);
      if (overdue === undefined || guided.delayMs > backoff) plan = guided;
    }
  }
  if (input.hintMs !== undefined && Number.isFinite(input.hintMs)) {
    const floor = Math.ceil(clampHint(options, input.hintMs));
    if (floor > plan.delayMs) plan = { delayMs: floor, basis: 'hint' };
  }
  return { ...plan, delayMs: Math.round(plan.delayMs) };
}

/**
 * The delay before the next poll, in whole ms. Pure: the same input gives the same output. See
 * {@link planDelay}, which also says why.
 */
export function nextDelay(options: PollOptions, input: ScheduleInput): number {
  return planDelay(options, input).delayMs;
}

function towards(options: PollOptions, input: ScheduleInput, guess: Estimate, random: number): DelayPlan {
  const left = Math.max(0, guess.end - input.now);
  const error = left * guess.spread;
  const wobble = 1 + options.jitter * (2 * random - 1);
  const ceiling = estimateCeiling(options, input);
  if (error <= AIM_WITHIN * options.maxDelayMs) {
    const wanted = left + (error + options.minDelayMs / 4) * wobble;
    const delay = clamp(wanted, options.minDelayMs, ceiling);
    return delay === wanted
      ? { delayMs: delay, basis: 'aim', aimAt: guess.end }
      : { delayMs: delay, basis: 'approach' };
  }
  const step = left * Math.max(MIN_STEP, 1 - CAUTION * guess.spread) * wobble;
  return { delayMs: clamp(step, options.minDelayMs, ceiling), basis: 'approach' };
}

function isProgress(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
