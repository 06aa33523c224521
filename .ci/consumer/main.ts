// A TypeScript consumer, type-checked with moduleResolution node16, nodenext and bundler (strict,
// skipLibCheck off, so the shipped .d.ts/.d.cts are checked too), and run when compiled.
// What is tagged `needs: <entry>` is left out, with a notice, where that entry is a placeholder or
// the consumer does without it (no msw: no `taskwait/testing`; no bullmq: no `taskwait/bullmq`).
import { type Job as BullmqJob, DelayedError } from 'bullmq'; // needs: taskwait/bullmq
import { setupServer } from 'msw/node'; // needs: taskwait/testing
import {
  authorization,
  ConfigError,
  createClient,
  DEFAULT_POLL_OPTIONS,
  defineTask,
  defineVendor,
  isTerminal,
  openEnum,
  type TaskClient,
  TaskFailedError,
  type TaskSnapshot,
  type TaskState,
  TaskwaitError,
  type WaitOptions,
} from 'taskwait';
import { type WaitJobData, type WaitOutcome, waitJobId, waitProcessor } from 'taskwait/bullmq'; // needs: taskwait/bullmq
import { type MixpeekTaskRef, mixpeek } from 'taskwait/mixpeek'; // needs: taskwait/mixpeek
import { type DelayPlan, planDelay } from 'taskwait/schedule'; // needs: taskwait/schedule
import { taskwaitHandlers } from 'taskwait/testing'; // needs: taskwait/testing
import { fakeTask, mixpeekFake, startFakeServer, type VendorFake } from 'taskwait/testing/server'; // needs: taskwait/testing/server
import { z } from 'zod';

declare const process: { argv: string[]; pid: number; exitCode?: number };

const JobStatus = openEnum(['queued', 'running', 'done', 'broken']);
const Job = z.looseObject({
  id: z.string(),
  status: JobStatus,
  percent: z.number().optional(),
  error: z.string().optional(),
});

export const local = defineVendor({
  name: 'local',
  baseUrl: 'https://tasks.invalid/',
  auth: authorization('Bearer'),
  statuses: JobStatus.values,
  states: { queued: 'queued', running: 'running', done: 'succeeded', broken: 'failed' },
  tasks: {
    job: defineTask({
      model: 'Job',
      schema: Job,
      status: (job) => job.status,
      snapshot: (job) => ({
        id: job.id,
        progress: job.percent === undefined ? undefined : job.percent / 100,
        error: job.error,
      }),
    }),
  },
  ref: z.string(),
  route: (id) => ({ kind: 'job', path: ['tasks', id] }),
});

// The types users lean on: the payload stays typed through the snapshot, refs are checked.
type LocalClient = TaskClient<typeof local>;
const options: WaitOptions<TaskSnapshot<z.output<typeof Job>, 'job'>> = { timeoutMs: 20_000 };
function typeChecks(client: LocalClient): void {
  // @ts-expect-error: this vendor's task reference is a string
  void client.get(42);
  // @ts-expect-error: an unknown wait option
  void client.wait('x', { pollEveryMs: 5 });
}
void typeChecks;
export const mixpeekRef: MixpeekTaskRef = 'task_abc123'; // needs: taskwait/mixpeek
export type LocalFake = VendorFake<'job', string>; // needs: taskwait/testing/server

const scenarios: Array<(baseUrl: string) => Promise<string>> = [];

