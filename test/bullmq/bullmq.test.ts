// taskwait/bullmq on a real Redis (redis-server on a free port, persistence off) and the loopback
// fake server: workers in this process, one poll per run, BullMQ's delayed jobs in between.
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueWait,
  type WaitJobData,
  type WaitProcessorOptions,
  waitJobId,
  waitOutcome,
  waitProcessor,
} from '../../src/bullmq/index.js';
import { createClient, decodeState } from '../../src/index.js';
import {
  anaplanFake,
  type FakeServer,
  fakeTask,
  mixpeekFake,
  postmanFake,
  startFakeServer,
} from '../../src/testing/server.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { postman } from '../../src/vendors/postman/index.js';
import { type RedisServer, redisAvailable, startRedis } from '../helpers/redis.js';

const TOKENS = { mixpeek: 'sk_test_bullmqSecret0001', postman: 'PMAK-bullmqSecret0002', anaplan: 'AnaplanBullmq0003' };
const FAST = { minDelayMs: 5, maxDelayMs: 20, jitter: 0 };

let redis: RedisServer;
let server: FakeServer;
let queueCount = 0;
const open: { close(): Promise<unknown> }[] = [];
// What the queue, its events and its workers reported: nothing, unless Redis went away.
let errors: Error[] = [];

function clients(retries = 0) {
  const options = { baseUrl: server.url, wait: FAST, retry: { retries, minDelayMs: 1, maxDelayMs: 2 } };
  return {
    mixpeek: createClient(mixpeek, { ...options, token: TOKENS.mixpeek }),
    postman: createClient(postman, { ...options, token: TOKENS.postman }),
    anaplan: createClient(anaplan, { ...options, token: TOKENS.anaplan }),
  };
}

