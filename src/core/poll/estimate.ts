/**
 * When a task will end, estimated from what its polls saw: the vendor's eta, or the rate of its
 * progress. Pure functions; {@link planDelay} in schedule.ts decides what to do with the estimate.
 *
 * @module
 */
import type { ScheduleInput } from './schedule.js';

/** One earlier observation, as the schedule remembers it. */
export interface Observation {
  /** When it was observed (ms since the epoch). */
  at: number;
  /** Progress 0..1, when the vendor gave it. */
  progress?: number | undefined;
}

/** An estimated end and how far off it may be. */
export interface Estimate {
  /** The estimated end (ms since the epoch). */
  end: number;
  /** The uncertainty of the time left, as a fraction of it: 0.25 means it may well be 25 % off. */
  spread: number;
}

/** How far off a vendor's eta may be, as a share of the time since it was given. */
const ETA_SPREAD = 0.3;
/** How far off the best progress rate may still be (progress is rarely linear). */
const RATE_SPREAD = 0.1;
/** A step this many times faster than any window before it is a jump, not a rate. */
const JUMP = 2;
/** The progress steps vendors report in, coarsest first. */
const STEPS = [0.25, 0.2, 0.1, 0.05, 0.02, 0.01, 0.001];

/**
 * Estimates when the task ends, from the vendor's eta or the progress rate seen across polls.
 * Returns ms since the epoch, or undefined when there is nothing to go on.
 */
export function estimateEnd(input: Pick<ScheduleInput, 'now' | 'etaAt' | 'etaSince' | 'history'>): number | undefined {
  return estimate(input)?.end;
}

/**
 * {@link estimateEnd} with its uncertainty.
 *
 * - A vendor eta still in the future wins. It may be off by 30 % of the time since the vendor
 *   first gave it (`etaSince`): an eta given once at the start is as uncertain at the end as it
 *   was then, while one the vendor keeps re-estimating is uncertain by 30 % of the time left.
 * - Otherwise the progress rate, within the latest run of non-decreasing progress (a drop starts
 *   a new phase): the window between two polls whose rate is surely the highest. A long window is
 *   precise, but a stall, time queued or an unseen restart inside it slows it down, and a task
 *   that speeds up is faster lately. What a window gained is known to a step of progress at
 *   either end (the step is the coarsest that every value is a multiple of); where both ends are
 *   the first polls to see a new value, each value was crossed within the poll gap before.
 * - Its spread is 10 %, plus half the width of that window's rate bounds over the rate. A task
 *   that speeds up is judged by its latest, fastest steps; one whose latest step is more than
 *   twice as fast as anything before jumped, and the estimate is doubtful (see {@link planDelay}).
 */
export function estimate(input: Pick<ScheduleInput, 'now' | 'etaAt' | 'etaSince' | 'history'>): Estimate | undefined {
  return estimateWith(input, () => fromProgress(input.history ?? []));
}

/** {@link estimate}, with the progress read by `read` only when no eta is ahead (the schedule has it already). */
export function estimateWith(
  input: Pick<ScheduleInput, 'now' | 'etaAt' | 'etaSince'>,
  read: () => ProgressReading | undefined,
): Estimate | undefined {
  const { now, etaAt, etaSince } = input;
  if (etaAt !== undefined && etaAt > now) {
    // Stryker disable next-line EqualityOperator: an etaSince of now is now either way
    const since = etaSince !== undefined && etaSince < now ? etaSince : now;
    return { end: etaAt, spread: (ETA_SPREAD * (etaAt - since)) / (etaAt - now) };
  }
  const reading = read();
  return reading && { end: reading.end, spread: reading.spread };
}

/** What the progress seen says: an estimate, and since when it is doubtful, if it is. */
export interface ProgressReading extends Estimate {
  /**
   * The poll before a step at least {@link JUMP} times faster than any window before it, or the
   * end the rate gave when the current value was first seen, once passed: whichever is later
   * (NaN when neither).
   */
  doubtfulSince: number;
}

