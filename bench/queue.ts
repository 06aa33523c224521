/**
 * Waits on BullMQ (taskwait/bullmq) against a real redis-server on a free port, persistence off.
 *
 * 1. Throughput: polls per second one Worker sustains (concurrency 50, tasks that keep running
 *    answered by an injected fetch, so the figure is the queue's cost, not a server's), against
 *    `client.poll()` called in a loop by 50 callers in this process (no queue).
 * 2. Redis commands per poll (INFO commandstats over the same window), and CPU per poll of this
 *    process and of redis-server.
 * 3. Redis memory per pending wait: INFO used_memory with N waits delayed after their first poll,
 *    against the same server empty; next to the bytes of one job's data.
 * 4. Latency: from the moment a fake task ends to its job's completion (QueueEvents), against
 *    `client.wait()` on the same tasks (same poll options, the loopback fake server), with 100
 *    tasks: few enough that the worker is not the bottleneck.
 *
 * Skipped (with a note) when redis-server is not installed. Run alone: `npx tsx bench/queue.ts [--smoke]`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { enqueueWait, waitProcessor } from '../src/bullmq/index.js';
import { createClient, type WaitState } from '../src/index.js';
import { fakeTask, mixpeekFake, startFakeServer } from '../src/testing/server.js';
import { mixpeek } from '../src/vendors/mixpeek/index.js';
import { findRedisServer, type RedisServer, startRedis } from '../test/helpers/redis.js';
import { main } from './lib/main.js';
import { type BenchResult, bytes, fixed, mean, quantile, ratio, table } from './lib/stats.js';

const RUNNING = JSON.stringify({
  task_id: 'task-0',
  task_type: 'api_buckets_batches_process',
  status: 'PROCESSING',
  inputs: ['batch_0'],
  outputs: null,
  additional_data: { job_id: 'ray_job_0', progress: { processed_documents: 5, total_documents: 100, percentage: 5 } },
});

/** A Mixpeek client whose every poll answers "still running", counted. */
function runningClient(wait: Record<string, number | boolean>) {
  const counter = { polls: 0 };
  const fetch: typeof globalThis.fetch = async () => {
    // An answer comes in a later turn of the event loop, as from a socket.
    await new Promise((resolve) => setImmediate(resolve));
    counter.polls++;
    return new Response(RUNNING, { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { client: createClient(mixpeek, { token: 'sk_bench_token', fetch, wait }), counter };
}

async function commandCalls(redis: RedisServer): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const [key, value] of await redis.info('commandstats')) {
    const count = /calls=(\d+)/.exec(value);
    if (count) calls.set(key.replace(/^cmdstat_/, ''), Number(count[1]));
  }
  return calls;
}

async function redisCpuMs(redis: RedisServer): Promise<number> {
  const cpu = await redis.info('cpu');
  return (Number(cpu.get('used_cpu_user')) + Number(cpu.get('used_cpu_sys'))) * 1000;
}

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

interface Throughput {
  concurrency: number;
  seconds: number;
  queuePollsPerSecond: number;
  directPollsPerSecond: number;
  commandsPerPoll: number;
  topCommands: [string, number][];
  workerCpuMsPerPoll: number;
  redisCpuMsPerPoll: number;
}

async function throughput(redis: RedisServer, concurrency: number, seconds: number): Promise<Throughput> {
  const wait = { minDelayMs: 1, maxDelayMs: 1, jitter: 0, estimate: false };
  const { client, counter } = runningClient(wait);
  const connection = redis.connection({ maxRetriesPerRequest: null });
  const queue = new Queue('bench-throughput', { connection });
  const jobs = concurrency * 2;
  await Promise.all(
    Array.from({ length: jobs }, (_, i) => enqueueWait(queue, { vendor: 'mixpeek', ref: `task_${i}`, wait })),
  );
  const worker = new Worker('bench-throughput', waitProcessor({ clients: { mixpeek: client } }), {
    connection,
    concurrency,
  });
  await sleep(1000);
  const [polls0, calls0, cpu0, redis0] = [counter.polls, await commandCalls(redis), cpuMs(), await redisCpuMs(redis)];
  await sleep(seconds * 1000);
  const [polls1, calls1, cpu1, redis1] = [counter.polls, await commandCalls(redis), cpuMs(), await redisCpuMs(redis)];
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();

  const polls = polls1 - polls0;
  const delta = [...calls1].map(([name, n]): [string, number] => [name, n - (calls0.get(name) ?? 0)]);
  // The two INFO calls of the measurement itself are left out.
  const commands = delta.reduce((sum, [name, n]) => sum + (name === 'info' ? 0 : n), 0);

  // The same polls without a queue: 50 callers each calling client.poll() in a loop.
  const direct = runningClient(wait);
  let stop = false;
  const loop = async (i: number) => {
    let state: WaitState | undefined;
    while (!stop) state = (await direct.client.poll(`task_${i}`, state ? { state } : {})).state;
  };
  const loops = Array.from({ length: concurrency }, (_, i) => loop(i));
  await sleep(500);
  const d0 = direct.counter.polls;
  await sleep(seconds * 1000);
  const d1 = direct.counter.polls;
  stop = true;
  await Promise.all(loops);

  return {
    concurrency,
    seconds,
    queuePollsPerSecond: polls / seconds,
    directPollsPerSecond: (d1 - d0) / seconds,
    commandsPerPoll: commands / polls,
    topCommands: delta
      .filter(([name]) => name !== 'info')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, n]) => [name, n / polls]),
    workerCpuMsPerPoll: (cpu1 - cpu0) / polls,
    redisCpuMsPerPoll: (redis1 - redis0) / polls,
  };
}

