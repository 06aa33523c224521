/**
 * Pure functions that pick the next poll delay. No timers here: the poller sleeps, this decides.
 *
 * @module
 */
import { ConfigError } from '../errors.js';
import { type Estimate, estimateWith, fromProgress, isProgress, type Observation } from './estimate.js';

export { type Estimate, estimate, estimateEnd, type Observation } from './estimate.js';

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
   * longer than the backoff's is also never more than three times the time waited so far, so a
   * wrong estimate costs about what an uncapped backoff would.
   * At or below `maxDelayMs`, every delay stays within `maxDelayMs`. Default 300000 ms.
   */
  maxEstimateDelayMs?: number;
  /**
   * How estimates are used, when `estimate` is on:
   *
   * - `'default'`: fewer requests than the plain backoff without a longer tail. An estimate may
   *   lengthen a delay only while it is confident and the end cannot come before the poll; while
   *   the task is overdue (an aimed poll found it running, its eta passed, its progress jumped or
   *   stayed put past the estimated end), the backoff starts again from that moment and estimates
   *   no longer lengthen a delay.
   * - `'economy'`: fewer requests, paid for in the tail: longer steps towards the estimated end,
   *   and an estimate may lengthen delays even after it proved wrong.
   *
   * The README's *Performance* section has the figures of both. Default `'default'`.
   */
  schedule?: 'default' | 'economy';
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
  schedule: 'default',
});

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
  /**
   * Since when the vendor has given that same eta (ms since the epoch). An eta given once, long
   * ago, may be off by a share of all that time, not only of the time left. Default: `now`.
   */
  etaSince?: number | undefined;
  /** Recent observations with progress, oldest first. */
  history?: readonly Observation[] | undefined;
  /** A number in [0, 1) for the jitter; `Math.random()` by default. */
  random?: number | undefined;
  /** When the wait started (ms since the epoch). Without it, no estimate lengthens a delay. */
  startedAt?: number | undefined;
  /** Polls that found the task still running after the end a delay aimed at. */
  misses?: number | undefined;
  /** The aimed end the last miss ran past (ms since the epoch). */
  missedAt?: number | undefined;
}

/** The next delay and why: what {@link planDelay} decided. */
export interface DelayPlan {
  /** How long to wait before the next poll, in whole ms. */
  delayMs: number;
  /**
   * What decided it: `backoff` (nothing to go on, an estimate too unsure to help, or the task is
   * overdue), `approach` (the estimated end is still far: a step towards it that stops before it
   * can come), `aim` (the poll comes just after the estimated end) or `hint` (the server's hint,
   * a floor, was longer than all of these).
   */
  basis: 'backoff' | 'approach' | 'aim' | 'hint';
  /** For `aim`: the estimated end the poll comes just after (ms since the epoch). */
  aimAt?: number;
}

/** How a schedule uses its estimates. */
interface Profile {
  /** A step longer than the backoff's is at most this many times the time waited. */
  growth: number;
  /** An approach step stops this many spreads short of the estimated end... */
  caution: number;
  /** ...but covers at least this fraction of the time left (0: an unsure estimate is not used). */
  minStep: number;
  /** Aim once the expected error (spread × time left) is within this fraction of `maxDelayMs`. */
  aimWithin: number;
  /** Once overdue: the backoff starts again from that moment (true), or goes on as it was. */
  restart: boolean;
  /** Once overdue: may an estimate still lengthen a delay past the backoff? */
  lengthenOverdue: boolean;
  /** Is a backoff delay that would pass the estimated end cut to end just after it? */
  stopAtEnd: boolean;
}

// Tuned on bench/efficiency.ts's tuning seed; the held-out seed judges them.
const PROFILES: Readonly<Record<'default' | 'economy', Profile>> = Object.freeze({
  default: {
    growth: 3,
    caution: 1.5,
    minStep: 0,
    aimWithin: 0.1,
    restart: true,
    lengthenOverdue: false,
    stopAtEnd: true,
  },
  economy: {
    growth: 3,
    caution: 1,
    minStep: 0.6,
    aimWithin: 0.75,
    restart: false,
    lengthenOverdue: true,
    stopAtEnd: false,
  },
});

