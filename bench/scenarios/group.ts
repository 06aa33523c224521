/**
 * The wait-group scenario, run bundled by bench/group.ts: prints one JSON line of figures.
 * Argument: the number of tasks. Every task answers "running" (an injected fetch, no sockets),
 * and every first delay is long, so that all of them sleep while the heap is measured.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const count = Number(process.argv[2] ?? 10_000);

const BODY = JSON.stringify({
  task_id: 'task-0',
  task_type: 'api_buckets_batches_process',
  status: 'PROCESSING',
  additional_data: { job_id: 'ray_job_0' },
});
let calls = 0;
const fakeFetch: typeof fetch = async () => {
  calls++;
  return new Response(BODY, { status: 200, headers: { 'content-type': 'application/json' } });
};

const gc = globalThis.gc as () => void;
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
    if (Date.now() > deadline) throw new Error('group: timed out waiting for the first polls');
    await sleep(10);
  }
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const client = createClient(mixpeek, { token: 'sk_bench', fetch: fakeFetch });
const ids = Array.from({ length: count }, (_, i) => `task-${i}`);
const asleep = { minDelayMs: 600_000, maxDelayMs: 600_000 };
await client.get('task-warm');

/** Starts the tasks one way; measures the heap and the timers once all of them sleep. */
async function measure(start: (signal: AbortSignal) => Promise<unknown>) {
  calls = 0;
  const before = await heap();
  const timersBefore = timers();
  const control = new AbortController();
  const done = start(control.signal).catch(() => {});
  await until(() => calls >= count);
  await sleep(50);
  const pending = await heap();
  const timersPending = timers() - timersBefore;
  control.abort();
  await done;
  await sleep(20);
  return { bytesPerTask: (pending - before) / count, timers: timersPending, left: timers() - timersBefore };
}

const group = await measure((signal) => client.waitAll(ids, { ...asleep, signal }));
const separate = await measure((signal) => Promise.all(ids.map((id) => client.wait(id, { ...asleep, signal }))));
console.log(JSON.stringify({ tasks: count, group, separate }));
