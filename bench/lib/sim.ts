/**
 * Polls simulated tasks on a virtual clock (no sleeping, no network) with several strategies, and
 * measures what each cost: requests per task, and the detection delay (from the task's end to the
 * poll that sees it). taskwait's strategies run through the real pure step function, `advance`.
 */
import type { TaskSnapshot } from '../../src/core/lifecycle.js';
import { advance, initialState, type WaitState } from '../../src/core/poll/poller.js';
import { DEFAULT_POLL_OPTIONS, type PollOptions } from '../../src/core/poll/schedule.js';
import { type Random, seeded } from './random.js';
import type { SimTask } from './shapes.js';
import { mean, median, quantile } from './stats.js';

const SECOND = 1000;
/** The virtual epoch: task starts are at this instant, so ISO etas parse like real ones. */
const T0 = Date.UTC(2025, 0, 1);
const MAX_POLLS = 100_000;

/** A polling strategy: given the task's latest snapshot at time `now`, the delay before the next poll. */
export interface Strategy {
  name: string;
  /** Starts the polling of one task; returns the per-poll decision. */
  start(task: SimTask, rng: Random): (snapshot: TaskSnapshot, now: number) => number;
}

/** taskwait's own poller, through the pure step function. */
export function taskwait(name: string, options: PollOptions): Strategy {
  return {
    name,
    start(task, rng) {
      let state: WaitState = initialState('sim', task.id, T0);
      return (snapshot, now) => {
        const step = advance(state, { snapshot, now }, options, rng.next());
        state = step.state;
        return step.delayMs;
      };
    },
  };
}

/** A fixed interval. */
export function fixedInterval(name: string, ms: number): Strategy {
  return { name, start: () => () => ms };
}

/**
 * AWS SDK waiters, as Smithy's waiter spec defines the retry delay: the n-th delay is uniform in
 * [minDelay, min(maxDelay, minDelay·2^(n-1))], with minDelay 2 s and maxDelay 120 s.
 */
export function awsWaiter(minDelayMs = 2 * SECOND, maxDelayMs = 120 * SECOND): Strategy {
  const ceiling = Math.floor(Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1);
  return {
    name: 'AWS waiter (2 s → 120 s)',
    start(_task, rng) {
      let attempt = 0;
      return () => {
        attempt += 1;
        const high = attempt > ceiling ? maxDelayMs : Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1));
        return rng.between(minDelayMs, high);
      };
    },
  };
}

/** The name of the baseline every ratio is against. */
export const BACKOFF = 'plain backoff 1 s → 30 s';

/** The strategies compared: taskwait's two schedules, the plain backoff, then the anchors. */
export function strategies(): Strategy[] {
  return [
    taskwait('taskwait (default)', DEFAULT_POLL_OPTIONS),
    taskwait("taskwait schedule: 'economy'", { ...DEFAULT_POLL_OPTIONS, schedule: 'economy' }),
    taskwait(BACKOFF, { ...DEFAULT_POLL_OPTIONS, estimate: false }),
    awsWaiter(),
    fixedInterval('Azure core-lro (fixed 2 s)', 2 * SECOND),
    fixedInterval('OpenAI (fixed 5 s)', 5 * SECOND),
  ];
}

/** What polling one task cost. */
export interface Outcome {
  requests: number;
  delayMs: number;
}

/** Polls `task` with `strategy` on a virtual clock: the first poll at its start. */
export function simulate(task: SimTask, strategy: Strategy, rng: Random): Outcome {
  const decide = strategy.start(task, rng);
  let t = 0;
  for (let requests = 1; requests <= MAX_POLLS; requests++) {
    if (t >= task.durationMs) return { requests, delayMs: t - task.durationMs };
    const progress = task.progressAt(t);
    const eta = task.etaAt(t);
    const queued = t < task.queuedMs;
    const snapshot: TaskSnapshot = {
      vendor: 'sim',
      kind: 'task',
      id: String(task.id),
      state: queued ? 'queued' : 'running',
      terminal: false,
      rawStatus: queued ? 'QUEUED' : 'RUNNING',
      raw: null,
      ...(progress === undefined ? {} : { progress }),
      ...(eta === undefined ? {} : { eta: new Date(T0 + eta).toISOString() }),
    };
    const delay = decide(snapshot, T0 + t);
    if (!(delay >= 0) || !Number.isFinite(delay)) throw new Error(`${strategy.name}: bad delay ${delay}`);
    t += delay;
  }
  throw new Error(`${strategy.name}: task ${task.id} not detected after ${MAX_POLLS} polls`);
}

/** Figures of one strategy on one set of tasks. */
export interface Row {
  strategy: string;
  tasks: number;
  requestsMean: number;
  delayMedianS: number;
  delayP95S: number;
}

/** Runs `strategy` over `tasks`; each task has its own random stream, the same for every strategy. */
export function measure(tasks: readonly SimTask[], strategy: Strategy, seed: number): Row & { outcomes: Outcome[] } {
  const outcomes = tasks.map((task) => simulate(task, strategy, seeded(seed * 100_003 + task.id)));
  const delays = outcomes.map((o) => o.delayMs / SECOND);
  return {
    strategy: strategy.name,
    tasks: tasks.length,
    requestsMean: mean(outcomes.map((o) => o.requests)),
    delayMedianS: median(delays),
    delayP95S: quantile(delays, 0.95),
    outcomes,
  };
}