/** A fresh queue, its events, and workers on it; all closed after the test. */
async function setup(
  processor: Partial<WaitProcessorOptions> = {},
  workers = 1,
  limiter?: { max: number; duration: number },
) {
  const name = `waits-${++queueCount}`;
  const connection = redis.connection({ maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  // Each pending waitOutcome (BullMQ's waitUntilFinished) listens for the queue's closing.
  queue.setMaxListeners(100);
  const events = new QueueEvents(name, { connection });
  const running: Worker[] = [];
  for (let i = 0; i < workers; i++) {
    running.push(
      new Worker(name, waitProcessor({ clients: clients(), ...processor }), {
        connection,
        concurrency: 8,
        ...(limiter ? { limiter } : {}),
      }),
    );
  }
  for (const emitter of [queue, events, ...running]) {
    (emitter as Worker).on('error', (error: Error) => errors.push(error));
  }
  open.push(...running, events, queue);
  await events.waitUntilReady();
  return { queue, events, workers: running };
}

afterEach(async () => {
  for (const each of open.splice(0)) await each.close();
  errors = [];
});

describe.skipIf(!redisAvailable())('taskwait/bullmq on Redis', () => {
  beforeAll(async () => {
    [redis, server] = await Promise.all([startRedis(), startFakeServer()]);
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
  });

  it('polls once per run and leaves the job delayed in between, then completes with the snapshot', async () => {
    const { queue, events } = await setup();
    const task = fakeTask(mixpeekFake, { queuedPolls: 2, progress: [0.5], outcome: 'partial' });
    server.add(task);
    const delayed: string[] = [];
    events.on('delayed', ({ jobId }) => delayed.push(jobId));
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref, data: { orderId: 42 } });
    const outcome = await waitOutcome(queue, job.id as string, events);
    expect(outcome).toMatchObject({
      status: 'completed',
      jobId: waitJobId('mixpeek', task.ref),
      vendor: 'mixpeek',
      ref: task.ref,
      data: { orderId: 42 },
      snapshot: { vendor: 'mixpeek', id: task.id, state: 'partial', terminal: true },
    });
    expect(task.polls).toBe(4);
    expect(delayed).toEqual([job.id, job.id, job.id]);
    const done = (await queue.getJob(job.id as string)) as Job<WaitJobData>;
    expect(done.returnvalue.state).toBe('partial');
    expect(done.data.state?.polls).toBe(3);
    // Delaying a job is not an attempt: the four runs count as one.
    expect(done.attemptsMade).toBe(1);
    expect(errors).toEqual([]);
  });

  it('fails a task that failed or was canceled with its snapshot, and does not retry it', async () => {
    const { queue, events } = await setup();
    const failing = fakeTask(mixpeekFake, { queuedPolls: 1, progress: [0.2], outcome: 'failed', error: 'bad input' });
    const canceled = fakeTask(mixpeekFake, { queuedPolls: 0, progress: [0.2], outcome: 'canceled' });
    server.add(failing, canceled);
    const jobs = await Promise.all(
      [failing, canceled].map((task) => enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref })),
    );
    const outcomes = await Promise.all(jobs.map((job) => waitOutcome(queue, job.id as string, events)));
    expect(outcomes.map((o) => [o.status, o.status === 'failed' && o.error.name, o.snapshot?.state])).toEqual([
      ['failed', 'TaskFailedError', 'failed'],
      ['failed', 'TaskFailedError', 'canceled'],
    ]);
    expect(outcomes[0]).toMatchObject({
      error: { message: `mixpeek task ${failing.id} failed (status FAILED): bad input` },
    });
    const first = (await queue.getJob(jobs[0]?.id as string)) as Job;
    expect(first.failedReason).toBe(`mixpeek task ${failing.id} failed (status FAILED): bad input`);
    expect(first.attemptsMade).toBe(1);
    expect([failing.polls, canceled.polls]).toEqual([3, 2]);
  });

  it('fails a wait past its timeoutMs with a resume token that goes on where it stopped', async () => {
    const { queue, events } = await setup();
    const task = fakeTask(mixpeekFake, { phases: [{ state: 'running', polls: 1000, progress: 0.4 }] });
    server.add(task);
    const wait = { timeoutMs: 600, minDelayMs: 50, maxDelayMs: 50 };
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref, wait });
    const outcome = await waitOutcome(queue, job.id as string, events);
    if (outcome.status !== 'failed') throw new Error('expected a failed outcome');
    const state = decodeState(outcome.resumeToken as string, 'mixpeek');
    expect(outcome.error.name).toBe('WaitTimeoutError');
    expect(outcome.error.message).toBe(
      `mixpeek task ${task.id} did not finish within 600 ms after ${state.polls} polls; last seen running (PROCESSING)`,
    );
    expect(state).toMatchObject({ startedAt: job.timestamp, last: { state: 'running' } });
    expect(state.polls).toBeGreaterThanOrEqual(1);

    // Enqueued again from the token: a job of its own, with its own timeout, counting on from there.
    const resumeFrom = outcome.resumeToken;
    const again = await enqueueWait(queue, {
      vendor: 'mixpeek',
      ref: task.ref,
      wait: { ...wait, timeoutMs: 1500 },
      resumeFrom,
    });
    expect(again.id).toBe(`${job.id}-resumed-${state.polls}`);
    const second = await waitOutcome(queue, again.id as string, events);
    if (second.status !== 'failed') throw new Error('expected a failed outcome');
    const next = decodeState(second.resumeToken as string, 'mixpeek');
    expect(next.startedAt).toBe(job.timestamp);
    expect(next.polls).toBeGreaterThan(state.polls);
  });

  it('reschedules transient faults on the poller’s schedule, obeying Retry-After', async () => {
    const { queue, events } = await setup();
    const task = fakeTask(mixpeekFake, {
      queuedPolls: 0,
      progress: [0.5],
      faults: [
        { on: 1, status: 503 },
        { on: 2, drop: true },
        { on: 3, rateLimit: 0.3, retryHeaders: 'standard' },
      ],
    });
    server.add(task);
    const delays: number[] = [];
    events.on('delayed', ({ delay }) => delays.push(Number(delay)));
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref });
    const outcome = await waitOutcome(queue, job.id as string, events);
    expect(outcome.status).toBe('completed');
    expect(task.requests.map((r) => r.fault ?? r.status)).toEqual(['status', 'drop', 'rateLimit', 200, 200]);
    // The third delay waits out the 429's Retry-After (300 ms) from the moment of that answer.
    const answered = task.requests[2]?.at as number;
    expect(delays).toHaveLength(4);
    expect((delays[2] as number) - answered).toBeGreaterThanOrEqual(300);
    const done = (await queue.getJob(job.id as string)) as Job<WaitJobData>;
    expect(done.data.state?.attempt).toBe(4);
  });

  it('fails at once on a 4xx and on a response that fails its schema', async () => {
    const { queue, events } = await setup();
    const broken = fakeTask(mixpeekFake, { payload: (body) => ({ ...(body as object), status: 42 }) });
    server.add(broken);
    const missing = 'task_doesnotexist';
    const jobs = await Promise.all([
      enqueueWait(queue, { vendor: 'mixpeek', ref: missing }),
      enqueueWait(queue, { vendor: 'mixpeek', ref: broken.ref }),
    ]);
    const [gone, invalid] = await Promise.all(jobs.map((job) => waitOutcome(queue, job.id as string, events)));
    expect(gone).toMatchObject({ status: 'failed', error: { name: 'HttpError', status: 404 } });
    expect(invalid).toMatchObject({ status: 'failed', error: { name: 'ResponseValidationError', reason: 'schema' } });
    expect(server.requests.filter((r) => r.path === `/v1/tasks/${missing}`)).toHaveLength(1);
    expect(broken.requests).toHaveLength(1);
  });

  it('passes a job’s wait options to its client, which refuses bad ones before any request', async () => {
    const { queue, events } = await setup();
    const task = fakeTask(mixpeekFake, { queuedPolls: 0, progress: [0.5] });
    server.add(task);
    const bad = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref, wait: { schedule: 'fast' as never } });
    expect(await waitOutcome(queue, bad.id as string, events)).toMatchObject({
      status: 'failed',
      error: { name: 'ConfigError', field: 'schedule' },
    });
    expect(task.requests).toHaveLength(0);
    const good = await enqueueWait(
      queue,
      { vendor: 'mixpeek', ref: task.ref, wait: { schedule: 'economy', minDelayMs: 7 } },
      { jobId: 'economy-wait' },
    );
    expect(await waitOutcome(queue, good.id as string, events)).toMatchObject({ status: 'completed' });
    expect(((await queue.getJob('economy-wait')) as Job<WaitJobData>).data.wait).toEqual({
      schedule: 'economy',
      minDelayMs: 7,
    });
    expect(task.polls).toBe(2);
  });

  it('awaits the same vendor and reference once, whatever the key order of the reference', async () => {
    const { queue, events } = await setup();
    const task = fakeTask(anaplanFake, { queuedPolls: 1, progress: [0.5] });
    server.add(task);
    const ref = task.ref as Record<string, string>;
    const reordered = Object.fromEntries(Object.entries(ref).reverse());
    const [a, b] = await Promise.all([
      enqueueWait(queue, { vendor: 'anaplan', ref }),
      enqueueWait(queue, { vendor: 'anaplan', ref: reordered }),
    ]);
    expect(a.id).toBe(b.id);
    await waitOutcome(queue, a.id as string, events);
    expect(task.polls).toBe(3);
    expect(await queue.getJobCounts('completed', 'failed', 'delayed', 'wait')).toEqual({
      completed: 1,
      failed: 0,
      delayed: 0,
      wait: 0,
    });
  });

  it('fails a job of an unknown vendor or with a corrupted resume token, and the queue goes on', async () => {
    const { queue, events } = await setup();
    const good = fakeTask(postmanFake, { queuedPolls: 0, progress: [0.5] });
    server.add(good);
    const unknown = await enqueueWait(queue, { vendor: 'acme', ref: 'job-1' });
    const corrupted = await queue.add('mixpeek', { vendor: 'mixpeek', ref: 'task_x', state: { v: 1, polls: 'many' } });
    const garbage = await queue.add('mixpeek', 'not a wait');
    const halfSettled = await queue.add('mixpeek', {
      vendor: 'mixpeek',
      ref: 'task_y',
      pending: { status: 'completed', vendor: 'mixpeek' },
    });
    const after = await enqueueWait(queue, { vendor: 'postman', ref: good.ref });
    const [a, b, c, e, d] = await Promise.all(
      [unknown, corrupted, garbage, halfSettled, after].map((job) => waitOutcome(queue, job.id as string, events)),
    );
    expect(a).toMatchObject({
      status: 'failed',
      error: {
        name: 'ConfigError',
        field: 'vendor',
        message:
          'no client for vendor "acme" in this worker (it has mixpeek, postman, anaplan): add one to waitProcessor({ clients })',
      },
    });
    expect(b).toMatchObject({
      status: 'failed',
      error: {
        name: 'ConfigError',
        field: 'state',
        message:
          "the job's resume token is unusable: resumeFrom is not a valid resume token (bad fields: vendor, ref, startedAt, polls, attempt, history)",
      },
    });
    expect(c).toMatchObject({ status: 'failed', error: { name: 'ConfigError', field: 'data' } });
    expect(Object.keys((await queue.getJob(garbage.id as string))?.data)).toEqual(['outcome']);
    expect(e).toMatchObject({
      status: 'failed',
      error: {
        name: 'ConfigError',
        field: 'data',
        message: "the job's data is not a wait (bad fields: pending.snapshot)",
      },
    });
    expect(d).toMatchObject({ status: 'completed', snapshot: { state: 'succeeded' } });
    expect(server.requests.filter((r) => /\/task_[xy]$/.test(r.path))).toHaveLength(0);
  });

  it('calls onSettled with the job id and your data, again after a throw, before the job ends', async () => {
    const calls: { jobId: string; attempt: number; data: unknown; completedYet: boolean }[] = [];
    let queueRef: Queue | undefined;
    const { queue, events } = await setup({
      onSettled: async (outcome, { attempt }) => {
        const state = await queueRef?.getJobState(outcome.jobId);
        calls.push({ jobId: outcome.jobId, attempt, data: outcome.data, completedYet: state === 'completed' });
        if (attempt === 1) throw new Error('the database is down');
      },
    });
    queueRef = queue;
    const task = fakeTask(mixpeekFake, { queuedPolls: 0, progress: [0.5] });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref, data: { orderId: 7 } });
    const outcome = await waitOutcome(queue, job.id as string, events);
    expect(outcome.status).toBe('completed');
    expect(calls).toEqual([
      { jobId: job.id, attempt: 1, data: { orderId: 7 }, completedYet: false },
      { jobId: job.id, attempt: 2, data: { orderId: 7 }, completedYet: false },
    ]);
    // The outcome was kept for the second call: the task was not polled again.
    expect(task.polls).toBe(2);
  });

  it('settles the job without onSettled once it has thrown settleAttempts times, and logs why', async () => {
    let calls = 0;
    const { queue, events } = await setup({
      settleAttempts: 3,
      onSettled: () => {
        calls += 1;
        throw new Error(`no luck ${calls} with token=sk_test_leakedInCallback`);
      },
    });
    const task = fakeTask(mixpeekFake, { queuedPolls: 0, progress: [0.5], outcome: 'failed' });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref });
    const outcome = await waitOutcome(queue, job.id as string, events);
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'TaskFailedError' } });
    expect(calls).toBe(3);
    const { logs } = await queue.getJobLogs(job.id as string);
    expect(logs).toEqual(['onSettled threw 3 times; the job settles without it: no luck 3 with token[REDACTED]']);
  });

  it('calls onSettled again when a call runs past settleTimeoutMs, aborting its signal', async () => {
    const reasons: unknown[] = [];
    const { queue, events } = await setup({
      settleTimeoutMs: 150,
      onSettled: (_outcome, { signal, attempt }) =>
        attempt === 1
          ? new Promise<void>(() => signal.addEventListener('abort', () => reasons.push(signal.reason)))
          : undefined,
    });
    const task = fakeTask(mixpeekFake, { queuedPolls: 0, progress: [0.5] });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref });
    expect(await waitOutcome(queue, job.id as string, events)).toMatchObject({ status: 'completed' });
    expect(reasons.map((r) => (r as Error).message)).toEqual(['onSettled did not finish within 150 ms']);
    expect(((await queue.getJob(job.id as string)) as Job<WaitJobData>).data.settleFailures).toBe(1);
  });

  it('says so when asked for the outcome of a job that is not there', async () => {
    const { queue, events } = await setup();
    await expect(waitOutcome(queue, 'taskwait-mixpeek-nope', events)).rejects.toMatchObject({
      name: 'ConfigError',
      field: 'jobId',
      message: `no wait job "taskwait-mixpeek-nope" in queue ${queue.name}: never added, or already removed (removeOnComplete / removeOnFail)`,
    });
  });

  it('keeps tokens out of Redis: only refs, options, your data and resume tokens go in', async () => {
    const { queue, events } = await setup();
    const task = fakeTask(mixpeekFake, { queuedPolls: 1, progress: [0.5] });
    server.add(task);
    const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref, data: { tenant: 'acme-eu' } });
    await waitOutcome(queue, job.id as string, events);
    const dump = await dumpRedis();
    expect(dump).toContain('acme-eu');
    expect(dump).toContain(task.id);
    for (const token of Object.values(TOKENS)) expect(dump).not.toContain(token);
    expect(task.requests.every((r) => r.headers.authorization === 'Bearer [REDACTED]')).toBe(true);
  });

  it('caps a vendor across workers with BullMQ’s rate limiter (one queue per vendor)', async () => {
    const { queue, events } = await setup({}, 2, { max: 1, duration: 400 });
    const tasks = Array.from({ length: 5 }, () => fakeTask(postmanFake, { queuedPolls: 0, progress: [] }));
    server.add(...tasks);
    const jobs = await Promise.all(tasks.map((task) => enqueueWait(queue, { vendor: 'postman', ref: task.ref })));
    await Promise.all(jobs.map((job) => waitOutcome(queue, job.id as string, events)));
    const started = await Promise.all(
      jobs.map(async (job) => (await queue.getJob(job.id as string))?.processedOn as number),
    );
    const times = started.sort((x, y) => x - y);
    const gaps = times.slice(1).map((at, i) => at - (times[i] as number));
    // Without the limiter, 2 workers × 8 slots take all five at once; with it, one per 400 ms
    // window (less the moment between a worker's clock reading and Redis running its script).
    expect(gaps.every((gap) => gap >= 300)).toBe(true);
    expect(tasks.map((task) => task.polls)).toEqual([1, 1, 1, 1, 1]);
  });

  it('goes on when Redis goes away and comes back: the workers reconnect and no wait is lost', async () => {
    const { queue, events } = await setup({}, 2);
    const tasks = Array.from({ length: 30 }, (_, i) =>
      fakeTask(mixpeekFake, {
        queuedPolls: 1,
        progress: [0.2, 0.4, 0.6, 0.8],
        outcome: i % 3 === 0 ? 'failed' : 'succeeded',
      }),
    );
    server.add(...tasks);
    const jobs = await Promise.all(
      tasks.map((task) =>
        enqueueWait(queue, { vendor: 'mixpeek', ref: task.ref, wait: { minDelayMs: 60, maxDelayMs: 60 } }),
      ),
    );
    while (tasks.filter((task) => task.polls > 0).length < 10) await new Promise((r) => setTimeout(r, 20));
    const before = redis.pid;
    await redis.restart(1500);
    expect(redis.pid).not.toBe(before);
    const outcomes = await Promise.all(jobs.map((job) => waitOutcome(queue, job.id as string, events)));
    expect(outcomes.map((o) => o.status)).toEqual(tasks.map((_, i) => (i % 3 === 0 ? 'failed' : 'completed')));
    expect(tasks.every((task) => task.state === (tasks.indexOf(task) % 3 === 0 ? 'failed' : 'succeeded'))).toBe(true);
    // The workers did lose Redis for a while.
    expect(errors.some((error) => /ECONNREFUSED/.test(error.message))).toBe(true);
    // A restart of a real Redis and the workers' reconnection take seconds on a busy machine.
  }, 90_000);
});

