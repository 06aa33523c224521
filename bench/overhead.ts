/**
 * Per-poll overhead: `client.get()` (ky, p-retry, the size cap, Zod validation, normalization)
 * against the issue's lean ky request (`ky.get(url, { retry: 0, timeout: false }).json()`) and a
 * bare `fetch` + `res.json()` loop, all on the testing kit's loopback server (run in its own
 * process) serving the same Mixpeek task. The loops (bench/scenarios/overhead.ts) run bundled, as
 * shipped code. Rounds rotate the loops' order so that drift in the machine's speed hits all
 * alike; each figure is the median round, of wall time and of this process's CPU time.
 *
 * Then the CPU per awaited task: requests per task (the simulated tasks of bench/efficiency.ts,
 * held-out seed) times CPU per request, taskwait's default schedule with `client.get()` against a
 * hand-written `fetch` loop on plain 1 s → 30 s backoff.
 *
 * Run alone: `npx tsx bench/overhead.ts [--smoke]`.
 */
import { runBundled } from './lib/bundled.js';
import { startServer } from './lib/child.js';
import { main } from './lib/main.js';
import { seeded } from './lib/random.js';
import { SHAPES, tasksOf } from './lib/shapes.js';
import { BACKOFF, measure, strategies } from './lib/sim.js';
import { type BenchResult, fixed, ratio, table } from './lib/stats.js';

type Cost = { wallUs: number; cpuUs: number };
type Figures = Record<string, Record<string, Cost>>;

const FETCH = 'fetch + res.json()';
const KY = 'lean ky';
const GET = 'client.get()';
/** The seed bench/efficiency.ts judges its goals on. */
const HELD_OUT_SEED = 2;
const REPORTS_PROGRESS = new Set([
  'linear',
  'S-curve',
  'stall, then resume',
  'jump to 99 %, then sits',
  'restarts from 0',
]);

/** Requests per task by shape: taskwait's default schedule and the plain backoff. */
function requestsPerTask(count: number): { shape: string; taskwait: number; backoff: number }[] {
  const list = strategies();
  const ours = list[0];
  const plain = list.find((s) => s.name === BACKOFF);
  if (!ours || !plain) throw new Error('overhead: a strategy is missing');
  return SHAPES.map((shape, index) => {
    const tasks = tasksOf(shape, count, seeded(HELD_OUT_SEED * 7919 + index));
    return {
      shape: shape.name,
      taskwait: measure(tasks, ours, HELD_OUT_SEED).requestsMean,
      backoff: measure(tasks, plain, HELD_OUT_SEED).requestsMean,
    };
  });
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const perRound = options.smoke ? 200 : 2000;
  const rounds = options.smoke ? 3 : 9;
  const server = await startServer<{ ref: string; path: string }>('task');
  let figures: Figures;
  try {
    figures = await runBundled<Figures>('scenarios/overhead.ts', [
      server.url,
      server.info.ref,
      server.info.path,
      String(perRound),
      String(rounds),
    ]);
  } finally {
    await server.close();
  }
  const rows: string[][] = [];
  for (const [concurrency, loops] of Object.entries(figures)) {
    const ky = loops[KY] as Cost;
    const label = concurrency === '1' ? 'one at a time' : `${concurrency} at a time`;
    for (const [name, cost] of Object.entries(loops)) {
      rows.push([
        `${label}: ${name}`,
        fixed(cost.wallUs, 0),
        ratio(cost.wallUs / ky.wallUs),
        fixed(cost.cpuUs, 0),
        ratio(cost.cpuUs / ky.cpuUs),
      ]);
    }
  }
  const one = figures['1'] as Record<string, Cost>;
  const [get, ky, bare] = [one[GET], one[KY], one[FETCH]] as [Cost, Cost, Cost];
  const perTask = requestsPerTask(options.smoke ? 300 : 4000).map((r) => {
    const ours = r.taskwait * get.cpuUs;
    const hand = r.backoff * bare.cpuUs;
    return { ...r, oursUs: ours, handUs: hand, ratio: ours / hand };
  });
  const progressing = perTask.filter((r) => REPORTS_PROGRESS.has(r.shape));
  const worst = progressing.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const text = [
    `${rounds} rotating rounds of ${perRound} requests each; µs per request (wall time / requests, and this`,
    "process's user + system CPU time / requests), median round. Ratios are against lean ky in the same run.",
    '',
    table(['loop', 'wall µs/req', 'ratio to ky', 'CPU µs/req', 'ratio to ky'], rows),
    '',
    `CPU per awaited task: requests per task (simulated, held-out seed ${HELD_OUT_SEED}) × CPU per request, one at a time;`,
    `taskwait's default schedule with client.get() (${fixed(get.cpuUs, 0)} µs) against a hand-written fetch loop on plain`,
    `1 s → 30 s backoff (${fixed(bare.cpuUs, 0)} µs).`,
    '',
    table(
      ['shape', 'taskwait req/task', 'CPU µs/task', 'fetch loop req/task', 'CPU µs/task', 'ratio'],
      perTask.map((r) => [
        r.shape,
        fixed(r.taskwait, 2),
        fixed(r.oursUs, 0),
        fixed(r.backoff, 2),
        fixed(r.handUs, 0),
        ratio(r.ratio),
      ]),
    ),
  ].join('\n');
  return {
    name: 'overhead',
    title: 'Per-poll overhead (loopback, testing kit server)',
    text,
    figures: { perRound, rounds, microseconds: figures, perTask },
    goals: [
      {
        goal: 'client.get() within 1.15× of a lean ky request, one at a time (wall time)',
        met: get.wallUs / ky.wallUs <= 1.15,
        figure: `${ratio(get.wallUs / ky.wallUs)} of lean ky (${fixed(get.wallUs, 0)} µs vs ${fixed(ky.wallUs, 0)} µs); CPU ${ratio(get.cpuUs / ky.cpuUs)} (${fixed(get.cpuUs, 0)} µs vs ${fixed(ky.cpuUs, 0)} µs)`,
      },
      {
        goal: 'CPU per awaited task ≤ 0.6× a hand-written fetch loop on 1 s → 30 s backoff, on every shape that reports progress',
        met: worst.ratio <= 0.6,
        figure: `worst ${ratio(worst.ratio)} (${worst.shape}); ${progressing.map((r) => `${r.shape} ${ratio(r.ratio)}`).join(', ')}`,
      },
    ],
  };
}

await main(import.meta.url, run);
