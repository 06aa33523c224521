/**
 * The worker's side: one `client.poll()` per run of a wait job, then the job is delayed until the
 * next poll, completed or failed. The decision is the client's; BullMQ does the waiting.
 *
 * @module
 */
import type { Job } from 'bullmq';
import {
  type BaseClient,
  ConfigError,
  decodeState,
  encodeState,
  isTransient,
  redact,
  TaskFailedError,
  type TaskSnapshot,
  TaskwaitError,
  type WaitState,
} from '../index.js';
import { advance, backoffDelay, initialState } from '../schedule.js';
import { readJobData, type SettledError, vendorOf, type WaitJobData, type WaitOutcome } from './job.js';
import { bullmq } from './peer.js';

/** Any client `createClient` made: the worker uses its vendor, its wait defaults and `poll()`. */
export type AnyTaskClient = Pick<BaseClient<never, TaskSnapshot>, 'vendor' | 'waitDefaults' | 'poll'>;

/** Options of {@link waitProcessor}. */
export interface WaitProcessorOptions<UserData = unknown> {
  /**
   * The clients that poll, by the name jobs give as `vendor` (normally each vendor's own name).
   * They hold the tokens, so no credential is ever written to Redis. Each poll goes through its
   * client: the client's retries, limits and request budget apply inside every worker.
   */
  clients: Readonly<Record<string, AnyTaskClient>>;
  /**
   * Called by the worker when a wait settles, before its job completes or fails. It runs at least
   * once per job, and more than once when a worker dies between the call and the job's end (the
   * job is then run again): make it idempotent with `outcome.jobId`. A throw (or running past
   * `settleTimeoutMs`) calls it again later, at most `settleAttempts` times; after that the job
   * settles without it, and the last error is in the job's log.
   */
  onSettled?:
    | ((outcome: WaitOutcome<TaskSnapshot, UserData>, context: SettleContext) => void | Promise<void>)
    | undefined;
  /** How many times `onSettled` is called for one outcome when it keeps throwing. Default 5. */
  settleAttempts?: number | undefined;
  /** The longest one call of `onSettled` may take, in ms; its `signal` aborts then. Default 30000. */
  settleTimeoutMs?: number | undefined;
}

/** What `onSettled` gets besides the outcome. */
export interface SettleContext {
  /** Aborted when the call runs past `settleTimeoutMs`, or BullMQ cancels the job. */
  signal: AbortSignal;
  /** 1 on the first call for this outcome, 2 after one throw, ... */
  attempt: number;
}

/** The processor {@link waitProcessor} returns: give it to BullMQ's `Worker`. */
export type WaitProcessor = (job: Job, token?: string, signal?: AbortSignal) => Promise<TaskSnapshot>;

/** What one run decided. */
type Next = { kind: 'again'; state: WaitState; delayMs: number } | { kind: 'settled'; outcome: WaitOutcome };

const DEADLINE = Symbol('the wait ran out of time');
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The processor of wait jobs, for BullMQ's `Worker`: each run polls the task once with its
 * vendor's client and then
 * - delays the job until the next poll (`job.moveToDelayed` and `DelayedError`), its resume token
 *   in the job's data, when the task is still running or a transient fault (5xx, 429, a dropped
 *   connection) got in the way: no worker waits while a task runs;
 * - completes the job with the terminal snapshot when the task `succeeded`, was `partial` or `skipped`;
 * - fails it, not to be retried, when the task `failed` or was `canceled`, when the wait is past its
 *   `timeoutMs` (with the resume token), on a permanent fault (a 4xx, a response that fails its
 *   schema), and for job data no client can poll (an unknown vendor, a corrupted resume token).
 *
 * @example
 * ```ts
 * import { Worker } from 'bullmq';
 * import { waitProcessor } from 'taskwait/bullmq';
 * const worker = new Worker('taskwait', waitProcessor({ clients: { mixpeek: mixpeekClient } }), {
 *   connection: { host: 'localhost', port: 6379, maxRetriesPerRequest: null },
 *   concurrency: 50,
 * });
 * ```
 */
