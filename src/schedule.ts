/**
 * taskwait/schedule: the pure functions behind a wait's delays, for a loop of one's own (a job
 * queue, a serverless step) or a simulation. `client.wait()` and `client.poll()` use them; most
 * code needs neither this entry nor them.
 *
 * - {@link advance} is one step of a wait: from the state before a poll and what the poll saw, the
 *   state after it and the delay before the next one; {@link initialState} is the state before
 *   the first poll (`encodeState` and `decodeState`, in `taskwait`, carry it as a resume token).
 * - {@link planDelay} (and {@link nextDelay}, its delay alone) picks a delay from the attempt, the
 *   history, a server's hint and the estimates ({@link estimate}, {@link estimateEnd},
 *   {@link estimateCeiling}), with {@link backoffDelay} and {@link clampHint} as its parts.
 *
 * @module taskwait/schedule
 */
export {
  advance,
  initialState,
  type PollOutcome,
  type Step,
} from './core/poll/poller.js';
export {
  backoffDelay,
  clampHint,
  type DelayPlan,
  type Estimate,
  estimate,
  estimateCeiling,
  estimateEnd,
  nextDelay,
  type Observation,
  planDelay,
  type ScheduleInput,
} from './core/poll/schedule.js';