interface Memory {
  waits: number;
  bytesPerWait: number;
  jobDataBytes: number;
  jobKeyBytes: number;
}

async function memory(redis: RedisServer, waits: number): Promise<Memory> {
  await redis.command('FLUSHALL');
  const wait = { minDelayMs: 600_000, maxDelayMs: 600_000, jitter: 0, estimate: false };
  const { client, counter } = runningClient(wait);
  const connection = redis.connection({ maxRetriesPerRequest: null });
  const queue = new Queue('bench-memory', { connection });
  await queue.waitUntilReady();
  const before = Number((await redis.info('memory')).get('used_memory'));
  for (let at = 0; at < waits; at += 1000) {
    const ids = Array.from(
      { length: Math.min(1000, waits - at) },
      (_, i) => `task_${(at + i).toString(16).padStart(8, '0')}`,
    );
    await Promise.all(ids.map((ref) => enqueueWait(queue, { vendor: 'mixpeek', ref, data: { orderId: at }, wait })));
  }
  const worker = new Worker('bench-memory', waitProcessor({ clients: { mixpeek: client } }), {
    connection,
    concurrency: 50,
  });
  while (counter.polls < waits || (await queue.getDelayedCount()) < waits) await sleep(50);
  await worker.close();
  const after = Number((await redis.info('memory')).get('used_memory'));
  const [one] = await queue.getDelayed(0, 0);
  const key = `bull:bench-memory:${one?.id}`;
  const jobKeyBytes = Number(await redis.command('MEMORY', 'USAGE', key, 'SAMPLES', 0));
  const jobDataBytes = Buffer.byteLength(JSON.stringify(one?.data));
  await queue.obliterate({ force: true });
  await queue.close();
  return { waits, bytesPerWait: (after - before) / waits, jobDataBytes, jobKeyBytes };
}

interface Lag {
  p50: number;
  p95: number;
  mean: number;
  /** Of the mean: from the poll that saw the end to the wait's end (the rest is the schedule's). */
  afterPoll: number;
}

interface Latency {
  tasks: number;
  queue: Lag;
  inProcess: Lag;
}

async function latency(redis: RedisServer, tasks: number): Promise<Latency> {
  const wait = { minDelayMs: 50, maxDelayMs: 400, jitter: 0.2 };
  const server = await startFakeServer();
  const client = createClient(mixpeek, { baseUrl: server.url, token: 'sk_bench_token', wait });
  const runningMs = (i: number) => 300 + ((i * 397) % 1200);
  const make = (offset: number) =>
    Array.from({ length: tasks }, (_, i) =>
      fakeTask(mixpeekFake, { id: `task_${(offset + i).toString(16)}`, queuedPolls: 0, runningMs: runningMs(i) }),
    );
  // When task i ended: its first poll started its life, which then ran runningMs.
  type Task = ReturnType<typeof make>[number];
  const endOf = (task: Task, i: number) => (task.requests[0]?.at as number) + runningMs(i);
  const lastPoll = (task: Task) => task.requests[task.requests.length - 1]?.at as number;
  const summary = (list: Task[], doneAt: (i: number) => number): Lag => {
    const lags = list.map((task, i) => doneAt(i) - endOf(task, i));
    const afterPoll = mean(list.map((task, i) => doneAt(i) - lastPoll(task)));
    return { p50: quantile(lags, 0.5), p95: quantile(lags, 0.95), mean: mean(lags), afterPoll };
  };
  try {
    const direct = make(0x100000);
    server.add(...direct);
    const doneAt: number[] = [];
    await Promise.all(direct.map((task, i) => client.wait(task.ref).then(() => (doneAt[i] = Date.now()))));
    const inProcess = summary(direct, (i) => doneAt[i] as number);

    const queued = make(0x200000);
    server.add(...queued);
    const connection = redis.connection({ maxRetriesPerRequest: null });
    const queue = new Queue('bench-latency', { connection });
    const events = new QueueEvents('bench-latency', { connection });
    const worker = new Worker('bench-latency', waitProcessor({ clients: { mixpeek: client } }), {
      connection,
      concurrency: 50,
    });
    await events.waitUntilReady();
    const finished = new Map<string, number>();
    events.on('completed', ({ jobId }) => finished.set(jobId, Date.now()));
    const jobs = await Promise.all(queued.map((task) => enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref })));
    while (finished.size < tasks) await sleep(50);
    const lags = summary(queued, (i) => finished.get(jobs[i]?.id as string) as number);
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    return { tasks, queue: lags, inProcess };
  } finally {
    await server.close();
  }
}

