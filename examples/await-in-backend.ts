// Backend code that awaits a vendor task before it answers: a deadline for the wait, and an
// AbortSignal that stops it when the caller goes away or the service shuts down.
//
//   npx tsx examples/await-in-backend.ts
import assert from 'node:assert/strict';
import { createClient, TaskFailedError, WaitTimeoutError } from '../src/index.js';
import { fakeTask, mixpeekFake, startFakeServer } from '../src/testing/index.js';
import { mixpeek } from '../src/vendors/mixpeek/index.js';

// A fake Mixpeek with three batch tasks. Against the real API, drop `baseUrl`.
const quick = fakeTask(mixpeekFake, { queuedPolls: 1, progress: [0.5] });
const slow = fakeTask(mixpeekFake, { queuedMs: 60_000 });
const broken = fakeTask(mixpeekFake, { outcome: 'failed', error: 'unsupported file type: .heic' });
const server = await startFakeServer({ tasks: [quick, slow, broken] });

const mixpeekClient = createClient(mixpeek, {
  baseUrl: server.url,
  token: process.env.MIXPEEK_API_KEY ?? 'sk_test_example',
  wait: { minDelayMs: 20, maxDelayMs: 100 }, // the fake is fast; keep the defaults (1 s → 30 s) in production
});

// Stops every wait when the service shuts down.
const shutdown = new AbortController();
process.once('SIGTERM', () => shutdown.abort(new Error('shutting down')));

/**
 * What an HTTP handler would answer for "is my batch processed?". Without `deadlineMs` it waits as
 * long as the task takes (the client's default, 1 h); with one, it answers 202 when that runs out.
 */
async function batchStatus(taskId: string, request: { signal: AbortSignal }, deadlineMs?: number) {
  const signal = AbortSignal.any([request.signal, shutdown.signal]);
  try {
    const task = await mixpeekClient.wait(taskId, { timeoutMs: deadlineMs, signal });
    return { status: 200, body: { task: task.id, state: task.state, outputs: task.raw.outputs } };
  } catch (error) {
    // Not done in time: answer 202, and the caller asks again later.
    if (error instanceof WaitTimeoutError) return { status: 202, body: { state: error.snapshot?.state } };
    if (error instanceof TaskFailedError) return { status: 422, body: { error: error.snapshot.error?.message } };
    // The caller went away (or we shut down): the wait stopped at once with the signal's reason.
    if (signal.aborted) return { status: 499, body: { error: String((signal.reason as Error).message) } };
    throw error;
  }
}

try {
  const connected = new AbortController();
  const done = await batchStatus(quick.id, connected);
  console.log('finished task  →', done.status, JSON.stringify(done.body));
  assert.equal(done.status, 200);

  // A handler that may hold the caller only 300 ms answers 202 for a task that takes a minute.
  const late = await batchStatus(slow.id, connected, 300);
  console.log('still queued   →', late.status, JSON.stringify(late.body));
  assert.equal(late.status, 202);

  const failed = await batchStatus(broken.id, connected);
  console.log('failed task    →', failed.status, JSON.stringify(failed.body));
  assert.equal(failed.status, 422);

  const gone = new AbortController();
  setTimeout(() => gone.abort(new Error('client disconnected')), 50);
  const aborted = await batchStatus(slow.id, gone);
  console.log('client gone    →', aborted.status, JSON.stringify(aborted.body));
  assert.equal(aborted.status, 499);
} finally {
  await server.close();
}