/** A rate of progress per ms, and the bounds it is surely within. */
interface Rate {
  rate: number;
  low: number;
  high: number;
}

export function fromProgress(history: readonly Observation[]): ProgressReading | undefined {
  const last = history[history.length - 1];
  if (!last || !isProgress(last.progress) || !(last.progress < 1)) return undefined;
  const current = last.progress;
  let start = history.length - 1;
  // Stryker disable next-line EqualityOperator: at 0, history[-1] has no progress and the loop breaks
  while (start > 0) {
    const before = history[start - 1]?.progress;
    if (!isProgress(before) || before > (history[start]?.progress as number)) break;
    start--;
  }
  const run = history.slice(start);
  const step = granularity(run);
  const arrival = run.findIndex((o) => o.progress === current);
  const best = fastestWindow(run, step, arrival);
  if (!best) return undefined;
  const first = run[arrival] as Observation;
  const before = run[arrival - 1] as Observation;
  // From the first poll that saw the current value; and it has not reached the next one by now.
  const due = first.at + (1 - current) / best.rate;
  const end = Math.max(due, last.at + Math.max(0, 1 - current - step) / best.rate);
  const spread = RATE_SPREAD + (best.high - best.low) / (2 * best.rate);
  // Stryker disable next-line ArithmeticOperator: spread is NaN or about 1 at most: end - spread is as finite as end + spread
  if (!Number.isFinite(end + spread)) return undefined;
  // The latest step alone, surely at least this fast, against any window before it.
  const latest = Math.max(0, current - (before.progress as number) - step) / (first.at - before.at);
  const earlier = fastestWindow(run, step, arrival - 1);
  let doubtfulSince = earlier && latest > JUMP * earlier.high ? before.at : Number.NaN;
  // `due` comes after `first`, so after the poll before a jump: once passed, it is the later.
  if (due <= last.at) doubtfulSince = due;
  return { end, spread, doubtfulSince };
}

/**
 * Of the windows between two polls that end at or before `run[upTo]`, the one whose rate is surely
 * the highest (the narrower of two that are surely as high).
 */
function fastestWindow(run: readonly Observation[], step: number, upTo: number): Rate | undefined {
  let best: Rate | undefined;
  for (let j = 1; j <= upTo; j++) {
    const to = run[j] as Observation;
    const beforeTo = run[j - 1] as Observation;
    if (to.progress === beforeTo.progress) continue;
    // Stryker disable next-line EqualityOperator: i = j is a window of no time, skipped below
    for (let i = 0; i < j; i++) {
      const from = run[i] as Observation;
      // The run never decreases, so `to` gained on every poll before it.
      const gained = (to.progress as number) - (from.progress as number);
      const span = to.at - from.at;
      if (!(span > 0)) continue;
      let low = (gained - step) / span;
      let high = (gained + step) / span;
      const beforeFrom = run[i - 1];
      if (beforeFrom && beforeFrom.progress !== from.progress) {
        low = Math.max(low, gained / (to.at - beforeFrom.at));
        // `gained` > 0: no time between `from` and `beforeTo` gives Infinity, no bound.
        high = Math.min(high, gained / (beforeTo.at - from.at));
      }
      // Stryker disable next-line EqualityOperator: a window with the same bounds has the same rate
      if (!best || low > best.low || (low === best.low && high < best.high))
        best = { rate: (low + high) / 2, low, high };
    }
  }
  return best;
}

/** The coarsest step that every progress value seen is a multiple of (at least 0.1 %). */
function granularity(run: readonly Observation[]): number {
  for (const step of STEPS) {
    // Stryker disable next-line EqualityOperator: a tolerance; no value seen lands exactly on it
    if (run.every((o) => Math.abs((o.progress as number) / step - Math.round((o.progress as number) / step)) < 1e-6)) {
      return step;
    }
  }
  return 0.001;
}

/** Whether the vendor gave a progress value (a finite number). */
export function isProgress(value: number | undefined): value is number {
  return Number.isFinite(value);
}
