/**
 * What a wait job holds in Redis, its deterministic id, and the outcome it settles with.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, type TaskSnapshot, type WaitDefaults, type WaitState } from '../index.js';

/**
 * The data of a wait job, as stored in Redis in plain text: the vendor's name, the task
 * reference, the wait options, your own `data`, and the resume token of the last poll. Never a
 * token or any other credential: those stay in the worker's clients.
 *
 * @typeParam UserData - your own data, kept with the job and handed back with its outcome.
 */
export interface WaitJobData<UserData = unknown> {
  /** Which of the worker's clients polls it: the key in `waitProcessor({ clients })`, normally the vendor's name. */
  vendor: string;
  /** The task reference, as the vendor's client takes it (an id, an object of ids, a task URL). */
  ref: unknown;
  /** Poll options and `timeoutMs` for this wait, over the client's own. */
  wait?: WaitDefaults | undefined;
  /** Your own data: an order id, a tenant, where to put the result. JSON only. */
  data?: UserData | undefined;
  /** Where the wait stands: the resume token of its last poll (absent before the first). */
  state?: WaitState | undefined;
  /** A failed job's outcome: why, the last snapshot, the resume token. */
  outcome?: WaitOutcome<TaskSnapshot, UserData> | undefined;
  /** An outcome whose `onSettled` threw, to hand to it again on the job's next run. */
  pending?: WaitOutcome<TaskSnapshot, UserData> | undefined;
  /** How many times `onSettled` threw for the pending outcome. */
  settleFailures?: number | undefined;
}

/** What every outcome says about its job. */
export interface WaitOutcomeBase<UserData> {
  /** The BullMQ job id: use it to make `onSettled` idempotent. */
  jobId: string;
  vendor: string;
  ref: unknown;
  /** Your `data`, as it was enqueued. */
  data: UserData | undefined;
}

/** The task ended `succeeded`, `partial` or `skipped`: the job completed with the snapshot. */
export interface CompletedWait<Snapshot = TaskSnapshot, UserData = unknown> extends WaitOutcomeBase<UserData> {
  status: 'completed';
  /** The terminal snapshot: the job's return value. */
  snapshot: Snapshot;
}

/**
 * The job failed: the task ended `failed` or `canceled` (`error.name` is `TaskFailedError`), the
 * wait ran past its `timeoutMs` (`WaitTimeoutError`, with a `resumeToken`), or a permanent fault
 * ended it (an `HttpError` 4xx, a `ResponseValidationError`, a `ConfigError` for bad job data).
 */
export interface FailedWait<Snapshot = TaskSnapshot, UserData = unknown> extends WaitOutcomeBase<UserData> {
  status: 'failed';
  /** The error as plain data (`TaskwaitError.toJSON()`): `name`, `message` and its fields. */
  error: SettledError;
  /** The terminal snapshot of a task that failed or was canceled. */
  snapshot?: Snapshot | undefined;
  /** After a timeout: go on with `client.resume(resumeToken)` or enqueue again with `resumeFrom`. */
  resumeToken?: string | undefined;
}

/** An error as plain data, as it is kept in Redis. No secrets: taskwait redacts its messages. */
export interface SettledError {
  name: string;
  message: string;
  [field: string]: unknown;
}

/** How a wait job ended. */
export type WaitOutcome<Snapshot = TaskSnapshot, UserData = unknown> =
  | CompletedWait<Snapshot, UserData>
  | FailedWait<Snapshot, UserData>;

const MAX_REF_DEPTH = 16;
const MAX_REF_CHARS = 4096;

/**
 * The job id of a wait on `ref` of `vendor`: the same for the same vendor and reference (object
 * keys in any order), so a wait enqueued twice is one job. Made of letters, digits and `-`
 * (BullMQ refuses `:` in a custom id, and a number).
 *
 * @example
 * ```ts
 * waitJobId('mixpeek', 'task_123'); // 'taskwait-mixpeek-3c5e…' (32 hex digits)
 * ```
 */
export function waitJobId(vendor: string, ref: unknown): string {
  if (typeof vendor !== 'string' || vendor.trim() === '') {
    throw new ConfigError('vendor', 'vendor must be the non-empty name of a vendor, e.g. "mixpeek"');
  }
  const text = canonicalJson(ref);
  const hash = createHash('sha256').update(vendor).update('\0').update(text).digest('hex').slice(0, 32);
  const label = vendor.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  return `taskwait-${label}-${hash}`;
}

/** `ref` as JSON with object keys sorted; a {@link ConfigError} for what JSON can't hold. */
export function canonicalJson(ref: unknown): string {
  if (ref === undefined || ref === null) throw new ConfigError('ref', 'a wait needs a task reference, got nothing');
  const text = JSON.stringify(sorted(ref, 0));
  if (text.length > MAX_REF_CHARS) {
    throw new ConfigError('ref', `a task reference is ${text.length} characters as JSON; at most ${MAX_REF_CHARS}`);
  }
  return text;
}

function sorted(value: unknown, depth: number): unknown {
  if (depth > MAX_REF_DEPTH) throw new ConfigError('ref', `a task reference nests deeper than ${MAX_REF_DEPTH} levels`);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError('ref', `a task reference holds ${value}, which JSON can't`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => sorted(item, depth + 1));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sorted(item, depth + 1);
    }
    return out;
  }
  throw new ConfigError(
    'ref',
    `a task reference is JSON data (a string, or an object of ids); it holds ${value === null ? 'null' : typeof value}`,
  );
}

const finite = z.number().finite();

/** The wait options a job may carry, as JSON (no Infinity): their values are checked by the client when it polls. */
export const WaitJobOptionsSchema = z.strictObject({
  minDelayMs: finite.optional(),
  maxDelayMs: finite.optional(),
  factor: finite.optional(),
  jitter: finite.optional(),
  maxRetryAfterMs: finite.optional(),
  estimate: z.boolean().optional(),
  maxEstimateDelayMs: finite.optional(),
  schedule: z.string().optional(),
  timeoutMs: finite.optional(),
});

// An outcome kept in a job for another call of onSettled: enough of it to settle the job with.
const OutcomeSchema = z.discriminatedUnion('status', [
  z.looseObject({ status: z.literal('completed'), vendor: z.string(), snapshot: z.looseObject({}) }),
  z.looseObject({
    status: z.literal('failed'),
    vendor: z.string(),
    error: z.looseObject({ name: z.string(), message: z.string() }),
  }),
]);

const JobDataSchema = z.looseObject({
  vendor: z.string().min(1),
  ref: z.unknown().refine((ref) => ref !== undefined && ref !== null, 'a task reference is required'),
  wait: WaitJobOptionsSchema.optional(),
  state: z.unknown().optional(),
  pending: OutcomeSchema.optional(),
  settleFailures: z.number().int().nonnegative().optional(),
});

/** Job data read back from Redis: its shape checked, a {@link ConfigError} naming the bad fields. */
export function readJobData(data: unknown): WaitJobData {
  const parsed = JobDataSchema.safeParse(data);
  if (!parsed.success) {
    const where = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(data)'))].slice(0, 5).join(', ');
    throw new ConfigError('data', `the job's data is not a wait (bad fields: ${where})`);
  }
  return parsed.data as WaitJobData;
}

/** The vendor a job names, or `'?'` when its data is too broken to say. */
export function vendorOf(data: unknown): string {
  const vendor = (data as { vendor?: unknown } | null)?.vendor;
  return typeof vendor === 'string' ? vendor.slice(0, 100) : '?';
}
