/**
 * CPU per awaited task, measured: N SoftwareOne tasks (1,000; 200 in smoke) awaited at once, each
 * running for a time drawn uniformly in 10 s to 2 min and reporting its progress, on the testing
 * kit's loopback server with the task list route (RQL `in(id,(…))`). Rows:
 *
 * - a hand-written loop per task, `fetch` + `res.json()`, sleeping plain backoff 1 s → 30 s, ×2,
 *   ±20 % jitter, until the status is terminal: the baseline the ratios are against;
 * - taskwait `waitAll(refs)`, default options (batched reads);
 * - N separate `wait(ref)`s with `batch: false` (one GET per poll);
 * - N separate `wait(ref)`s with batched reads (the default).
 *
 * What is counted is the client's CPU alone: the server runs in a process of its own
 * (bench/lib/serve.ts `softwareone`), and each row, each round, runs in a fresh client process
 * (bench/scenarios/fleet.ts, bundled as shipped code, as bench/overhead.ts runs its loops), whose
 * user + system CPU time (`process.cpuUsage()`) is taken from its first request to the last task
 * seen ended: start-up, client creation and servers left out. A fresh process means no row pays
 * for another's garbage or deoptimizations; before measuring, it awaits other tasks with the same
 * code (200 at S = 50, on a server of their own: the JIT warm-up), then runs `gc()`.
 *
 * Every row awaits the same tasks (same seed, same durations) on a fresh server, so the tasks
 * start anew on its first poll. Time is scaled by S (10; 200 in smoke) as in bench/batched.ts:
 * tasks last 1/S as long, and every delay of both loops, the batching window included, is divided
 * by S. Detection delay is a task's end (its first poll + its duration, by the server's clock) to
 * the client seeing it (the loop's answer, `wait()` resolving, `waitAll`'s terminal
 * `onTaskProgress`), quoted in scaled seconds. Requests and task reads are counted at the server.
 * Rounds alternate the rows' order (forward, backward, …) so drift in the machine's speed hits
 * all alike. Figures pool the rounds; each round's CPU per task is printed too, for the noise.
 *
 * Run alone: `npx tsx bench/fleet.ts [--smoke] [--rounds R] [--rows waitAll,fetch]` (some rows
 * only; without the baseline there are no ratios).
 */
import { runBundled } from './lib/bundled.js';
import { startServer } from './lib/child.js';
import { main } from './lib/main.js';
import { type BenchResult, fixed, median, quantile, ratio, table } from './lib/stats.js';

const ALL_ROWS = ['fetch', 'waitAll', 'wait-get', 'wait-batched'] as const;
type Row = (typeof ALL_ROWS)[number];

const LABELS: Record<Row, string> = {
  fetch: 'fetch loop, 1 → 30 s backoff (baseline)',
  waitAll: 'waitAll, batched reads (default)',
  'wait-get': 'separate wait()s, batch: false',
  'wait-batched': 'separate wait()s, batched reads (default)',
};

const SEED = 11;

interface Fleet {
  ids: string[];
  durations: number[];
}

interface Stats {
  requests: number;
  lists: number;
  reads: number;
  firstPoll: (number | null)[];
}

/** What bench/scenarios/fleet.ts prints. */
interface Awaited {
  userUs: number;
  systemUs: number;
  wallMs: number;
  seen: number[];
}

interface Run {
  row: Row;
  tasks: number;
  requests: number;
  lists: number;
  /** Task reads served: a GET reads one task, a list many. */
  reads: number;
  cpuUs: number;
  userUs: number;
  systemUs: number;
  wallMs: number;
  /** Per task: its end (first poll + duration) to the client seeing it, in ms. */
  detection: number[];
}

/** A fresh server process with `count` tasks of 10 s to 2 min, scaled. */
function serve(count: number, scale: number) {
  return startServer<Fleet>('softwareone', [
    String(count),
    String(10_000 / scale),
    String(120_000 / scale),
    String(SEED),
  ]);
}

/** Awaits `count` tasks with `row` in a fresh client process (after its warm-up on other tasks), on a fresh server. */
async function runOnce(row: Row, count: number, scale: number, warm: { count: number; scale: number }): Promise<Run> {
  const [server, warmServer] = await Promise.all([serve(count, scale), serve(warm.count, warm.scale)]);
  try {
    const { ids, durations } = server.info;
    const awaited = await runBundled<Awaited>('scenarios/fleet.ts', [
      row,
      String(scale),
      server.url,
      ids.join(','),
      String(warm.scale),
      warmServer.url,
      warmServer.info.ids.join(','),
    ]);
    const stats = (await (await fetch(`${server.url}/bench/stats`)).json()) as Stats;
    const detection = ids.map(
      (_, i) => (awaited.seen[i] as number) - ((stats.firstPoll[i] ?? Number.NaN) + (durations[i] as number)),
    );
    if (detection.some((d) => !Number.isFinite(d))) throw new Error(`fleet: ${row} left a task unseen`);
    return {
      row,
      tasks: count,
      requests: stats.requests,
      lists: stats.lists,
      reads: stats.reads,
      cpuUs: awaited.userUs + awaited.systemUs,
      userUs: awaited.userUs,
      systemUs: awaited.systemUs,
      wallMs: awaited.wallMs,
      detection,
    };
  } finally {
    await Promise.all([server.close(), warmServer.close()]);
  }
}