/**
 * Checks a {@link PollOptions.schedule} value: `undefined` is `'default'`; anything but the two
 * names is a {@link ConfigError}.
 */
export function checkSchedule(value: unknown): 'default' | 'economy' {
  if (value === undefined || value === 'default') return 'default';
  if (value === 'economy') return 'economy';
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw new ConfigError('schedule', `schedule must be 'default' or 'economy', got ${shown}`);
}

function profileOf(options: PollOptions): Profile {
  return PROFILES[checkSchedule(options.schedule)];
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
 * The longest delay an estimate may ask for at `now`, when that is longer than the backoff's:
 * three times the time waited since `startedAt` (either schedule), within
 * [`minDelayMs`, `maxEstimateDelayMs`] (and never below `maxDelayMs` at the top).
 */
export function estimateCeiling(options: PollOptions, input: Pick<ScheduleInput, 'now' | 'startedAt'>): number {
  const configured = options.maxEstimateDelayMs ?? Number.NaN;
  const far = Math.max(
    options.maxDelayMs,
    Number.isNaN(configured) ? DEFAULT_POLL_OPTIONS.maxEstimateDelayMs : configured,
  );
  const waited = input.now - (input.startedAt ?? Number.NaN);
  // Stryker disable next-line EqualityOperator: at 0 waited, the clamp below gives minDelayMs too
  if (!(waited > 0)) return options.minDelayMs;
  return clamp(waited * profileOf(options).growth, options.minDelayMs, far);
}

/**
 * When the task became overdue, if it is: the aimed end a poll ran past, its eta once passed,
 * the first observation at 100 % while it still runs, or since when its progress is doubtful.
 * The latest of these.
 */
function overdueSince(input: ScheduleInput, doubtfulSince: number | undefined): number | undefined {
  let since: number | undefined;
  const later = (at: number | undefined) => {
    // Stryker disable next-line EqualityOperator: an equal time changes nothing
    if (at !== undefined && Number.isFinite(at) && at <= input.now && (since === undefined || at > since)) since = at;
  };
  if ((input.misses ?? 0) > 0) later(input.missedAt);
  later(input.etaAt);
  // Stryker disable next-line ArrayDeclaration: an element without progress ends the loop as no element does
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
  later(doubtfulSince);
  return since;
}

/**
 * The delay before the next poll and what decided it. Pure: the same input gives the same output.
 *
 * - Backoff, when there is nothing to go on: `minDelayMs * factor^attempt`, capped at
 *   `maxDelayMs`, spread by ±`jitter`. A task that never reports an eta or progress is polled
 *   exactly so. With the default schedule, a backoff delay that would poll past an estimated end,
 *   however unsure, stops a quarter of `minDelayMs` after it instead (never sooner than
 *   `minDelayMs`); once overdue, after the later of that end and the end at the pace of the
 *   latest step of progress. Not after a jump of progress, which makes it a poor guide.
 * - Confident estimate ({@link estimate}, not overdue): once its expected error (spread × time
 *   left) is within a tenth of `maxDelayMs`, aim just after the estimated end, by that error plus
 *   a quarter of `minDelayMs`. While it is further off, step towards it: the time left less 1.5
 *   spreads, so that the poll comes before the end can; a step no longer than the backoff's
 *   would only cost a request, so then the backoff goes on. No estimate waits longer than
 *   {@link estimateCeiling} or shorter than `minDelayMs`.
 * - Overdue (an aimed poll found the task running, its eta passed, it sits at 100 %, its progress
 *   jumped, or it stayed at a value past the end the rate gave): the backoff starts again from
 *   that moment. Each delay is at most `factor` times the time since (at least `minDelayMs`), and
 *   never more than the plain backoff's. With `schedule: 'economy'` the backoff goes on as it was,
 *   and an estimate may still lengthen it.
 * - A server hint is a floor: the next poll never comes before it allows (up to `maxRetryAfterMs`).
 */
export function planDelay(options: PollOptions, input: ScheduleInput): DelayPlan {
  const random = input.random ?? Math.random();
  const profile = profileOf(options);
  const plain = applyJitter(options, backoffDelay(options, input.attempt), random);
  let plan: DelayPlan = options.estimate
    ? guided(options, profile, input, plain, random)
    : { delayMs: plain, basis: 'backoff' };
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

function guided(
  options: PollOptions,
  profile: Profile,
  input: ScheduleInput,
  plain: number,
  random: number,
): DelayPlan {
  const reading = fromProgress(input.history ?? []);
  const overdue = overdueSince(input, reading?.doubtfulSince);
  const guess = estimateWith(input, () => reading);
  // A jump makes the progress a poor guide to the end: the backoff alone then.
  const guide = profile.stopAtEnd && !Number.isFinite(reading?.doubtfulSince) ? guess : undefined;
  if (overdue === undefined) {
    return (
      (guess && towards(options, profile, input, guess, plain, random)) ?? {
        delayMs: stopAt(options, input, guide?.end ?? Number.NaN, plain),
        basis: 'backoff',
      }
    );
  }
  const since = input.now - overdue;
  const backoff = profile.restart
    ? applyJitter(options, Math.min(backoffDelay(options, input.attempt), options.factor * since), random)
    : plain;
  if (profile.lengthenOverdue && guess) {
    // Each miss widens the estimate's uncertainty.
    const widened = { ...guess, spread: guess.spread * (1 + Math.max(0, input.misses ?? 0)) };
    const step = towards(options, profile, input, widened, backoff, random);
    if (step && step.delayMs > backoff) return step;
  }
  // Overdue, the estimate proved early once: a task that slowed down is judged by its pace now.
  const end = guide ? laterEnd(guide, input) : Number.NaN;
  return { delayMs: stopAt(options, input, end, backoff), basis: 'backoff' };
}

/**
 * `delay`, or less when it would poll past `end` (ms since the epoch): then just after it, a
 * quarter of `minDelayMs` later, and no sooner than `minDelayMs`. NaN or a past `end` cuts nothing.
 */
function stopAt(options: PollOptions, input: ScheduleInput, end: number, delay: number): number {
  if (!(end > input.now)) return delay;
  return clamp(end - input.now + options.minDelayMs / 4, options.minDelayMs, delay);
}

/**
 * The later of the estimated end and the end at the pace of the latest step of progress (between
 * the first polls to see the last two values): a task that slowed down is judged by its pace now.
 */
function laterEnd(guess: Estimate, input: ScheduleInput): number {
  const history = input.history ?? [];
  const current = history[history.length - 1]?.progress;
  const first = history.findIndex((o) => o.progress === current);
  if (!isProgress(current) || first < 1) return guess.end;
  let before = first - 1;
  while (before > 0 && history[before - 1]?.progress === history[before]?.progress) before--;
  const from = history[before] as Observation;
  const to = history[first] as Observation;
  const rate = (current - (from.progress as number)) / (to.at - from.at);
  // Stryker disable next-line EqualityOperator: the value before the first poll to see `current` differs from it: no rate of 0
  return rate > 0 ? Math.max(guess.end, to.at + (1 - current) / rate) : guess.end;
}

function towards(
  options: PollOptions,
  profile: Profile,
  input: ScheduleInput,
  guess: Estimate,
  backoff: number,
  random: number,
): DelayPlan | undefined {
  const left = Math.max(0, guess.end - input.now);
  const error = left * guess.spread;
  const wobble = 1 + options.jitter * (2 * random - 1);
  const ceiling = Math.max(backoff, estimateCeiling(options, input));
  if (error <= profile.aimWithin * options.maxDelayMs) {
    const wanted = left + (error + options.minDelayMs / 4) * wobble;
    const delay = clamp(wanted, options.minDelayMs, ceiling);
    // Cut by the ceiling, the poll no longer comes after the estimated end: it only approaches.
    return delay < wanted ? { delayMs: delay, basis: 'approach' } : { delayMs: delay, basis: 'aim', aimAt: guess.end };
  }
  const fraction = Math.max(profile.minStep, 1 - profile.caution * guess.spread);
  const step = clamp(left * fraction * wobble, options.minDelayMs, ceiling);
  return step > backoff ? { delayMs: step, basis: 'approach' } : undefined;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