// A vendor of one's own, against the check's task server.
scenarios.push(async (baseUrl) => {
  const client: LocalClient = createClient(local, {
    baseUrl,
    token: 'test-token',
    wait: { minDelayMs: 10, maxDelayMs: 50 },
  });
  const states: TaskState[] = [];
  const done = await client.wait(`ok-ts-${process.pid}`, { ...options, onProgress: (s) => states.push(s.state) });
  const status: 'queued' | 'running' | 'done' | 'broken' | (string & {}) = done.raw.status;
  const percent: number | undefined = done.raw.percent;
  const kind: 'job' = done.kind;
  if (!isTerminal(done.state) || done.state !== 'succeeded' || percent !== 100) {
    throw new Error(`unexpected end: ${JSON.stringify(done)}`);
  }
  const failure: unknown = await client.wait(`fail-ts-${process.pid}`, options).catch((error: unknown) => error);
  if (!(failure instanceof TaskFailedError) || !(failure instanceof TaskwaitError)) throw new Error(`${failure}`);
  const refused: unknown = await client.get('a/b').catch((error: unknown) => error);
  if (!(refused instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${refused}`);
  return `own vendor: ${states.join(' → ')} (${kind}, raw ${status}); ${failure.name}; ${refused.name} on a bad id`;
});

// A built-in vendor against the testing kit's loopback server, as a test suite without msw would.
// needs: taskwait/testing/server taskwait/mixpeek {
scenarios.push(async () => {
  const task = fakeTask(mixpeekFake, { progress: [0.5], outcome: 'succeeded' });
  const server = await startFakeServer({ tasks: [task] });
  try {
    const client = createClient(mixpeek, { baseUrl: server.url, token: 'sk_test', wait: { minDelayMs: 10 } });
    const done = await client.wait(task.ref, { timeoutMs: 20_000 });
    if (done.state !== 'succeeded') throw new Error(`unexpected end: ${JSON.stringify(done)}`);
    return `mixpeek on startFakeServer: ${done.rawStatus} → ${done.state}`;
  } finally {
    await server.close();
  }
});
// }

// The same through the kit's msw handlers, at Mixpeek's production URL.
// needs: taskwait/testing taskwait/testing/server taskwait/mixpeek {
scenarios.push(async () => {
  const task = fakeTask(mixpeekFake, { progress: [0.5], outcome: 'failed' });
  const server = setupServer(...taskwaitHandlers(task));
  server.listen({ onUnhandledRequest: 'error' });
  try {
    const client = createClient(mixpeek, { token: 'sk_test', wait: { minDelayMs: 10 } });
    const end = await client.wait(task.ref, { timeoutMs: 20_000, throwOnFailure: false });
    if (end.state !== 'failed') throw new Error(`unexpected end: ${JSON.stringify(end)}`);
    return `mixpeek on msw handlers: ${end.rawStatus} → ${end.state}`;
  } finally {
    server.close();
  }
});
// }

// One run of taskwait/bullmq's processor on a job object (no Redis needed), typed as a user types it.
// needs: taskwait/bullmq {
scenarios.push(async (baseUrl) => {
  const client = createClient(local, { baseUrl, token: 'test-token', wait: { minDelayMs: 10 } });
  const settled: WaitOutcome[] = [];
  const processor = waitProcessor<{ orderId: number }>({
    clients: { local: client },
    onSettled: (outcome) => {
      if (outcome.status === 'failed') console.log(outcome.error.message, outcome.resumeToken);
      settled.push(outcome);
    },
  });
  const ref = `run-ts-${process.pid}`;
  let data: WaitJobData<{ orderId: number }> = { vendor: 'local', ref, data: { orderId: 1 } };
  let delayedTo = 0;
  const job = {
    id: waitJobId('local', ref),
    timestamp: Date.now(),
    get data() {
      return data;
    },
    updateData: async (next: WaitJobData<{ orderId: number }>) => {
      data = next;
    },
    moveToDelayed: async (at: number) => {
      delayedTo = at;
    },
  } as unknown as BullmqJob;
  const thrown: unknown = await processor(job, 'token').catch((error: unknown) => error);
  if (!(thrown instanceof DelayedError) || data.state?.polls !== 1 || delayedTo < job.timestamp || settled.length) {
    throw new Error(`expected the job delayed with bullmq's DelayedError, got ${thrown}`);
  }
  return `bullmq processor: one poll, then ${thrown.name}; job ${job.id} keeps its resume token`;
});
// }

// The schedule's pure functions, for a loop of one's own.
// needs: taskwait/schedule {
scenarios.push(async () => {
  const plan: DelayPlan = planDelay(DEFAULT_POLL_OPTIONS, { attempt: 0, now: 0, random: 0.5 });
  if (plan.delayMs !== DEFAULT_POLL_OPTIONS.minDelayMs || plan.basis !== 'backoff') {
    throw new Error(`unexpected first delay: ${JSON.stringify(plan)}`);
  }
  return `schedule: the first delay is ${plan.delayMs} ms (${plan.basis})`;
});
// }

const baseUrl = process.argv[2];
if (baseUrl) {
  (async () => {
    for (const scenario of scenarios) console.log(`compiled program ok: ${await scenario(baseUrl)}`);
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