export function waitProcessor<UserData = unknown>(options: WaitProcessorOptions<UserData>): WaitProcessor {
  const clients = checkClients(options?.clients);
  const onSettled = options.onSettled as WaitProcessorOptions['onSettled'];
  if (onSettled !== undefined && typeof onSettled !== 'function') {
    throw new ConfigError('onSettled', 'onSettled must be a function');
  }
  const settleAttempts = whole('settleAttempts', options.settleAttempts ?? 5, 1);
  const settleTimeoutMs = whole('settleTimeoutMs', options.settleTimeoutMs ?? 30_000, 1);

  return async function processWait(job: Job, token?: string, signal?: AbortSignal): Promise<TaskSnapshot> {
    const { DelayedError, UnrecoverableError } = await bullmq();
    // Spread into every update, so that fields of the job's data this processor does not know stay.
    const raw = (isRecord(job.data) ? job.data : {}) as Partial<WaitJobData>;
    const next = raw.pending === undefined ? await pollOnce(job, clients, signal) : settledAgain(job);
    if (next.kind === 'again') {
      await job.updateData({ ...raw, state: next.state });
      await job.moveToDelayed(Date.now() + next.delayMs, token);
      throw new DelayedError();
    }
    const outcome = next.outcome;
    if (onSettled) {
      const failures = raw.settleFailures ?? 0;
      const error = await callSettled(onSettled, outcome, {
        attempt: failures + 1,
        timeoutMs: settleTimeoutMs,
        signal,
      });
      if (error !== undefined && failures + 1 < settleAttempts) {
        await job.updateData({ ...raw, pending: outcome, settleFailures: failures + 1 });
        const client = Object.hasOwn(clients, outcome.vendor) ? clients[outcome.vendor] : undefined;
        await job.moveToDelayed(Date.now() + settleDelay(client, failures), token);
        throw new DelayedError();
      }
      if (error !== undefined) {
        await job.log(`onSettled threw ${failures + 1} times; the job settles without it: ${describe(error)}`);
      }
    }
    if (outcome.status === 'completed') return outcome.snapshot;
    await job.updateData({ ...raw, outcome, pending: undefined });
    throw new UnrecoverableError(outcome.error.message);
  };
}

