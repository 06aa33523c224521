// wakeWait on a real Redis: a wait job delayed until its next poll is promoted by a push, and a
// worker polls the task at once. Workers in this process, the loopback fake server.
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWait, waitOutcome, waitProcessor, wakeWait } from '../../src/bullmq/index.js';
import { createClient } from '../../src/index.js';
import { type FakeServer, fakeTask, mixpeekFake, startFakeServer } from '../../src/testing/server.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { type RedisServer, redisAvailable, startRedis } from '../helpers/redis.js';

// A minute between polls unless woken.
const SLOW = { minDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0, estimate: false };

let redis: RedisServer;
let server: FakeServer;
let queueCount = 0;
const open: { close(): Promise<unknown> }[] = [];

async function setup() {
  const name = `wakes-${++queueCount}`;
  const connection = redis.connection({ maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  const client = createClient(mixpeek, { baseUrl: server.url, token: 'sk_test_wakeWait0001', wait: SLOW });
  const worker = new Worker(name, waitProcessor({ clients: { mixpeek: client } }), { connection, concurrency: 4 });
  open.push(worker, events, queue);
  await events.waitUntilReady();
  return { queue, events };
}

/** Resolves once job `id` is in `state`. */
async function reach(queue: Queue, id: string, state: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await (await queue.getJob(id))?.getState()) === state) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`job ${id} never reached ${state}`);
}

afterEach(async () => {
  for (const each of open.splice(0)) await each.close();
});

describe.skipIf(!redisAvailable())('wakeWait on Redis', () => {
  beforeAll(async () => {
    [redis, server] = await Promise.all([startRedis(), startFakeServer()]);
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
  });

  it('promotes a wait delayed until its next poll: a worker polls at once, and that poll ends it', async () => {
    const { queue, events } = await setup();
    const task = fakeTask(mixpeekFake, { queuedPolls: 1, progress: [] });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref });
    await reach(queue, job.id as string, 'delayed');
    expect(task.polls).toBe(1);
    expect(await wakeWait(queue, 'mixpeek', task.ref)).toBe('promoted');
    const outcome = await waitOutcome(queue, job.id as string, events, { ttlMs: 5000 });
    expect(outcome).toMatchObject({ status: 'completed', snapshot: { id: task.id, state: 'succeeded' } });
    expect(task.polls).toBe(2);
    expect(await wakeWait(queue, 'mixpeek', task.ref)).toBe('finished');
  });

  it('never ends a wait by itself: a woken poll that finds the task running delays the job again', async () => {
    const { queue } = await setup();
    const task = fakeTask(mixpeekFake, { queuedPolls: 3, progress: [] });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref });
    await reach(queue, job.id as string, 'delayed');
    expect(await wakeWait(queue, 'mixpeek', task.ref)).toBe('promoted');
    for (let i = 0; i < 400 && task.polls < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await reach(queue, job.id as string, 'delayed');
    expect(task.polls).toBe(2);
    expect(task.state).toBe('queued');
  });

  it('leaves a job a worker is polling to that poll, and promotes it after only if it did not end', async () => {
    const { queue } = await setup();
    // The second poll is answered 300 ms late, still queued.
    const task = fakeTask(mixpeekFake, { queuedPolls: 2, progress: [], faults: [{ on: 2, latencyMs: 300 }] });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref });
    await reach(queue, job.id as string, 'delayed');
    expect(await wakeWait(queue, 'mixpeek', task.ref)).toBe('promoted');
    await reach(queue, job.id as string, 'active');
    // Woken again during the slow poll: it waits for that poll, whose answer (queued) does not end the wait.
    expect(await wakeWait(queue, 'mixpeek', task.ref)).toBe('promoted');
    await reach(queue, job.id as string, 'completed');
    expect(task.polls).toBe(3);
  });

  it('lets the poll a worker is running be the check when its answer ends the wait: no extra poll', async () => {
    const { queue } = await setup();
    const task = fakeTask(mixpeekFake, { queuedPolls: 1, progress: [], faults: [{ on: 2, latencyMs: 300 }] });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref });
    await reach(queue, job.id as string, 'delayed');
    expect(await wakeWait(queue, 'mixpeek', task.ref)).toBe('promoted');
    await reach(queue, job.id as string, 'active');
    expect(await wakeWait(queue, 'mixpeek', task.ref)).toBe('finished');
    expect(task.polls).toBe(2);
    expect(task.state).toBe('succeeded');
  });

  it('finds nothing to wake for a task no wait was enqueued for', async () => {
    const { queue } = await setup();
    expect(await wakeWait(queue, 'mixpeek', 'task_nobody_waits_for')).toBe('missing');
    await expect(wakeWait(queue, '', 'x')).rejects.toMatchObject({ name: 'ConfigError', field: 'vendor' });
  });
});