describe('taskwait/bullmq without Redis', () => {
  it('gives a wait the same job id for the same vendor and reference, and BullMQ can take it', () => {
    const id = waitJobId('anaplan', { workspaceId: 'w', modelId: 'm', taskId: 't:1' });
    expect(id).toBe(waitJobId('anaplan', { taskId: 't:1', modelId: 'm', workspaceId: 'w' }));
    expect(id).toMatch(/^taskwait-anaplan-[0-9a-f]{32}$/);
    expect(waitJobId('mixpeek', 'task_1')).not.toBe(waitJobId('postman', 'task_1'));
    expect(waitJobId('mixpeek', 'task_1')).not.toBe(waitJobId('mixpeek', 'task_2'));
    expect(waitJobId('a:b', 'x')).toMatch(/^taskwait-a_b-[0-9a-f]{32}$/);
    expect(waitJobId('a:b', 'x')).not.toBe(waitJobId('a_b', 'x'));
  });

  it.each([
    [{ vendor: '', ref: 'x' }, 'vendor'],
    [{ vendor: 'mixpeek' }, 'ref'],
    [{ vendor: 'mixpeek', ref: { n: Number.NaN } }, 'ref'],
    [{ vendor: 'mixpeek', ref: () => 'x' }, 'ref'],
    [{ vendor: 'mixpeek', ref: 'x', wait: { timeoutMs: Number.POSITIVE_INFINITY } }, 'wait.timeoutMs'],
    [{ vendor: 'mixpeek', ref: 'x', wait: { pollEveryMs: 5 } }, 'wait.pollEveryMs'],
    [{ vendor: 'mixpeek', ref: 'x', resumeFrom: '{oops' }, 'resumeFrom'],
  ])('enqueueWait(%j) is a ConfigError naming %s, before anything reaches Redis', async (request, field) => {
    const queue = { add: () => Promise.reject(new Error('reached Redis')) } as unknown as Queue;
    await expect(enqueueWait(queue, request as never)).rejects.toMatchObject({ name: 'ConfigError', field });
  });

  it('checks the processor’s options when it is made', () => {
    expect(() => waitProcessor({ clients: {} })).toThrow(/needs clients/);
    expect(() => waitProcessor({ clients: { mixpeek: {} as never } })).toThrow(
      'clients.mixpeek must be a client made by createClient',
    );
    const ok = { mixpeek: createClient(mixpeek, { baseUrl: 'http://127.0.0.1:1' }) };
    expect(() => waitProcessor({ clients: ok, settleAttempts: 0 })).toThrow(
      /settleAttempts must be a whole number, at least 1/,
    );
    expect(() => waitProcessor({ clients: ok, onSettled: 'log' as never })).toThrow(/onSettled must be a function/);
    expect(waitProcessor({ clients: ok })).toHaveLength(3);
  });
});

/** Every key and value in Redis, as text. */
async function dumpRedis(): Promise<string> {
  const keys = (await redis.command('KEYS', '*')) as string[];
  const parts: string[] = [];
  for (const key of keys) {
    const type = String(await redis.command('TYPE', key));
    const read: Record<string, [string, ...(string | number)[]]> = {
      string: ['GET', key],
      hash: ['HGETALL', key],
      list: ['LRANGE', key, 0, -1],
      set: ['SMEMBERS', key],
      zset: ['ZRANGE', key, 0, -1, 'WITHSCORES'],
      stream: ['XRANGE', key, '-', '+'],
    };
    const command = read[type];
    parts.push(key, command ? JSON.stringify(await redis.command(...command)) : type);
  }
  return parts.join('\n');
}
