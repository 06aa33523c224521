/**
 * Request efficiency: simulated tasks of every shape in bench/lib/shapes.ts, polled on a virtual
 * clock by taskwait's schedules, the plain backoff and the anchors (bench/lib/sim.ts). For each
 * shape and strategy: requests per task, and the median and p95 detection delay (from the task's
 * end to the poll that sees it), with ratios against the plain backoff on the same tasks.
 *
 * The schedule's constants were tuned on the tuning seed; the held-out seed draws other tasks and
 * other jitter, and the goals are checked on it. Both are printed.
 *
 * Run alone: `npx tsx bench/efficiency.ts [--smoke] [--tasks N] [--seed N] [--held-out N]`.
 */
import { main } from './lib/main.js';
import { seeded } from './lib/random.js';
import { SHAPES, type Shape, tasksOf } from './lib/shapes.js';
import { BACKOFF, measure, type Row, strategies } from './lib/sim.js';
import { type BenchResult, fixed, type Goal, table } from './lib/stats.js';

/** The seed the schedule was tuned on, and the one it is judged on. */
const TUNING_SEED = 1;
const HELD_OUT_SEED = 2;
/** "No worse than backoff": within this fraction of its median and p95 detection delay. */
const TOLERANCE = 0.05;

interface ShapeResult {
  shape: string;
  rows: Row[];
}

function runSeed(seed: number, count: number): ShapeResult[] {
  const list = strategies();
  return SHAPES.map((shape: Shape, index) => {
    const tasks = tasksOf(shape, count, seeded(seed * 7919 + index));
    const rows = list.map((strategy) => {
      const { outcomes: _, ...row } = measure(tasks, strategy, seed);
      return row;
    });
    return { shape: shape.name, rows };
  });
}

const find = (result: ShapeResult, strategy: string) => result.rows.find((r) => r.strategy === strategy) as Row;

/** Within the tolerance of the baseline (a baseline of 0 s allows up to 0.05 s of rounding). */
const noWorse = (ours: number, base: number) => ours <= base * (1 + TOLERANCE) + 0.05;

function detail(result: ShapeResult): string {
  const base = find(result, BACKOFF);
  return table(
    ['strategy', 'req/task', 'ratio', 'detect median s', 'ratio', 'p95 s', 'ratio'],
    result.rows.map((r) => [
      r.strategy,
      fixed(r.requestsMean, 1),
      fixed(r.requestsMean / base.requestsMean, 2),
      fixed(r.delayMedianS, 1),
      fixed(r.delayMedianS / base.delayMedianS, 2),
      fixed(r.delayP95S, 1),
      fixed(r.delayP95S / base.delayP95S, 2),
    ]),
  );
}

/** One line per shape: default, economy and backoff side by side, and whether the default is Pareto better. */
function summary(results: readonly ShapeResult[]): string {
  const cell = (r: Row) => `${fixed(r.requestsMean, 1)} / ${fixed(r.delayMedianS, 1)} s / ${fixed(r.delayP95S, 1)} s`;
  return table(
    ['shape', 'default req / median / p95', 'economy', 'plain backoff', 'default Pareto better'],
    results.map((result) => {
      const [ours, economy] = result.rows as [Row, Row];
      const base = find(result, BACKOFF);
      return [result.shape, cell(ours), cell(economy), cell(base), verdict(ours, base)];
    }),
  );
}

function verdict(ours: Row, base: Row): string {
  const fewer = ours.requestsMean < base.requestsMean;
  const median = noWorse(ours.delayMedianS, base.delayMedianS);
  const p95 = noWorse(ours.delayP95S, base.delayP95S);
  if (fewer && median && p95) return 'yes';
  if (!fewer && median && p95 && ours.requestsMean <= base.requestsMean * 1.001) return 'equal';
  return `no (${[fewer ? '' : 'requests', median ? '' : 'median', p95 ? '' : 'p95'].filter(Boolean).join(', ')})`;
}

function goals(results: readonly ShapeResult[], seed: number): Goal[] {
  const out: Goal[] = [];
  for (const result of results) {
    const ours = result.rows[0] as Row;
    const base = find(result, BACKOFF);
    const blind = result.shape === 'no progress';
    out.push({
      goal: blind
        ? `no progress (seed ${seed}): the default equals plain backoff (nothing to go on, so equal is the best possible)`
        : `${result.shape} (seed ${seed}): the default is Pareto better than plain backoff (fewer requests, median and p95 within ${TOLERANCE * 100} %)`,
      met: blind
        ? ours.requestsMean === base.requestsMean && ours.delayP95S === base.delayP95S
        : ours.requestsMean < base.requestsMean &&
          noWorse(ours.delayMedianS, base.delayMedianS) &&
          noWorse(ours.delayP95S, base.delayP95S),
      figure: `${fixed(ours.requestsMean, 2)} vs ${fixed(base.requestsMean, 2)} req/task; median ${fixed(ours.delayMedianS, 1)} s vs ${fixed(base.delayMedianS, 1)} s; p95 ${fixed(ours.delayP95S, 1)} s vs ${fixed(base.delayP95S, 1)} s`,
    });
  }
  const linear = results.find((r) => r.shape === 'linear')?.rows[0] as Row;
  out.push({
    goal: `stretch, linear (seed ${seed}): ≤ 5 requests per task, median ≤ 2 s, p95 ≤ 10 s`,
    met: linear.requestsMean <= 5 && linear.delayMedianS <= 2 && linear.delayP95S <= 10,
    figure: `${fixed(linear.requestsMean, 2)} req/task, median ${fixed(linear.delayMedianS, 1)} s, p95 ${fixed(linear.delayP95S, 1)} s`,
  });
  return out;
}

export async function run(options: {
  smoke: boolean;
  tasks?: number;
  seed?: number;
  heldOut?: number;
}): Promise<BenchResult> {
  const count = options.tasks ?? (options.smoke ? 300 : 4000);
  const seeds = [options.seed ?? TUNING_SEED, options.heldOut ?? HELD_OUT_SEED];
  const lines: string[] = [
    'Tasks: durations log-normal (median 60 s, σ 1.5, clamped to 2 s..1 h); 30 % queued first; the work rate',
    'wobbles ±20 % in 10 stretches; progress in steps of 1 % (60 %), 5 %, 10 % or 0.01 %; etas to the second, fixed',
    'or re-estimated at each poll. Requests include the first poll (at the task start); detection delay is from the',
    `end to the poll that sees it. "No worse" allows ${TOLERANCE * 100} % of the backoff's figure.`,
    '',
    ...SHAPES.map((s) => `- ${s.name}: ${s.description}`),
  ];
  const bySeed: Record<string, ShapeResult[]> = {};
  for (const [i, seed] of seeds.entries()) {
    const results = runSeed(seed, count);
    bySeed[seed] = results;
    const role = i === 0 ? 'tuning seed' : 'held-out seed';
    lines.push('', `### ${count} tasks per shape, ${role} ${seed}`, '', summary(results));
    for (const result of results) lines.push('', `${result.shape} (seed ${seed})`, detail(result));
  }
  const heldOut = seeds[1] as number;
  return {
    name: 'efficiency',
    title: 'Request efficiency by shape of progress (simulated, virtual clock)',
    text: lines.join('\n'),
    figures: { tasks: count, tuningSeed: seeds[0], heldOutSeed: heldOut, shapes: bySeed },
    goals: goals(bySeed[heldOut] as ShapeResult[], heldOut),
  };
}

await main(import.meta.url, run);