/** One poll of the job's task, and what follows from it. */
async function pollOnce(job: Job, clients: Record<string, AnyTaskClient>, signal?: AbortSignal): Promise<Next> {
  const jobId = String(job.id);
  let data: WaitJobData;
  try {
    data = readJobData(job.data);
  } catch (error) {
    return failed({ jobId, vendor: vendorOf(job.data), ref: undefined, data: undefined }, error);
  }
  const base = { jobId, vendor: data.vendor, ref: data.ref, data: data.data };
  const client = Object.hasOwn(clients, data.vendor) ? clients[data.vendor] : undefined;
  if (!client) {
    const known = Object.keys(clients).join(', ');
    const error = new ConfigError(
      'vendor',
      `no client for vendor ${JSON.stringify(data.vendor)} in this worker (it has ${known}): add one to waitProcessor({ clients })`,
    );
    return failed(base, error);
  }
  let state: WaitState;
  try {
    state =
      data.state === undefined
        ? initialState(client.vendor, data.ref, job.timestamp)
        : decodeState(data.state, client.vendor);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failed(base, new ConfigError('state', `the job's resume token is unusable: ${reason}`, { cause: error }));
  }
  // Job data is JSON: none of its keys holds undefined, so none overrides a default with it.
  const settings = { ...client.waitDefaults, ...(data.wait as Partial<typeof client.waitDefaults> | undefined) };
  // The timeout runs from when this job was added, as a wait's runs from its call: a wait resumed
  // from a token gets its own timeoutMs (the token keeps when the first wait started).
  const deadlineAt = job.timestamp + settings.timeoutMs;
  if (Date.now() >= deadlineAt) return timedOut(base, state, job.timestamp, settings.timeoutMs);

  const stop = new AbortController();
  const abort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  const left = deadlineAt - Date.now();
  // A timeout past setTimeout's range is not one the client accepts: its poll refuses it first.
  const timer = left <= MAX_TIMER_MS ? setTimeout(() => stop.abort(DEADLINE), left) : undefined;
  try {
    const step = await client.poll(data.ref as never, { ...data.wait, state, signal: stop.signal });
    if (step.done) return terminal(base, step.snapshot);
    return { kind: 'again', state: step.state, delayMs: Math.min(step.delayMs, deadlineAt - Date.now()) };
  } catch (error) {
    if (stop.signal.reason === DEADLINE) return timedOut(base, state, job.timestamp, settings.timeoutMs);
    // The worker gave the job up (cancelJob, a lost lock): BullMQ decides what becomes of it.
    if (signal?.aborted) throw error;
    if (!isTransient(error)) return failed(base, error);
    const hintMs = (error as { retryAfterMs?: number | undefined }).retryAfterMs;
    const step = advance(state, { error, hintMs, now: Date.now() }, settings);
    return { kind: 'again', state: step.state, delayMs: Math.min(step.delayMs, deadlineAt - Date.now()) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}

/** The outcome kept when `onSettled` threw, read back for another call. */
function settledAgain(job: Job): Next {
  const jobId = String(job.id);
  try {
    const data = readJobData(job.data);
    return { kind: 'settled', outcome: { ...(data.pending as WaitOutcome), jobId } };
  } catch (error) {
    return failed({ jobId, vendor: vendorOf(job.data), ref: undefined, data: undefined }, error);
  }
}

type Base = Omit<WaitOutcome, 'status' | 'snapshot' | 'error'>;

function terminal(base: Base, snapshot: TaskSnapshot): Next {
  if (snapshot.state === 'failed' || snapshot.state === 'canceled') {
    const { snapshot: _, ...error } = new TaskFailedError(snapshot).toJSON();
    return { kind: 'settled', outcome: { ...base, status: 'failed', error: error as SettledError, snapshot } };
  }
  return { kind: 'settled', outcome: { ...base, status: 'completed', snapshot } };
}

function failed(base: Base, error: unknown): Next {
  return { kind: 'settled', outcome: { ...base, status: 'failed', error: errorData(error) } };
}

function timedOut(base: Base, state: WaitState, startedAt: number, timeoutMs: number): Next {
  const last = state.last ? `last seen ${state.last.state} (${state.last.rawStatus})` : 'no successful poll';
  const message = redact(
    `${base.vendor} task ${describeRef(base.ref)} did not finish within ${timeoutMs} ms after ${state.polls} polls; ${last}`,
  );
  const error = { name: 'WaitTimeoutError', message, elapsedMs: Date.now() - startedAt, polls: state.polls };
  return { kind: 'settled', outcome: { ...base, status: 'failed', error, resumeToken: encodeState(state) } };
}

function errorData(error: unknown): SettledError {
  if (error instanceof TaskwaitError) {
    const { snapshot: _, ...data } = error.toJSON();
    return data as SettledError;
  }
  const name = error instanceof Error ? error.name : 'Error';
  return { name, message: describe(error) };
}

// User code and foreign errors: redacted, and bounded in size.
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return redact(text.length > 500 ? `${text.slice(0, 500)}…` : text);
}

function describeRef(ref: unknown): string {
  const text = typeof ref === 'string' ? ref : JSON.stringify(ref);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** Calls `onSettled` bounded by `timeoutMs`: resolves with its error, or undefined when it returned. */
async function callSettled(
  onSettled: NonNullable<WaitProcessorOptions['onSettled']>,
  outcome: WaitOutcome,
  { attempt, timeoutMs, signal }: { attempt: number; timeoutMs: number; signal: AbortSignal | undefined },
): Promise<unknown> {
  const stop = new AbortController();
  const abort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`onSettled did not finish within ${timeoutMs} ms`);
      stop.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => onSettled(outcome, { signal: stop.signal, attempt })), expired]);
    return undefined;
  } catch (error) {
    return error ?? new Error('onSettled threw nothing');
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}

/** The wait before `onSettled` is called again: the vendor's backoff. */
function settleDelay(client: AnyTaskClient | undefined, failures: number): number {
  const options = client?.waitDefaults ?? { minDelayMs: 1000, maxDelayMs: 30_000, factor: 2 };
  return backoffDelay({ jitter: 0, maxRetryAfterMs: 0, estimate: false, ...options }, failures);
}

function checkClients(clients: unknown): Record<string, AnyTaskClient> {
  if (!clients || typeof clients !== 'object' || Object.keys(clients).length === 0) {
    throw new ConfigError('clients', 'waitProcessor needs clients: { [vendor]: createClient(vendor, { token }) }');
  }
  for (const [name, client] of Object.entries(clients)) {
    const ok =
      client &&
      typeof client === 'object' &&
      typeof client.poll === 'function' &&
      typeof client.waitDefaults === 'object';
    if (!ok) throw new ConfigError(`clients.${name}`, `clients.${name} must be a client made by createClient`);
  }
  return clients as Record<string, AnyTaskClient>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function whole(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(field, `${field} must be a whole number, at least ${min}`);
  }
  return value;
}