export async function run(options: { smoke: boolean; rounds?: unknown; rows?: unknown }): Promise<BenchResult> {
  const count = options.smoke ? 200 : 1000;
  const scale = options.smoke ? 200 : 10;
  const rounds = typeof options.rounds === 'number' ? options.rounds : options.smoke ? 1 : 2;
  const chosen = typeof options.rows === 'string' ? options.rows.split(',') : undefined;
  const measured = ALL_ROWS.filter((row) => !chosen || chosen.includes(row));
  const warm = options.smoke ? { count: 50, scale: 400 } : { count: 200, scale: 50 };

  const runs = new Map<Row, Run[]>(measured.map((row) => [row, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? measured : [...measured].reverse();
    for (const row of order) runs.get(row)?.push(await runOnce(row, count, scale, warm));
  }

  const total = (row: Row, key: 'requests' | 'lists' | 'reads' | 'cpuUs' | 'tasks') =>
    (runs.get(row) ?? []).reduce((sum, r) => sum + r[key], 0);
  const perTask = (row: Row) => total(row, 'cpuUs') / total(row, 'tasks');
  const requestsPerTask = (row: Row) => total(row, 'requests') / total(row, 'tasks');
  const detection = (row: Row) => (runs.get(row) ?? []).flatMap((r) => r.detection);
  const s = (ms: number) => (ms * scale) / 1000;
  const baseline = perTask('fetch');
  const rows = measured.map((row) => [
    LABELS[row],
    fixed(requestsPerTask(row), 2),
    fixed(perTask(row), 0),
    ratio(perTask(row) / baseline),
    fixed(total(row, 'cpuUs') / total(row, 'requests'), 0),
    fixed(total(row, 'reads') / total(row, 'tasks'), 2),
    fixed(total(row, 'cpuUs') / total(row, 'reads'), 0),
    (runs.get(row) ?? []).map((r) => fixed(r.cpuUs / r.tasks, 0)).join(' / '),
    `${fixed(s(median(detection(row))), 1)} s`,
    `${fixed(s(quantile(detection(row), 0.95)), 1)} s`,
  ]);
  const text = [
    `${count} concurrent SoftwareOne tasks (10 s to 2 min each, reporting progress), fake server in its own process;`,
    `time scaled by ${scale} (delays in scaled seconds); ${rounds} round(s), rows alternating. CPU is the user + system`,
    'time of a fresh client process (bundled, warmed up) while awaiting; requests and task reads are counted at the server.',
    '',
    table(
      [
        'run',
        'requests/task',
        'CPU µs/task',
        'ratio',
        'CPU µs/request',
        'reads/task',
        'CPU µs/read',
        'CPU µs/task by round',
        'detection p50',
        'p95',
      ],
      rows,
    ),
    '',
    'A list reads up to 100 tasks, so its CPU per request is that of many GETs: reads/task counts the task reads ' +
      '(a GET reads one task, a list each task it answers). CPU per task is the figure to compare.',
  ].join('\n');
  const goal = (row: Row, what: string) => {
    const r = perTask(row) / baseline;
    return {
      goal: `CPU per awaited task ≤ 0.6× a hand-written fetch loop on 1 s → 30 s backoff, ${count} tasks at once that report progress (${what})`,
      met: r <= 0.6,
      figure: `${ratio(r)} (${fixed(perTask(row), 0)} µs vs ${fixed(baseline, 0)} µs per task; ${fixed(requestsPerTask(row), 2)} vs ${fixed(requestsPerTask('fetch'), 2)} requests per task)`,
    };
  };
  return {
    name: 'fleet',
    title: 'CPU per awaited task, many tasks at once (loopback, server in its own process)',
    text,
    figures: {
      scale,
      tasks: count,
      rounds,
      runs: measured.flatMap((row) =>
        (runs.get(row) ?? []).map((r) => ({
          row: r.row,
          requests: r.requests,
          lists: r.lists,
          reads: r.reads,
          cpuUs: r.cpuUs,
          userUs: r.userUs,
          systemUs: r.systemUs,
          wallMs: r.wallMs,
          cpuUsPerTask: r.cpuUs / r.tasks,
          detectionP50Ms: median(r.detection),
          detectionP95Ms: quantile(r.detection, 0.95),
        })),
      ),
    },
    // Without the baseline row (--rows) there is nothing to judge.
    goals: runs.has('fetch')
      ? [goal('waitAll', 'waitAll, batched reads'), goal('wait-batched', 'separate wait()s, batched reads')]
      : [],
  };
}

await main(import.meta.url, run);
