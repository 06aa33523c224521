/**
 * Pushes that wake a wait: Layer IQ tasks on the testing kit's loopback server, which POSTs a
 * signed webhook to a real endpoint (node:http, loopback) when each task ends; the endpoint calls
 * `wakeFromWebhook`, and the woken waits confirm with one GET. The same tasks (same durations) are
 * then awaited without the push, on the default schedule and on plain 1 s → 30 s backoff, each
 * against a fresh server. For each: requests per task and the detection delay (the task's end to
 * its wait resolving), with one GET's latency on the same server for scale: alone, and while the
 * pushed tasks run (the confirming GET runs among 200 tasks' pushes and GETs, so that is its fair
 * measure; both are printed). Everything runs in this process, as the example does
 * (examples/webhook-wake.ts).
 *
 * Run alone: `npx tsx bench/wake.ts [--smoke]`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type WaitDefaults } from '../src/index.js';
import { type FakeTask, fakeTask, layerIqFake, startFakeServer } from '../src/testing/server.js';
import { layerIq } from '../src/vendors/layer-iq/index.js';
import { main } from './lib/main.js';
import { seeded } from './lib/random.js';
import { type BenchResult, fixed, mean, median, quantile, ratio, table } from './lib/stats.js';

const SECRET = 'whsec_bench';

interface Run {
  name: string;
  requestsPerTask: number;
  delayMedianMs: number;
  delayP95Ms: number;
  /** With the push: the task's end to the push arriving, and the push to the wait resolving. */
  pushMedianMs?: number;
  confirmMedianMs?: number;
  /** Of the confirmation: the push arriving to its waits being woken (read, verify), then the GET. */
  verifyMedianMs?: number;
  getMedianMs?: number;
  /** One GET of another task on the same server while these tasks run, every 20 ms: its median. */
  loadedGetMedianMs?: number;
}

