/**
 * The producer's side: enqueue a wait, and await its outcome from any process.
 *
 * @module
 */
import type { Job, JobsOptions, Queue, QueueEvents } from 'bullmq';
import { ConfigError, decodeState, type TaskSnapshot, type WaitDefaults, type WaitState } from '../index.js';
import {
  canonicalJson,
  type FailedWait,
  type WaitJobData,
  WaitJobOptionsSchema,
  type WaitOutcome,
  waitJobId,
} from './job.js';

/** A wait to enqueue. */
export interface WaitRequest<UserData = unknown> {
  /** The key of the worker's client that polls it: normally the vendor's name (`'mixpeek'`). */
  vendor: string;
  /** The task reference, as the vendor's client takes it. JSON only. */
  ref: unknown;
  /** Poll options and `timeoutMs` over the client's own (finite numbers: JSON has no Infinity). */
  wait?: WaitDefaults | undefined;
  /** Your own data, kept with the job and handed back with the outcome. JSON only; no secrets. */
  data?: UserData | undefined;
  /** Go on from a saved wait: a resume token (a timed-out job's `resumeToken`) or its state. */
  resumeFrom?: WaitState | string | undefined;
}

/**
 * The job options a wait is enqueued with unless you give others: retries for what is not the
 * task's fault (a Redis hiccup mid-run), and finished jobs kept a day (completed) or a week
 * (failed), so that their outcome can be read and the same wait is not enqueued twice meanwhile.
 */
export const DEFAULT_WAIT_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
});

/**
 * Adds a wait to `queue`, as the job {@link waitJobId}(vendor, ref): a wait already in the queue
 * (pending, or finished and not yet removed) is not added again, and the job returned is that
 * one's id. A wait resumed with `resumeFrom` gets that id plus `-resumed-<polls>`. A worker
 * running {@link waitProcessor} polls it. Its `timeoutMs` runs from now.
 *
 * Only `vendor`, `ref`, `wait`, `data` and the resume token go into Redis: never a credential.
 *
 * @param options - BullMQ job options over {@link DEFAULT_WAIT_JOB_OPTIONS} (e.g. `priority`, or a `jobId` of your own).
 *
 * @example
 * ```ts
 * const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: 'task_123', data: { orderId: 42 } });
 * ```
 */
export async function enqueueWait<UserData = unknown>(
  queue: Queue,
  request: WaitRequest<UserData>,
  options: JobsOptions = {},
): Promise<Job<WaitJobData<UserData>, TaskSnapshot>> {
  const data = waitJobData(request);
  // A resumed wait is a new job (the one that timed out may still be kept), the same for the same token.
  const resumed = data.state ? `-resumed-${data.state.polls}` : '';
  const jobId = options.jobId ?? `${waitJobId(data.vendor, data.ref)}${resumed}`;
  return (await queue.add(data.vendor, data, { ...DEFAULT_WAIT_JOB_OPTIONS, ...options, jobId })) as Job<
    WaitJobData<UserData>,
    TaskSnapshot
  >;
}

/** A request checked and made into job data; a {@link ConfigError} names what is wrong. */
export function waitJobData<UserData>(request: WaitRequest<UserData>): WaitJobData<UserData> {
  if (!request || typeof request !== 'object') {
    throw new ConfigError('request', 'enqueueWait takes { vendor, ref, wait?, data?, resumeFrom? }');
  }
  const { vendor, ref, wait, data, resumeFrom } = request;
  if (typeof vendor !== 'string' || vendor.trim() === '') {
    throw new ConfigError('vendor', 'vendor must be the name of the worker client that polls the task, e.g. "mixpeek"');
  }
  canonicalJson(ref);
  const out: WaitJobData<UserData> = { vendor, ref };
  if (wait !== undefined) {
    const parsed = WaitJobOptionsSchema.safeParse(wait);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = String(issue?.path[0] ?? (issue?.code === 'unrecognized_keys' ? issue.keys[0] : 'wait'));
      throw new ConfigError(
        `wait.${key}`,
        `wait.${key}: ${issue?.code === 'unrecognized_keys' ? 'not a wait option' : 'must be a finite number (estimate: a boolean, schedule: a string)'}`,
      );
    }
    // The values themselves (a known schedule, delays in range) are the client's to check, when it polls.
    out.wait = parsed.data as WaitDefaults;
  }
  if (data !== undefined) out.data = data;
  if (resumeFrom !== undefined && resumeFrom !== null) out.state = readToken(resumeFrom);
  return out;
}

function readToken(token: WaitState | string): WaitState {
  let value: unknown = token;
  if (typeof token === 'string') {
    try {
      value = JSON.parse(token);
    } catch {
      throw new ConfigError('resumeFrom', 'resumeFrom is not a resume token: it is not JSON');
    }
  }
  const vendor = (value as { vendor?: unknown } | null)?.vendor;
  return decodeState(value as WaitState, typeof vendor === 'string' ? vendor : '');
}

/** Options of {@link waitOutcome}. */
export interface WaitOutcomeOptions {
  /** Give up after this many ms (the promise rejects); default: wait as long as it takes. */
  ttlMs?: number | undefined;
}

/**
 * Awaits the outcome of wait job `jobId` from any process, through BullMQ's `QueueEvents`:
 * resolves with a {@link CompletedWait} or a {@link FailedWait} (it does not reject for a task
 * that failed). Rejects with a {@link ConfigError} when there is no such job (never added, or
 * already removed), and with BullMQ's error when `ttlMs` runs out. Each pending call adds a listener
 * to the queue (raise `queue.setMaxListeners()` to await many at once, or count the outcomes from
 * `QueueEvents` yourself).
 *
 * @example
 * ```ts
 * const events = new QueueEvents('taskwait', { connection });
 * const outcome = await waitOutcome(queue, job.id, events);
 * if (outcome.status === 'completed') console.log(outcome.snapshot.state);
 * ```
 */
export async function waitOutcome<Snapshot = TaskSnapshot, UserData = unknown>(
  queue: Queue,
  jobId: string,
  events: QueueEvents,
  options: WaitOutcomeOptions = {},
): Promise<WaitOutcome<Snapshot, UserData>> {
  const job = await queue.getJob(jobId);
  if (!job) {
    throw new ConfigError(
      'jobId',
      `no wait job ${JSON.stringify(String(jobId).slice(0, 100))} in queue ${queue.name}: never added, or already removed (removeOnComplete / removeOnFail)`,
    );
  }
  const data = job.data as WaitJobData<UserData>;
  try {
    const snapshot = (await job.waitUntilFinished(events, options.ttlMs)) as Snapshot;
    return { status: 'completed', jobId, vendor: data.vendor, ref: data.ref, data: data.data, snapshot };
  } catch (error) {
    const failed = await queue.getJob(jobId);
    if (!failed || !(await failed.isFailed())) throw error;
    return failedOutcome<Snapshot, UserData>(jobId, failed.data as WaitJobData<UserData>, failed.failedReason);
  }
}

function failedOutcome<Snapshot, UserData>(
  jobId: string,
  data: WaitJobData<UserData>,
  reason: string,
): FailedWait<Snapshot, UserData> {
  const kept = data.outcome;
  if (kept?.status === 'failed') return { ...(kept as unknown as FailedWait<Snapshot, UserData>), jobId };
  // Failed by BullMQ itself (stalled too often, a Redis fault on every attempt): no outcome of ours.
  return {
    status: 'failed',
    jobId,
    vendor: data.vendor,
    ref: data.ref,
    data: data.data,
    error: { name: 'Error', message: reason },
  };
}
