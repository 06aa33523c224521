/**
 * Batched reads: 1,000 concurrent SoftwareOne tasks awaited as one group (`waitAll`) on a loopback
 * server (the testing kit's, with its task list filtered by RQL `in(id,(…))`), read with one GET
 * per poll (`batch: false`) and with batched reads (the default), and, for comparison, as 1,000
 * separate `wait()` calls with batched reads. Reported: requests per task, and the detection
 * delay (from a task's end to the client seeing it), median and p95.
 *
 * Each task runs for a time drawn uniformly in 10 s to 2 min, reporting its progress as it goes
 * (SoftwareOne's `progress`); every run sees the same tasks. Time is scaled by S (10; 50 in
 * smoke): tasks last 1/S as long, and every delay of the client, the batching window included, is
 * divided by S. Detection delays are quoted in scaled seconds.
 *
 * Run alone: `npx tsx bench/batched.ts [--smoke]`.
 */
import { createClient, type TaskSnapshot } from '../src/index.js';
import { fakeTask, softwareOneFake, softwareOneTaskList, startFakeServer } from '../src/testing/server.js';
import { softwareOne } from '../src/vendors/softwareone/index.js';
import { softwareOneId } from './lib/ids.js';
import { main } from './lib/main.js';
import { seeded } from './lib/random.js';
import { type BenchResult, fixed, median, quantile, table } from './lib/stats.js';

type Mode = 'get' | 'get-unbudgeted' | 'batched' | 'separate';

interface Run {
  mode: Mode;
  tasks: number;
  requests: number;
  lists: number;
  detection: number[];
}

async function once(mode: Mode, count: number, scale: number, seed: number): Promise<Run> {
  const rng = seeded(seed);
  const durations = Array.from({ length: count }, () => Math.round(rng.between(10_000, 120_000) / scale));
  const tasks = durations.map((ms, i) =>
    fakeTask(softwareOneFake, { id: softwareOneId(i), phases: [{ state: 'running', ms }] }),
  );
  const server = await startFakeServer({ tasks, routes: [softwareOneTaskList()] });
  try {
    const client = createClient(softwareOne, {
      baseUrl: server.url,
      token: 'swo-bench-token-0000',
      wait: { minDelayMs: 1000 / scale, maxDelayMs: 30_000 / scale, maxEstimateDelayMs: 300_000 / scale },
      retry: { minDelayMs: 500 / scale, maxDelayMs: 5000 / scale },
      batch: mode === 'get' || mode === 'get-unbudgeted' ? false : { windowMs: 250 / scale },
      ...(mode === 'get-unbudgeted' ? { budget: false as const } : {}),
    });
    const seen = new Map<string, number>();
    const onTaskProgress = (snapshot: TaskSnapshot) => {
      if (snapshot.terminal) seen.set(snapshot.id, Date.now());
    };
    if (mode === 'separate') {
      await Promise.all(tasks.map((task) => client.wait(task.ref, { onProgress: onTaskProgress })));
    } else {
      await client.waitAll(
        tasks.map((task) => task.ref),
        { onTaskProgress },
      );
    }
    const detection = tasks.map((task, i) => {
      const firstAt = task.requests[0]?.at ?? 0;
      return (seen.get(task.id) ?? Number.NaN) - (firstAt + (durations[i] as number));
    });
    const lists = server.requests.filter((r) => r.path.startsWith('/v1/system/tasks?')).length;
    return { mode, tasks: count, requests: server.requests.length, lists, detection };
  } finally {
    await server.close();
  }
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const count = options.smoke ? 200 : 1000;
  const scale = options.smoke ? 50 : 10;
  const single = await once('get', count, scale, 11);
  const unbudgeted = await once('get-unbudgeted', count, scale, 11);
  const batched = await once('batched', count, scale, 11);
  const separate = await once('separate', count, scale, 11);
  const s = (ms: number) => (ms * scale) / 1000;
  const perTask = (r: Run) => r.requests / r.tasks;
  const row = (name: string, r: Run) => [
    name,
    fixed(perTask(r), 2),
    fixed(perTask(r) / perTask(single), 2),
    String(r.lists),
    String(r.requests - r.lists),
    `${fixed(s(median(r.detection)), 1)} s`,
    `${fixed(s(quantile(r.detection, 0.95)), 1)} s`,
  ];
  const ratio = perTask(batched) / perTask(single);
  const detectionRatio = median(batched.detection) / Math.min(median(single.detection), median(unbudgeted.detection));
  const text = [
    `${count} concurrent SoftwareOne tasks (10 s to 2 min each, reporting progress) on a loopback server; ` +
      `time scaled by ${scale}: delays in scaled seconds.`,
    '',
    table(
      ['run', 'requests/task', 'ratio', 'lists', 'GETs', 'detection p50', 'p95'],
      [
        row('one GET per poll (batch: false), waitAll', single),
        row('one GET per poll, no budget (as 0.1), waitAll', unbudgeted),
        row('batched reads (default), waitAll', batched),
        row(`batched reads, ${count} separate wait()s`, separate),
      ],
    ),
    '',
    'A list reads up to 100 tasks (the RQL filter `in(id,(…))`) and costs one unit of the request budget; ' +
      'the polls due within the window (250 ms, scaled) share one, and a poll after a quiet spell goes alone. ' +
      'One GET per poll means bursts of 1,000 requests when the tasks start together: on loopback they queue ' +
      '(behind the budget’s 32 in flight, or for the CPU without it), which is what their detection delay shows.',
  ].join('\n');
  return {
    name: 'batched',
    title: 'Batched reads (loopback, scaled time)',
    text,
    figures: {
      scale,
      tasks: count,
      runs: [single, unbudgeted, batched, separate].map((r) => ({
        mode: r.mode,
        requests: r.requests,
        lists: r.lists,
        requestsPerTask: perTask(r),
        detectionP50Ms: median(r.detection),
        detectionP95Ms: quantile(r.detection, 0.95),
      })),
    },
    goals: [
      {
        goal: 'batched reads: at most 0.2× the requests per task of one GET per poll',
        met: ratio <= 0.2,
        figure: `${fixed(perTask(batched), 2)} vs ${fixed(perTask(single), 2)} requests/task (${fixed(ratio, 2)}×)`,
      },
      {
        goal: 'at the same median detection delay (no more than 10 % above the better GET run)',
        met: detectionRatio <= 1.1,
        figure: `${fixed(s(median(batched.detection)), 1)} s vs ${fixed(s(Math.min(median(single.detection), median(unbudgeted.detection))), 1)} s (scaled; ${fixed(detectionRatio, 2)}×)`,
      },
    ],
  };
}

await main(import.meta.url, run);
