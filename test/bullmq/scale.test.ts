// 10,000 waits on a real Redis, three worker processes (examples/queue-worker.ts), the loopback
// fake server at a 20 % fault rate (5xx, 429 with Retry-After, dropped connections). One worker
// is killed with SIGKILL midway and another started. Every wait must reach the outcome its fake
// task was given, onSettled must have run for every job, and the requests per task must stay
// within 10 % of in-process waits on the same tasks. TASKWAIT_QUEUE_WAITS picks another size.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWait, type WaitJobData, waitJobId } from '../../src/bullmq/index.js';
import { type BaseClient, createClient, type TaskSnapshot, type TaskState } from '../../src/index.js';
import {
  type AnyFakeTask,
  type FakeServer,
  type FaultRule,
  fakeTask,
  startFakeServer,
} from '../../src/testing/server.js';
import { type QueueWorkerConfig, startWorker, type WorkerProcess } from '../helpers/queue-workers.js';
import { type RedisServer, redisAvailable, startRedis } from '../helpers/redis.js';
import { pool, VENDOR_CASES } from '../helpers/reliability.js';

const WAITS = Number(process.env.TASKWAIT_QUEUE_WAITS ?? 10_000);
const WORKERS = 3;
const CONCURRENCY = 40;
// Six fault rules that each draw on every request: 1 - (1 - share)^6 = 20 % of requests go wrong.
const SHARE = 1 - 0.8 ** (1 / 6);
const FAULTS: FaultRule[] = [
  { rate: SHARE, status: 500 },
  { rate: SHARE, status: 503 },
  { rate: SHARE, status: 502 },
  { rate: SHARE, rateLimit: 0.05, retryHeaders: 'vendor' },
  { rate: SHARE, rateLimit: 0.05, retryHeaders: 'standard' },
  { rate: SHARE, drop: true },
];
const WAIT = { minDelayMs: 5, maxDelayMs: 40, jitter: 0.2 };
const RETRY = { retries: 2, minDelayMs: 2, maxDelayMs: 10 };
// About 100 s on an idle 2-core machine; a loaded one (other work beside the tests) took 2.5× that.
const TIME_LIMIT_MS = 480_000;

/** The `i`-th wait: its vendor, its fake task's life and outcome, its faults. Ids differ by `offset`. */
function taskFor(i: number, offset: number): { vendor: string; outcome: TaskState; task: AnyFakeTask } {
  const vendor = VENDOR_CASES[i % VENDOR_CASES.length] as (typeof VENDOR_CASES)[number];
  const outcomes = vendor.fake.outcomes;
  const outcome = outcomes[Math.floor(i / VENDOR_CASES.length) % outcomes.length] as TaskState;
  const task = fakeTask(vendor.fake, {
    id: vendor.id(offset + i),
    queuedPolls: i % 4 === 0 ? 1 : 0,
    progress: [0.5],
    outcome,
    faults: FAULTS,
    seed: i + 1,
  });
  return { vendor: vendor.name, outcome, task };
}

let redis: RedisServer;
let server: FakeServer;
let queue: Queue | undefined;
const workers: WorkerProcess[] = [];
let dir: string;

