// A browser page: a vendor defined here with defineVendor, a task awaited with createClient().wait()
// against the task server named by `?api=` (another origin, so CORS is exercised), the outcome
// published on `window.taskwaitResult` for the check to read.
import { authorization, createClient, defineTask, defineVendor, openEnum, TaskFailedError } from 'taskwait';
import { z } from 'zod';

const JobStatus = openEnum(['queued', 'running', 'done', 'broken']);
const Job = z.looseObject({
  id: z.string(),
  status: JobStatus,
  percent: z.number().optional(),
  error: z.string().optional(),
});

const local = defineVendor({
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

declare global {
  interface Window {
    taskwaitResult?: Record<string, unknown>;
  }
}

async function main(): Promise<Record<string, unknown>> {
  const api = new URL(location.href).searchParams.get('api');
  if (!api) throw new Error('no ?api= task server');
  const client = createClient(local, { baseUrl: api, token: 'test-token', wait: { minDelayMs: 20, maxDelayMs: 100 } });
  const states: string[] = [];
  const started = performance.now();
  const done = await client.wait('ok-browser', { timeoutMs: 20_000, onProgress: (s) => states.push(s.state) });
  const failure = await client.wait('fail-browser', { timeoutMs: 20_000 }).catch((error: unknown) => error);
  return {
    ok: true,
    states,
    state: done.state,
    progress: done.progress,
    rawStatus: done.rawStatus,
    ms: Math.round(performance.now() - started),
    failure: failure instanceof TaskFailedError ? `${failure.name}: ${failure.snapshot.state}` : String(failure),
    userAgent: navigator.userAgent,
  };
}

main().then(
  (result) => {
    window.taskwaitResult = result;
    document.body.textContent = JSON.stringify(result);
  },
  (error: unknown) => {
    window.taskwaitResult = {
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  },
);
