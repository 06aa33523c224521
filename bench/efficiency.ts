/**
 * Request efficiency: a simulation on a virtual clock (no sleeping, no network) of many tasks
 * with realistic durations and progress reports, polled by several strategies. For each strategy
 * and kind of task: requests per task, and the detection delay (from the task's end to the poll
 * that sees it). taskwait's strategies run through the real pure step function, `advance`.
 *
 * Run alone: `npx tsx bench/efficiency.ts [--smoke] [--tasks N] [--seed N]`.
 */
import type { TaskSnapshot } from '../src/core/lifecycle.js';
import { advance, initialState, type WaitState } from '../src/core/poll/poller.js';
import { DEFAULT_POLL_OPTIONS, type PollOptions } from '../src/core/poll/schedule.js';
import { main } from './lib/main.js';
import { type Random, seeded } from './lib/random.js';
import { type BenchResult, fixed, mean, median, quantile, table } from './lib/stats.js';

const SECOND = 1000;
/** The virtual epoch: task starts are at this instant, so ISO etas parse like real ones. */
const T0 = Date.UTC(2025, 0, 1);
const MAX_POLLS = 100_000;

/** What a simulated task reports about itself. */
export type Group = 'none' | 'progress' | 'eta';

/** One simulated task: how long it runs and what it says while it runs. */
export interface SimTask {
  id: number;
  group: Group;
  /** Duration (ms from its start to its end). */
  durationMs: number;
  /** Time spent queued at the start (ms). */
  queuedMs: number;
  /** Progress reported at `t` ms after the start (undefined: the vendor gives none). */
  progressAt(t: number): number | undefined;
  /** The vendor's eta at `t`, in ms after the start (undefined: none). */
  etaAt(t: number): number | undefined;
  /** How its reports were drawn, for analysis. */
  traits: Record<string, number | boolean>;
}

/**
 * The task population. Every parameter is stated here; the seed fixes the draw.
 *
 * - Duration: log-normal, median 120 s, σ = 1.2 (p5 ≈ 17 s, p95 ≈ 14 min), clamped to [2 s, 1 h].
 * - 40 % are queued first for 2–25 % of their duration (state `queued`, progress 0).
 * - 30 % report nothing but their state; 50 % report progress; 20 % report an eta (half of those
 *   also progress).
 * - Progress is non-linear: `s^γ` of the running fraction `s`, γ log-uniform in [0.5, 2]; 25 %
 *   stall once (a flat stretch of 10–30 % of the run); 25 % reach 100 % early (at 85–97 % of the
 *   run) and then finalize; it is quantized to 1 % (40 %), 5 % (25 %), 10 % (15 %), 25 % (5 %)
 *   or not at all (15 %).
 * - An eta is off by a factor `exp(N(0, σ))`, σ uniform in [0.05, 0.6] per task; half the vendors
 *   fix it at the start, half re-estimate the time left at each poll (with the same bias), and it
 *   is given to the second, like an ISO date.
 */
export function population(count: number, seed: number): SimTask[] {
  const rng = seeded(seed);
  return Array.from({ length: count }, (_, id) => makeTask(id, rng));
}

function makeTask(id: number, rng: Random): SimTask {
  const durationMs = Math.round(clamp(120 * SECOND * Math.exp(1.2 * rng.normal()), 2 * SECOND, 3600 * SECOND));
  const queuedMs = rng.chance(0.4) ? Math.round(durationMs * rng.between(0.02, 0.25)) : 0;
  const group = rng.pick<Group>([
    ['none', 0.3],
    ['progress', 0.5],
    ['eta', 0.2],
  ]);
  const hasProgress = group === 'progress' || (group === 'eta' && rng.chance(0.5));
  const gamma = Math.exp(rng.between(Math.log(0.5), Math.log(2)));
  const stall = rng.chance(0.25) ? { at: rng.between(0.2, 0.7), length: rng.between(0.1, 0.3) } : undefined;
  const fullAt = rng.chance(0.25) ? rng.between(0.85, 0.97) : 1;
  const quantum = rng.pick<number>([
    [0.01, 0.4],
    [0.05, 0.25],
    [0.1, 0.15],
    [0.25, 0.05],
    [0, 0.15],
  ]);
  const running = durationMs - queuedMs;
  // Work done by the running fraction s, with the stall's flat stretch, normalized to end at 1.
  const work = (s: number): number => {
    if (!stall) return s;
    const before = Math.min(s, stall.at);
    const after = Math.max(0, s - stall.at - stall.length);
    return (before + after) / (1 - stall.length);
  };
  const progressAt = (t: number): number | undefined => {
    if (!hasProgress) return undefined;
    if (t < queuedMs) return 0;
    const s = clamp((t - queuedMs) / running / fullAt, 0, 1);
    const p = work(s) ** gamma;
    return quantum > 0 ? Math.floor(p / quantum + 1e-9) * quantum : Math.round(p * 10_000) / 10_000;
  };
  const sigma = rng.between(0.05, 0.6);
  const bias = Math.exp(sigma * rng.normal());
  const fixedEta = rng.chance(0.5);
  const etaAt = (t: number): number | undefined => {
    if (group !== 'eta') return undefined;
    const eta = fixedEta ? durationMs * bias : t + Math.max(0, durationMs - t) * bias;
    return Math.round(eta / SECOND) * SECOND;
  };
  const traits = { hasProgress, gamma, stall: stall !== undefined, fullAt, quantum, etaBias: bias, fixedEta };
  return { id, group, durationMs, queuedMs, progressAt, etaAt, traits };
}

