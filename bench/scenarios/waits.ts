/**
 * The many-waits scenario, run bundled by bench/waits.ts: prints one JSON line of figures.
 * Argument: the number of waits, and the seconds to keep them polling.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const count = Number(process.argv[2] ?? 10_000);
const activeSeconds = Number(process.argv[3] ?? 10);

const BODY = JSON.stringify({
  task_id: 'task-0',
  task_type: 'api_buckets_batches_process',
  status: 'PROCESSING',
  inputs: ['batch_0'],
  outputs: null,
  additional_data: { job_id: 'ray_job_0', progress: { processed_documents: 5, total_documents: 100, percentage: 5 } },
});

let calls = 0;
const fakeFetch: typeof fetch = async () => {
  calls++;
  return new Response(BODY, { status: 200, headers: { 'content-type': 'application/json' } });
};

const gc = globalThis.gc as () => void;
/** The heap after full GCs, with time between them for finalizers (undici frees a request's signal in one). */
async function heap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(20);
  }
  gc();
  return process.memoryUsage().heapUsed;
}

async function until(test: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('waits: timed out waiting for the polls');
    await sleep(10);
  }
}

const client = createClient(mixpeek, { token: 'sk_bench', fetch: fakeFetch });

/** Starts `count` waits sharing one abort signal; resolves to how many rejected with its reason. */
function startWaits(sleepMs?: number): { done: Promise<number>; abort: () => void } {
  const control = new AbortController();
  const options = sleepMs === undefined ? {} : { minDelayMs: sleepMs, maxDelayMs: sleepMs };
  let aborted = 0;
  const count1 = (error: unknown) => {
    if (error === control.signal.reason) aborted++;
  };
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    all.push(client.wait(`task-${i}`, { signal: control.signal, ...options }).catch(count1));
  }
  return { done: Promise.all(all).then(() => aborted), abort: () => control.abort() };
}

await client.get('task-warm');

/** Heap before, with every wait asleep (a long first delay, so that none polls meanwhile), after their abort. */
async function asleepHeap(): Promise<{ before: number; pending: number; after: number; aborted: number }> {
  calls = 0;
  const before = await heap();
  const asleep = startWaits(600_000);
  await until(() => calls >= count);
  await sleep(50);
  const pending = await heap();
  asleep.abort();
  const aborted = await asleep.done;
  return { before, pending, after: await heap(), aborted };
}

// 1. Memory. The first batch also pays for what a process pays once: the JIT's code for the wait's
// paths, compiled while they start. The second batch is what each further wait costs.
const first = await asleepHeap();
const { before, pending, after, aborted } = await asleepHeap();

// 2. Responsiveness: the idle loop, then the waits polling on the default schedule.
const idle = monitorEventLoopDelay({ resolution: 10 });
idle.enable();
await sleep(1000);
idle.disable();
calls = 0;
const busy = monitorEventLoopDelay({ resolution: 10 });
busy.enable();
const started = Date.now();
const active = startWaits();
const startupMs = Date.now() - started;
await sleep(activeSeconds * 1000);
busy.disable();
const polls = calls;
const elapsed = (Date.now() - started) / 1000;
active.abort();
await active.done;
const leftovers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;

const ms = (ns: number) => ns / 1e6;
const loop = (h: ReturnType<typeof monitorEventLoopDelay>) => ({
  p50: ms(h.percentile(50)),
  p99: ms(h.percentile(99)),
  max: ms(h.max),
});
console.log(
  JSON.stringify({
    waits: count,
    heapBefore: before,
    heapPending: pending,
    bytesPerWait: (pending - before) / count,
    bytesPerFirstWait: (first.pending - first.before) / count,
    heapAfter: after,
    aborted,
    startupMs,
    pollsPerSecond: polls / elapsed,
    idle: loop(idle),
    busy: loop(busy),
    leftovers,
  }),
);