/** Awaits `durations.length` tasks at once on a fresh server; `push` wires the webhook endpoint. */
async function runOnce(name: string, durations: readonly number[], wait: WaitDefaults, push: boolean): Promise<Run> {
  const pushedAt = new Map<string, number>();
  const wokenAt = new Map<string, number>();
  let layer: ReturnType<typeof createClient<typeof layerIq>> | undefined;
  const endpoint = createServer(async (req, res) => {
    const receivedAt = Date.now();
    try {
      const { event } = await (layer as NonNullable<typeof layer>).wakeFromWebhook({
        payload: await rawBody(req),
        header: req.headers['x-layeriq-signature'] as string | undefined,
        secret: SECRET,
      });
      pushedAt.set(event.data.taskId, receivedAt);
      wokenAt.set(event.data.taskId, Date.now());
      res.writeHead(204).end();
    } catch {
      res.writeHead(400).end();
    }
  });
  endpoint.listen(0, '127.0.0.1');
  await once(endpoint, 'listening');
  const hookUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`;
  const tasks: FakeTask[] = durations.map((ms) => fakeTask(layerIqFake, { queuedMs: 0, runningMs: ms }));
  // A task that never ends, read now and then: one GET's latency under the same load.
  const probe = fakeTask(layerIqFake, { queuedMs: 3_600_000 });
  const server = await startFakeServer({
    tasks: [...tasks, probe],
    ...(push ? { webhooks: { url: hookUrl, secret: SECRET } } : {}),
  });
  layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_bench', wait });
  const loaded: number[] = [];
  let running = true;
  const probing = (async () => {
    const reader = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_bench' });
    while (running) {
      const t0 = performance.now();
      await reader.get(probe.ref);
      loaded.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const ends = await Promise.all(
      tasks.map(async (task) => {
        await layer?.wait(task.ref);
        return Date.now();
      }),
    );
    running = false;
    await probing;
    const delays = tasks.map((task, i) => (ends[i] as number) - (task.endsAt as number));
    const run: Run = {
      name,
      requestsPerTask: mean(tasks.map((t) => t.requests.length)),
      delayMedianMs: median(delays),
      delayP95Ms: quantile(delays, 0.95),
    };
    if (push) {
      run.pushMedianMs = median(tasks.map((t) => (pushedAt.get(t.id) ?? Number.NaN) - (t.endsAt as number)));
      run.confirmMedianMs = median(tasks.map((t, i) => (ends[i] as number) - (pushedAt.get(t.id) ?? Number.NaN)));
      run.verifyMedianMs = median(
        tasks.map((t) => (wokenAt.get(t.id) ?? Number.NaN) - (pushedAt.get(t.id) ?? Number.NaN)),
      );
      run.getMedianMs = median(tasks.map((t, i) => (ends[i] as number) - (wokenAt.get(t.id) ?? Number.NaN)));
      run.loadedGetMedianMs = median(loaded);
    }
    return run;
  } finally {
    running = false;
    await probing.catch(() => {});
    await server.close();
    endpoint.close();
  }
}

/** One GET's latency on a loopback server like the others (median and p95 of `count`). */
async function requestLatency(count: number): Promise<{ medianMs: number; p95Ms: number }> {
  const probe = fakeTask(layerIqFake, { queuedMs: 3_600_000 });
  const server = await startFakeServer({ tasks: [probe] });
  try {
    const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_bench' });
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await layer.get(probe.ref);
      times.push(performance.now() - t0);
    }
    return { medianMs: median(times.slice(count / 10)), p95Ms: quantile(times.slice(count / 10), 0.95) };
  } finally {
    await server.close();
  }
}

async function rawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const count = options.smoke ? 20 : 200;
  const [lowMs, highMs] = options.smoke ? [200, 1000] : [500, 5000];
  const rng = seeded(18);
  const durations = Array.from({ length: count }, () => Math.round(rng.between(lowMs, highMs)));
  const latency = await requestLatency(options.smoke ? 50 : 500);
  const runs = [
    // The push detects; the schedule is a safety net for a delivery that never comes.
    await runOnce(
      'push (wakeFromWebhook), safety-net polls every 60 s',
      durations,
      { minDelayMs: 60_000, maxDelayMs: 300_000 },
      true,
    ),
    await runOnce('no push, the default schedule', durations, {}, false),
    await runOnce('no push, plain backoff 1 s → 30 s', durations, { estimate: false }, false),
  ];
  const [pushed, byDefault] = runs as [Run, Run];
  const rows = runs.map((r) => [
    r.name,
    fixed(r.requestsPerTask, 2),
    ratio(r.requestsPerTask / byDefault.requestsPerTask),
    fixed(r.delayMedianMs, 0),
    ratio(r.delayMedianMs / byDefault.delayMedianMs),
    fixed(r.delayP95Ms, 0),
  ]);
  const confirm = pushed.confirmMedianMs ?? Number.NaN;
  const loadedGet = pushed.loadedGetMedianMs ?? Number.NaN;
  const text = [
    `${count} Layer IQ tasks at once, running ${lowMs / 1000} to ${highMs / 1000} s (uniform, seed 18), on the testing kit's`,
    'loopback server, which POSTs a signed webhook to a node:http endpoint on loopback when each ends.',
    `One GET on this server: median ${fixed(latency.medianMs, 1)} ms, p95 ${fixed(latency.p95Ms, 1)} ms alone; median ${fixed(loadedGet, 1)} ms while the pushed tasks run (another task, every 20 ms).`,
    '',
    table(['strategy', 'req/task', 'ratio', 'detect median ms', 'ratio', 'p95 ms'], rows),
    '',
    `With the push, the detection delay splits into the fake vendor's part (end → push received: median ${fixed(pushed.pushMedianMs ?? Number.NaN, 0)} ms,`,
    `a timer, an HMAC and a POST) and taskwait's (push received → wait resolved: median ${fixed(confirm, 0)} ms, the`,
    `signature check, the wake and one GET: ${ratio(confirm / latency.medianMs)} one GET's median latency). Of that, reading`,
    `and verifying the push until its waits are woken takes median ${fixed(pushed.verifyMedianMs ?? Number.NaN, 0)} ms, and woken → resolved (the GET, with`,
    `${count} tasks' pushes and GETs in flight in this process) median ${fixed(pushed.getMedianMs ?? Number.NaN, 0)} ms.`,
  ].join('\n');
  return {
    name: 'wake',
    title: 'Pushes that wake a wait (Layer IQ webhooks, loopback)',
    text,
    figures: { tasks: count, durationsMs: [lowMs, highMs], latency, runs },
    goals: [
      {
        goal: 'with a push, about 2 requests per task (≤ 2.1)',
        met: pushed.requestsPerTask <= 2.1,
        figure: `${fixed(pushed.requestsPerTask, 2)} requests per task (${fixed(byDefault.requestsPerTask, 2)} without the push, default schedule)`,
      },
      {
        goal: "with a push, detection ≈ one request's latency once the push arrives (median ≤ 3 × one GET under the same load)",
        met: confirm <= 3 * loadedGet,
        figure: `push → resolved median ${fixed(confirm, 1)} ms; one GET median ${fixed(loadedGet, 1)} ms under the same load, ${fixed(latency.medianMs, 1)} ms alone (${ratio(confirm / latency.medianMs)}); end → resolved median ${fixed(pushed.delayMedianMs, 0)} ms vs ${fixed(byDefault.delayMedianMs, 0)} ms without the push`,
      },
    ],
  };
}

await main(import.meta.url, run);