/** A polling strategy: given the task's latest snapshot at time `t`, the delay before the next poll. */
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
    name: 'AWS waiter (2 s..120 s)',
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

/** The strategies compared, taskwait's default first and the plain backoff last. */
export function strategies(): Strategy[] {
  return [
    taskwait('taskwait default', DEFAULT_POLL_OPTIONS),
    awsWaiter(),
    fixedInterval('Azure core-lro (2 s)', 2 * SECOND),
    fixedInterval('OpenAI (5 s)', 5 * SECOND),
    fixedInterval('fixed 1 s', SECOND),
    taskwait('backoff 1 s..30 s', { ...DEFAULT_POLL_OPTIONS, estimate: false }),
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
    const snapshot: TaskSnapshot = {
      vendor: 'sim',
      kind: 'task',
      id: String(task.id),
      state: t < task.queuedMs ? 'queued' : 'running',
      terminal: false,
      rawStatus: t < task.queuedMs ? 'QUEUED' : 'RUNNING',
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

/** Figures of one strategy on one group of tasks. */
export interface Row {
  strategy: string;
  group: string;
  tasks: number;
  requestsMean: number;
  requestsMedian: number;
  requestsP95: number;
  delayMedianS: number;
  delayP95S: number;
}

const GROUPS: readonly { name: string; test: (t: SimTask) => boolean }[] = [
  { name: 'progress', test: (t) => t.group === 'progress' },
  { name: 'eta', test: (t) => t.group === 'eta' },
  { name: 'none', test: (t) => t.group === 'none' },
  { name: 'all', test: () => true },
];

/** Runs every strategy over the population and summarizes by group. */
export function evaluate(tasks: readonly SimTask[], list: readonly Strategy[], seed: number): Row[] {
  const rows: Row[] = [];
  for (const strategy of list) {
    // Each task has its own random stream, the same for every strategy.
    const outcomes = tasks.map((task) => simulate(task, strategy, seeded(seed * 100_003 + task.id)));
    for (const group of GROUPS) {
      const picked = outcomes.filter((_, i) => group.test(tasks[i] as SimTask));
      const requests = picked.map((o) => o.requests);
      const delays = picked.map((o) => o.delayMs / SECOND);
      rows.push({
        strategy: strategy.name,
        group: group.name,
        tasks: picked.length,
        requestsMean: mean(requests),
        requestsMedian: median(requests),
        requestsP95: quantile(requests, 0.95),
        delayMedianS: median(delays),
        delayP95S: quantile(delays, 0.95),
      });
    }
  }
  return rows;
}

export async function run(options: { smoke: boolean; tasks?: number; seed?: number }): Promise<BenchResult> {
  const count = options.tasks ?? (options.smoke ? 500 : 10_000);
  const seed = options.seed ?? 42;
  const tasks = population(count, seed);
  const list = strategies();
  const rows = evaluate(tasks, list, seed);
  const baseline = list[list.length - 1]?.name as string;
  const find = (strategy: string, group: string) =>
    rows.find((r) => r.strategy === strategy && r.group === group) as Row;

  const lines: string[] = [
    'Population: durations log-normal (median 120 s, σ 1.2, clamped to 2 s..1 h); 40 % queued first; 30 % report',
    'nothing, 50 % progress, 20 % an eta (half of them progress too); progress s^γ with γ in [0.5, 2], 25 % stall once,',
    '25 % reach 100 % early, steps of 1/5/10/25 % or none; etas off by exp(N(0, σ)), σ in [0.05, 0.6], fixed or re-estimated.',
    'Requests include the first poll; detection delay is from the end to the poll that sees it.',
    '',
  ];
  const durations = tasks.map((t) => t.durationMs / SECOND);
  lines.push(
    `${count} tasks (seed ${seed}): duration median ${fixed(median(durations), 0)} s, p5 ${fixed(quantile(durations, 0.05), 0)} s, p95 ${fixed(quantile(durations, 0.95), 0)} s; ` +
      GROUPS.slice(0, 3)
        .map((g) => `${g.name} ${tasks.filter(g.test).length}`)
        .join(', '),
  );
  for (const group of GROUPS) {
    const base = find(baseline, group.name);
    lines.push('', `Tasks reporting: ${group.name} (${base.tasks} tasks); ratios against ${baseline}`);
    lines.push(
      table(
        ['strategy', 'req/task mean', 'median', 'p95', 'ratio', 'detect median s', 'p95 s', 'ratio'],
        list.map((s) => {
          const r = find(s.name, group.name);
          return [
            s.name,
            fixed(r.requestsMean, 1),
            fixed(r.requestsMedian, 0),
            fixed(r.requestsP95, 0),
            fixed(r.requestsMean / base.requestsMean, 2),
            fixed(r.delayMedianS, 1),
            fixed(r.delayP95S, 1),
            fixed(r.delayMedianS / base.delayMedianS, 2),
          ];
        }),
      ),
    );
  }
  // The bound that lets an estimate sleep past maxDelayMs, and what each value costs.
  const bounds = [30_000, 120_000, 300_000, 600_000];
  const sweep = evaluate(
    tasks.filter((t) => t.group === 'progress'),
    bounds.map((ms) => taskwait(`${ms / 1000} s`, { ...DEFAULT_POLL_OPTIONS, maxEstimateDelayMs: ms })),
    seed,
  ).filter((r) => r.group === 'progress');
  const progressBase = find(baseline, 'progress');
  lines.push(
    '',
    `maxEstimateDelayMs on tasks reporting progress (default ${DEFAULT_POLL_OPTIONS.maxEstimateDelayMs / 1000} s; 30 s = never past maxDelayMs)`,
    table(
      ['maxEstimateDelayMs', 'req/task mean', 'fewer than backoff', 'detect median s', 'p95 s'],
      sweep.map((r) => [
        r.strategy,
        fixed(r.requestsMean, 2),
        `${fixed((1 - r.requestsMean / progressBase.requestsMean) * 100, 0)} %`,
        fixed(r.delayMedianS, 1),
        fixed(r.delayP95S, 1),
      ]),
    ),
  );
  const ours = list[0]?.name as string;
  const goals = ['progress', 'eta', 'none'].map((group) => {
    const a = find(ours, group);
    const b = find(baseline, group);
    const saving = 1 - a.requestsMean / b.requestsMean;
    if (group === 'none') {
      const worse = a.requestsMean / b.requestsMean - 1;
      return {
        goal: 'tasks without progress: never worse than plain backoff by more than a little (≤ 5 % requests, ≤ +1 s median delay)',
        met: worse <= 0.05 && a.delayMedianS <= b.delayMedianS + 1,
        figure: `${fixed(a.requestsMean, 2)} vs ${fixed(b.requestsMean, 2)} req/task; median delay ${fixed(a.delayMedianS, 1)} s vs ${fixed(b.delayMedianS, 1)} s`,
      };
    }
    return {
      goal: `tasks reporting ${group}: ≥ 40 % fewer requests than plain backoff at an equal or lower median detection delay`,
      met: saving >= 0.4 && a.delayMedianS <= b.delayMedianS,
      figure: `${fixed(saving * 100, 0)} % fewer requests (${fixed(a.requestsMean, 1)} vs ${fixed(b.requestsMean, 1)}); median delay ${fixed(a.delayMedianS, 1)} s vs ${fixed(b.delayMedianS, 1)} s`,
    };
  });
  return {
    name: 'efficiency',
    title: 'Request efficiency (simulated, virtual clock)',
    text: lines.join('\n'),
    figures: { tasks: count, seed, rows, maxEstimateDelayMs: sweep },
    goals,
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

await main(import.meta.url, run);
