// A vendor of your own, in one file: its payload schema, its statuses mapped onto the canonical
// lifecycle, where its tasks live. Then a fake of it for tests, and a wait on one of its tasks.
//
//   npx tsx examples/custom-vendor.ts
import assert from 'node:assert/strict';
import { z } from 'zod';
import { authorization, createClient, defineTask, defineVendor, openEnum, type TaskState } from '../src/index.js';
import { fakeTask, startFakeServer, type VendorFake } from '../src/testing/index.js';

// --- The vendor: a video transcoding API, GET https://api.transcode.example/v1/jobs/{id} ---------
const JobStatus = openEnum(['submitted', 'encoding', 'finished', 'error', 'cancelled']);

const Job = z.looseObject({
  id: z.string(),
  status: JobStatus,
  percent_complete: z.number().min(0).max(100).optional(),
  error_message: z.string().nullable().optional(),
  submitted_at: z.string().optional(),
  output_url: z.url().optional(),
});
type Job = z.infer<typeof Job>;

export const transcoder = defineVendor({
  name: 'transcoder',
  baseUrl: 'https://api.transcode.example/v1',
  auth: authorization('Bearer'),
  statuses: JobStatus.values,
  // Exhaustive: leave a status out and this does not compile.
  states: { submitted: 'queued', encoding: 'running', finished: 'succeeded', error: 'failed', cancelled: 'canceled' },
  tasks: {
    job: defineTask({
      model: 'Job',
      schema: Job,
      status: (job) => job.status,
      snapshot: (job) => ({
        id: job.id,
        progress: job.percent_complete === undefined ? undefined : job.percent_complete / 100,
        error: job.error_message,
        createdAt: job.submitted_at,
      }),
    }),
  },
  ref: z.string().regex(/^job_\w+$/, 'a job id looks like job_abc123'),
  route: (id) => ({ kind: 'job', path: ['jobs', id] }),
  cancel: { method: 'DELETE' },
});

// --- Its fake, for tests: each canonical state in the vendor's own words -------------------------
const WORDS: Partial<Record<TaskState, Job['status']>> = {
  queued: 'submitted',
  running: 'encoding',
  succeeded: 'finished',
  failed: 'error',
  canceled: 'cancelled',
};

export const transcoderFake: VendorFake<'job', string> = {
  vendor: 'transcoder',
  baseUrl: transcoder.baseUrl,
  kinds: {
    job: {
      path: '/jobs/:taskId',
      render: (view): Job => ({
        id: view.id,
        status: WORDS[view.state] ?? 'encoding',
        ...(view.progress === undefined ? {} : { percent_complete: Math.round(view.progress * 100) }),
        ...(view.error ? { error_message: view.error } : {}),
        submitted_at: view.createdAt.toISOString(),
        ...(view.state === 'succeeded' ? { output_url: `https://cdn.transcode.example/${view.id}.mp4` } : {}),
      }),
    },
  },
  outcomes: ['succeeded', 'failed', 'canceled'],
  ref: (_kind, taskId) => taskId,
  taskId: (n) => `job_${n.toString(36).padStart(6, '0')}`,
  rateLimitHeaders: (seconds) => ({ 'Retry-After': String(seconds) }),
  errorBody: (status, message) => ({ body: { error: { status, message } }, contentType: 'application/json' }),
};

// --- A wait on one of its jobs, against the fake ------------------------------------------------
const task = fakeTask(transcoderFake, { queuedPolls: 1, progress: [0.2, 0.55, 0.9], faults: [{ on: 3, status: 502 }] });
const server = await startFakeServer({ tasks: [task] });
try {
  const client = createClient(transcoder, {
    baseUrl: server.url,
    token: 'tc_example',
    wait: { minDelayMs: 20, maxDelayMs: 100 },
    retry: { minDelayMs: 20, maxDelayMs: 100 },
  });
  const done = await client.wait(task.ref, {
    onProgress: (s) =>
      console.log(
        `${s.id}: ${s.rawStatus} → ${s.state}${s.progress === undefined ? '' : ` ${Math.round(s.progress * 100)}%`}`,
      ),
  });
  // `raw` is the validated payload, typed by the vendor's schema.
  console.log(`output: ${done.raw.output_url}`);
  assert.equal(done.state, 'succeeded');
  assert.equal(task.requests.filter((r) => r.status === 502).length, 1);
} finally {
  await server.close();
}
