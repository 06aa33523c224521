/**
 * Many waits on one rate-limited account: 1,000 concurrent `client.wait()` calls on one Postman
 * client, with the request budget and without it (`budget: false`: every wait on its own, as
 * before 0.2), against a loopback server (its own process) that allows 5 requests per second per
 * token and answers the rest 429 with `Retry-After` and Postman's rate-limit headers. Every task
 * ends at a fixed time after the server starts (uniform in 30 s to 5 min; 10 s to 1 min in smoke);
 * both runs see the same tasks. Reported per run: 429s received, total requests, and the time until the last task is
 * seen done.
 *
 * Time is scaled by S (10, 50 in smoke): the server allows 5 requests per 1000/S ms, the tasks
 * last 1/S as long, and every delay of the client is divided by S (poll delays 1 s → 30 s become
 * 100 ms → 3 s; retry delays, the budget's rate 5/s becomes 5·S/s with the same burst of 5). The
 * figures are quoted in scaled seconds. CPU per request does not scale: the run without a budget
 * sends its requests S times as fast as it would for real, which the table shows as requests/s.
 *
 * Run alone: `npx tsx bench/budget.ts [--smoke]`.
 */
import { createClient } from '../src/index.js';
import { postman } from '../src/vendors/postman/index.js';
import { startServer } from './lib/child.js';
import { main } from './lib/main.js';
import { type BenchResult, fixed, median, quantile, table } from './lib/stats.js';

interface Run {
  mode: 'budget' | 'none';
  tasks: number;
  requests: number;
  throttled: number;
  /** Real ms from the start until the last wait resolved. */
  lastDoneMs: number;
  /** Per task, real ms from its end to the wait seeing it. */
  detection: number[];
  requestsPerSecond: number;
  failed: number;
}

async function once(
  mode: Run['mode'],
  count: number,
  scale: number,
  lasting: readonly [number, number],
  seed: number,
): Promise<Run> {
  const server = await startServer<{ ends: Record<string, number> }>('limited', [
    String(count),
    String(1000 / scale),
    String(lasting[0] / scale),
    String(lasting[1] / scale),
    String(seed),
  ]);
  try {
    const statuses = new Map<number, number>();
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      return response;
    };
    const client = createClient(postman, {
      baseUrl: server.url,
      token: 'PMAK-bench-0000000000',
      fetch: counting,
      retry: { retries: 3, minDelayMs: 500 / scale, maxDelayMs: 5000 / scale },
      wait: {
        minDelayMs: 1000 / scale,
        maxDelayMs: 30_000 / scale,
        maxEstimateDelayMs: 300_000 / scale,
        maxRetryAfterMs: 300_000 / scale,
        timeoutMs: 3_600_000 / scale,
      },
      // Postman's 300 per minute, scaled; the same burst: one (scaled) second's worth.
      ...(mode === 'budget' ? { rateLimit: { requestsPerSecond: 5 * scale, burst: 5 } } : { budget: false as const }),
    });
    const ends = server.info.ends;
    const started = Date.now();
    const detection: number[] = [];
    let failed = 0;
    await Promise.all(
      Object.keys(ends).map((id) =>
        client.wait({ kind: 'collection-update', taskId: id }).then(
          () => detection.push(Date.now() - (ends[id] as number)),
          () => {
            failed += 1;
          },
        ),
      ),
    );
    const lastDoneMs = Date.now() - started;
    const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
    return {
      mode,
      tasks: count,
      requests,
      throttled: statuses.get(429) ?? 0,
      lastDoneMs,
      detection,
      requestsPerSecond: requests / (lastDoneMs / 1000),
      failed,
    };
  } finally {
    await server.close();
  }
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const count = options.smoke ? 100 : 1000;
  const scale = options.smoke ? 50 : 10;
  // How long the tasks last: 30 s to 5 min (10 s to 1 min in smoke).
  const lasting = options.smoke ? ([10_000, 60_000] as const) : ([30_000, 300_000] as const);
  const withBudget = await once('budget', count, scale, lasting, 7);
  const without = await once('none', count, scale, lasting, 7);
  // Scaled seconds: real ms × S / 1000.
  const s = (ms: number) => (ms * scale) / 1000;
  const row = (name: string, r: Run) => [
    name,
    String(r.throttled),
    String(r.requests),
    fixed(r.requests / r.tasks, 1),
    `${fixed(s(r.lastDoneMs), 0)} s`,
    `${fixed(s(median(r.detection)), 0)} s / ${fixed(s(quantile(r.detection, 0.95)), 0)} s`,
    fixed(r.requestsPerSecond / scale, 1),
    String(r.failed),
  ];
  const fewer = 1 - withBudget.throttled / Math.max(1, without.throttled);
  const text = [
    `${count} concurrent waits on one Postman client, tasks lasting ${lasting[0] / 1000} s to ${lasting[1] / 1000} s; ` +
      `the server allows 5 requests/s per token (fixed windows) and answers the rest 429 with Retry-After and ` +
      `Postman's headers. Time scaled by ${scale}: figures in scaled seconds.`,
    '',
    table(
      [
        'run',
        '429s',
        'requests',
        'requests/task',
        'last task seen done',
        'detection p50 / p95',
        'requests/s (scaled)',
        'failed',
      ],
      [row('with the budget (default)', withBudget), row('without (budget: false)', without)],
    ),
    '',
    `The budget received ${fixed(fewer * 100, 1)} % fewer 429s; its last task was seen done at ` +
      `${fixed(withBudget.lastDoneMs / without.lastDoneMs, 2)}× the time without.`,
  ].join('\n');
  return {
    name: 'budget',
    title: 'Many waits on one rate-limited account (loopback, scaled time)',
    text,
    figures: {
      scale,
      tasks: count,
      withBudget: { ...withBudget, detection: undefined, detectionP50Ms: median(withBudget.detection) },
      without: { ...without, detection: undefined, detectionP50Ms: median(without.detection) },
    },
    goals: [
      {
        goal: 'at least 95 % fewer 429s with the budget than with independent waits',
        met: fewer >= 0.95,
        figure: `${withBudget.throttled} vs ${without.throttled} (${fixed(fewer * 100, 1)} % fewer)`,
      },
      {
        goal: 'the last task seen done no later with the budget',
        met: withBudget.lastDoneMs <= without.lastDoneMs,
        figure: `${fixed(s(withBudget.lastDoneMs), 0)} s vs ${fixed(s(without.lastDoneMs), 0)} s (scaled)`,
      },
    ],
  };
}

await main(import.meta.url, run);