describe.skipIf(!redisAvailable())(`${WAITS} waits on Redis, 3 worker processes, one killed midway`, () => {
  beforeAll(async () => {
    [redis, server] = await Promise.all([startRedis(), startFakeServer()]);
    dir = mkdtempSync(join(tmpdir(), 'taskwait-scale-'));
  });
  afterAll(async () => {
    for (const worker of workers) await worker.kill().catch(() => undefined);
    await queue?.close();
    await server?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings every wait to its outcome, none lost or stuck, at the requests of in-process waits', async () => {
    const started = Date.now();
    const name = 'scale';
    const settledLog = join(dir, 'settled.log');
    const config: QueueWorkerConfig = {
      redis: { host: redis.host, port: redis.port },
      queue: name,
      baseUrl: server.url,
      concurrency: CONCURRENCY,
      settledLog,
      lockDurationMs: 4000,
      wait: WAIT,
      retry: RETRY,
      // The faults' 429s come at random, at a rate no real server throttles at: a request budget
      // would (rightly) slow every request of a client after each, and this test would measure it.
      budget: false,
    };
    const waits = Array.from({ length: WAITS }, (_, i) => taskFor(i, 0));
    server.add(...waits.map((w) => w.task));
    queue = new Queue(name, { connection: redis.connection() });
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startWorker(config)))));

    const chunks = Array.from({ length: Math.ceil(WAITS / 500) }, (_, c) => waits.slice(c * 500, c * 500 + 500));
    for (const chunk of chunks) {
      await Promise.all(chunk.map((w) => enqueueWait(queue as Queue, { vendor: w.vendor, ref: w.task.ref })));
    }

    // The same tasks, awaited in this process at the same time: the baseline of the requests per task.
    const baseline = Array.from({ length: WAITS }, (_, i) => taskFor(i, 5_000_000));
    server.add(...baseline.map((w) => w.task));
    const clients = new Map<string, BaseClient<unknown, TaskSnapshot>>(
      VENDOR_CASES.map((v) => [
        v.name,
        createClient(v.vendor, { baseUrl: server.url, token: v.token, wait: WAIT, retry: RETRY, budget: false }),
      ]),
    );
    const t0 = Date.now();
    const sameInProcess = pool(
      baseline.map(
        (w) => () =>
          (clients.get(w.vendor) as BaseClient<unknown, TaskSnapshot>).wait(w.task.ref, { throwOnFailure: false }),
      ),
      WORKERS * CONCURRENCY,
    ).then((ends) => ({ ends, ms: Date.now() - t0 }));

    // Watch the queue; a third of the way through, kill a worker as a crash would and start another.
    let killedAt = -1;
    let settled = 0;
    while (settled < WAITS && Date.now() - started < TIME_LIMIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const counts = await queue.getJobCounts('completed', 'failed');
      settled = (counts.completed ?? 0) + (counts.failed ?? 0);
      if (killedAt < 0 && settled >= WAITS / 3) {
        killedAt = settled;
        await (workers[0] as WorkerProcess).kill();
        workers.push(await startWorker(config));
      }
    }
    const queueMs = Date.now() - started;
    const stuck = await queue.getJobCounts('active', 'wait', 'delayed', 'prioritized');
    expect({ settled, stuck }).toEqual({ settled: WAITS, stuck: { active: 0, wait: 0, delayed: 0, prioritized: 0 } });

    // Every worker still running closes on SIGTERM and exits by itself: no connection or timer left.
    const ends = await Promise.all(workers.slice(1).map((worker) => worker.stop(20_000)));
    expect(ends).toEqual(ends.map(() => ({ code: 0, signal: null, forced: false })));
    expect(await (workers[0] as WorkerProcess).exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Each job's outcome is its task's.
    const seen = new Map<string, { status: string; state: TaskState | undefined }>();
    for (const status of ['completed', 'failed'] as const) {
      for (let at = 0; ; at += 1000) {
        const jobs = (await queue.getJobs([status], at, at + 999, true)) as Job<WaitJobData, TaskSnapshot>[];
        for (const job of jobs) {
          const state = status === 'completed' ? job.returnvalue.state : job.data.outcome?.snapshot?.state;
          seen.set(job.id as string, { status, state });
        }
        if (jobs.length < 1000) break;
      }
    }
    const wrong = waits.filter((w) => {
      const got = seen.get(waitJobId(w.vendor, w.task.ref));
      const status = w.outcome === 'failed' || w.outcome === 'canceled' ? 'failed' : 'completed';
      return got?.status !== status || got.state !== w.outcome || w.task.state !== w.outcome;
    });
    expect(wrong.map((w) => `${w.vendor} ${w.task.id} ${w.outcome}`)).toEqual([]);

    // onSettled: at least once per job; a few twice (the jobs in the hands of the killed worker).
    const calls = new Map<string, number>();
    for (const line of readFileSync(settledLog, 'utf8').split('\n')) {
      if (line) calls.set(line.split(' ')[0] as string, (calls.get(line.split(' ')[0] as string) ?? 0) + 1);
    }
    expect(calls.size).toBe(WAITS);
    const twice = [...calls.values()].filter((n) => n > 1).length;
    expect(twice).toBeLessThanOrEqual(CONCURRENCY);

    // The same tasks, awaited in this process (while the queue ran).
    const { ends: inProcess, ms: inProcessMs } = await sameInProcess;
    expect(inProcess.map((r) => (r.status === 'fulfilled' ? r.value.state : 'rejected'))).toEqual(
      baseline.map((w) => w.outcome),
    );

    const requests = (list: typeof waits) => list.reduce((sum, w) => sum + w.task.requests.length, 0);
    const perTask = requests(waits) / WAITS;
    const perTaskInProcess = requests(baseline) / WAITS;
    const faults = waits.reduce((sum, w) => sum + w.task.requests.filter((r) => r.fault).length, 0);
    console.log(
      [
        `${WAITS} waits on BullMQ: ${queueMs} ms with ${WORKERS} workers × ${CONCURRENCY} (one SIGKILLed at ${killedAt} settled, one started)`,
        `requests per task: ${perTask.toFixed(3)} on the queue, ${perTaskInProcess.toFixed(3)} in process (ratio ${(perTask / perTaskInProcess).toFixed(3)}); faults injected: ${((faults / requests(waits)) * 100).toFixed(1)} % of requests`,
        `onSettled: ${calls.size} jobs, ${twice} ran it twice; in-process waits: ${inProcessMs} ms`,
      ].join('\n'),
    );
    expect(perTask / perTaskInProcess).toBeGreaterThanOrEqual(0.9);
    expect(perTask / perTaskInProcess).toBeLessThanOrEqual(1.1);

    // Nothing left connected but this test's own admin connection, once the queue is closed.
    await queue.close();
    queue = undefined;
    const clientsLeft = await redis.info('clients');
    expect(clientsLeft.get('connected_clients')).toBe('1');
  }, 600_000);
});