const lagRow = (lag: Lag) => [fixed(lag.p50, 0), fixed(lag.p95, 0), fixed(lag.mean, 0), fixed(lag.afterPoll, 1)];

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  if (!findRedisServer()) {
    const text = 'SKIP: redis-server is not installed (apt-get install redis-server); no figures.';
    return { name: 'queue', title: 'Waits on BullMQ and Redis', text, figures: { skipped: true }, goals: [] };
  }
  const redis = await startRedis();
  try {
    const t = await throughput(redis, 50, options.smoke ? 1 : 10);
    const m = await memory(redis, options.smoke ? 200 : 10_000);
    const l = await latency(redis, options.smoke ? 20 : 100);
    const text = [
      `redis-server ${(await redis.info('server')).get('redis_version')} on loopback, persistence off; bullmq Worker in this process.`,
      '',
      table(
        ['throughput', 'polls/s', 'vs direct'],
        [
          [
            `one Worker, concurrency ${t.concurrency}, ${t.seconds} s`,
            fixed(t.queuePollsPerSecond, 0),
            ratio(t.queuePollsPerSecond / t.directPollsPerSecond),
          ],
          [
            `client.poll() by ${t.concurrency} callers, no queue (baseline)`,
            fixed(t.directPollsPerSecond, 0),
            ratio(1),
          ],
        ],
      ),
      '',
      table(
        ['per poll on the queue', 'value'],
        [
          ['Redis commands', fixed(t.commandsPerPoll, 2)],
          ...t.topCommands.map(([name, n]): [string, string] => [`  of which ${name}`, fixed(n, 2)]),
          ['worker process CPU (ms)', fixed(t.workerCpuMsPerPoll, 3)],
          ['redis-server CPU (ms)', fixed(t.redisCpuMsPerPoll, 3)],
        ],
      ),
      '',
      table(
        ['memory', 'value'],
        [
          [`Redis memory per pending wait (${m.waits} delayed after one poll)`, bytes(m.bytesPerWait)],
          ['  one job hash (MEMORY USAGE)', bytes(m.jobKeyBytes)],
          ['  its data as JSON (ref, options, your data, resume token)', bytes(m.jobDataBytes)],
        ],
      ),
      '',
      table(
        [
          `from a task's end to its wait's end (${l.tasks} tasks)`,
          'p50 ms',
          'p95 ms',
          'mean ms',
          'after the last poll',
        ],
        [
          ['client.wait() in process (baseline)', ...lagRow(l.inProcess)],
          ['job completed on the queue (QueueEvents)', ...lagRow(l.queue)],
        ],
      ),
      '',
      `The queue's lag is ${ratio(l.queue.mean / l.inProcess.mean)} the in-process one. Most of either is the schedule's (the poll after the end); from the poll that saw the end to the wait's end takes ${fixed(l.queue.afterPoll, 0)} ms on the queue (the completed event), ${fixed(l.inProcess.afterPoll, 1)} ms in process.`,
    ].join('\n');
    return {
      name: 'queue',
      title: 'Waits on BullMQ and Redis',
      text,
      figures: { throughput: t, memory: m, latency: l },
      goals: [
        {
          goal: 'a worker sustains at least 1,000 polls/s',
          met: t.queuePollsPerSecond >= 1000,
          figure: `${fixed(t.queuePollsPerSecond, 0)} polls/s`,
        },
        {
          goal: 'under 2 KiB of Redis memory per pending wait',
          met: m.bytesPerWait < 2048,
          figure: bytes(m.bytesPerWait),
        },
      ],
    };
  } finally {
    await redis.stop();
  }
}

await main(import.meta.url, run);
