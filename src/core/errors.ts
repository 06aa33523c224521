/**
 * The TaskwaitError hierarchy. Every message goes through the redaction of `redact.ts`.
 *
 * @module
 */
import type { TaskSnapshot } from './lifecycle.js';
import { clip, describeValue, MAX_QUOTE_CHARS, quote, redact, safeUrl } from './redact.js';

// The most characters a whole message holds.
const MAX_MESSAGE_CHARS = 16_384;

/**
 * Options every taskwait error takes.
 *
 * @group Errors
 */
export interface TaskwaitErrorOptions {
  /** The underlying error, kept as the standard `Error.cause`. */
  cause?: unknown;
}

/**
 * The base of every error taskwait throws (an abort rejects with the signal's own reason).
 *
 * @group Errors
 */
export class TaskwaitError extends Error {
  override name = 'TaskwaitError';

  constructor(message: string, options?: TaskwaitErrorOptions) {
    // Bounded, then redacted: what a server wrote reaches a message only through here.
    super(
      redact(clip(message, MAX_MESSAGE_CHARS)),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }

  /** Whether retrying the same request later may succeed. */
  get transient(): boolean {
    return false;
  }

  /** Plain data for logs; carries no secret. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      // Stryker disable next-line ConditionalExpression,StringLiteral: name and message are own fields of the same values, and cause is replaced below
      if (key !== 'name' && key !== 'message' && key !== 'cause') out[key] = value;
    }
    if (this.cause !== undefined) out.cause = describeCause(this.cause);
    return out;
  }
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof TaskwaitError) return cause.toJSON();
  if (cause instanceof Error) {
    return { name: quote(describeValue(cause.name)), message: quote(describeValue(cause.message)) };
  }
  return quote(describeValue(cause));
}

/**
 * A caller's mistake: a bad option, base URL or task reference. Fix the call; retrying won't help.
 *
 * @group Errors
 */
export class ConfigError extends TaskwaitError {
  override name = 'ConfigError';
  /** The option or argument at fault, e.g. `"baseUrl"` or `"ref"`. */
  readonly field: string;

  constructor(field: string, message: string, options?: TaskwaitErrorOptions) {
    super(message, options);
    this.field = field;
  }
}

/**
 * An RFC 9457 / RFC 9110 problem document, as some vendors send with their errors.
 *
 * @group Errors
 */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  traceId?: string;
  errors?: Record<string, unknown>;
  [key: string]: unknown;
}

const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Whether an HTTP status is worth retrying (408, 425, 429, 500, 502, 503, 504).
 *
 * @group Errors
 */
export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUS.has(status);
}

/**
 * The server answered with an error status.
 *
 * @group Errors
 */
export class HttpError extends TaskwaitError {
  override name = 'HttpError';
  readonly status: number;
  readonly method: string;
  /** The request URL, without userinfo or credential-like query values. */
  readonly url: string;
  /** The first few hundred characters of the body, redacted. */
  readonly bodyExcerpt: string;
  /** The parsed problem document, when the body was one. */
  readonly problem?: ProblemDetails;
  /** How long the server asked us to wait before trying again, in ms. */
  readonly retryAfterMs?: number;
  /** The response headers, redacted: no cookies or auth headers, values cleaned and cut. */
  readonly headers: Readonly<Record<string, string>>;
  /** The request id the response carried (the vendor's header, or `x-request-id` and the like): quote it to support. */
  readonly requestId?: string;

  constructor(init: {
    status: number;
    method: string;
    url: string;
    bodyExcerpt: string;
    problem?: ProblemDetails | undefined;
    retryAfterMs?: number | undefined;
    vendor: string;
    headers?: Readonly<Record<string, string>> | undefined;
    requestId?: string | undefined;
  }) {
    const { detail, title } = init.problem ?? {};
    const what =
      typeof detail === 'string' && detail !== ''
        ? detail
        : typeof title === 'string' && title !== ''
          ? title
          : init.bodyExcerpt.slice(0, 200);
    super(
      `${init.vendor}: ${init.method} ${safeUrl(init.url)} answered ${init.status}${hintFor(init.status)}${
        what ? `: ${clip(what, MAX_QUOTE_CHARS)}` : ''
      }`,
    );
    this.status = init.status;
    this.method = init.method;
    this.url = safeUrl(init.url);
    this.bodyExcerpt = init.bodyExcerpt;
    // Stryker disable ConditionalExpression: the class fields exist as undefined already, so assigning undefined changes nothing
    if (init.problem) this.problem = init.problem;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.headers = init.headers ?? Object.freeze({});
    if (init.requestId !== undefined) this.requestId = init.requestId;
    // Stryker restore ConditionalExpression
  }

  override get transient(): boolean {
    return isTransientStatus(this.status);
  }
}

function hintFor(status: number): string {
  if (status === 401) return ' (the token is missing, wrong or expired)';
  if (status === 403) return ' (the token lacks access to this resource)';
  if (status === 404) return ' (no such task: check the id and the base URL)';
  if (status === 429) return ' (rate limited)';
  // A browser hides where a redirect goes (an opaque redirect, status 0): not followed either.
  if (status === 0 || (status >= 300 && status < 400)) {
    return ' (a redirect to another origin, or too many: not followed, so the credential is not sent there)';
  }
  return '';
}

/**
 * The request did not complete: a connection fault, DNS failure or per-request timeout.
 *
 * @group Errors
 */
export class NetworkError extends TaskwaitError {
  override name = 'NetworkError';
  readonly method: string;
  readonly url: string;
  /** True when the per-request timeout ended it. */
  readonly timedOut: boolean;

  constructor(init: { method: string; url: string; timedOut: boolean; vendor: string; cause?: unknown }) {
    const reason = init.timedOut
      ? 'timed out'
      : `failed: ${init.cause instanceof Error ? clip(errorCode(init.cause) ?? describeValue(init.cause.message), MAX_QUOTE_CHARS) : 'network error'}`;
    super(`${init.vendor}: ${init.method} ${safeUrl(init.url)} ${reason}`, { cause: init.cause });
    this.method = init.method;
    this.url = safeUrl(init.url);
    this.timedOut = init.timedOut;
  }

  override get transient(): boolean {
    return true;
  }
}

function errorCode(error: Error): string | undefined {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return `${cause.code} (${describeValue(error.message)})`;
  return undefined;
}

/**
 * One problem found in a response body.
 *
 * @group Errors
 */
export interface ValidationIssue {
  /** Where in the body, e.g. `["task", "result", "successful"]`. Empty for the body itself. */
  path: readonly (string | number)[];
  message: string;
  code?: string;
}

/**
 * A response body that is not what the vendor documents: not JSON, empty, too large, or valid
 * JSON that fails the model's schema. `reason` says which.
 *
 * @group Errors
 */
export class ResponseValidationError extends TaskwaitError {
  override name = 'ResponseValidationError';
  readonly vendor: string;
  readonly model: string;
  readonly reason: 'schema' | 'not-json' | 'empty' | 'too-large' | 'encoding';
  readonly issues: readonly ValidationIssue[];
  readonly url: string;
  readonly status: number;

  constructor(init: {
    vendor: string;
    model: string;
    reason: ResponseValidationError['reason'];
    issues: readonly ValidationIssue[];
    url: string;
    status: number;
  }) {
    const listed = init.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? clip(i.path.join('.'), 200) : '(body)'}: ${clip(i.message, MAX_QUOTE_CHARS)}`)
      .join('; ');
    const more = init.issues.length > 5 ? ` (+${init.issues.length - 5} more)` : '';
    super(
      `${init.vendor}: the ${init.model} from ${safeUrl(init.url)} (status ${init.status}) ${describeReason(
        init.reason,
      )}${listed ? `: ${listed}${more}` : ''}`,
    );
    this.vendor = init.vendor;
    this.model = init.model;
    this.reason = init.reason;
    // A path may hold a server's keys, a message its values: bounded and redacted as a message is.
    this.issues = init.issues.map((issue) => ({
      ...issue,
      path: issue.path.map((p) => (typeof p === 'string' ? quote(p, 200) : p)),
      message: quote(describeValue(issue.message)),
    }));
    this.url = safeUrl(init.url);
    this.status = init.status;
  }

  /** A schema mismatch is permanent; a garbled body (a proxy's HTML page, a cut-off read) may not be. */
  override get transient(): boolean {
    return this.reason === 'not-json' || this.reason === 'empty' || this.reason === 'encoding';
  }
}

function describeReason(reason: ResponseValidationError['reason']): string {
  switch (reason) {
    case 'schema':
      return 'does not match its documented schema';
    case 'not-json':
      return 'is not JSON';
    case 'empty':
      return 'is empty';
    case 'too-large':
      return 'is larger than maxResponseBytes allows';
    case 'encoding':
      return 'is not valid UTF-8';
  }
}

/**
 * The task ended `failed` or `canceled`. `snapshot` is the terminal observation.
 *
 * After `err instanceof TaskFailedError`, `err.snapshot` is a {@link TaskSnapshot}, whose `raw` is
 * `unknown`. For the vendor's own snapshot type, narrow with the client that waited:
 * `client.isTaskFailed(err)` (see {@link TaskFailedErrorOf}).
 *
 * @group Errors
 */
export class TaskFailedError extends TaskwaitError {
  override name = 'TaskFailedError';
  readonly snapshot: TaskSnapshot;

  constructor(snapshot: TaskSnapshot) {
    super(
      `${snapshot.vendor} task ${clip(describeValue(snapshot.id), 200)} ${snapshot.state === 'canceled' ? 'was canceled' : 'failed'} (status ${clip(
        describeValue(snapshot.rawStatus),
        200,
      )})${snapshot.error ? `: ${clip(describeValue(snapshot.error.message), MAX_QUOTE_CHARS)}` : ''}`,
    );
    this.snapshot = snapshot;
  }
}

/**
 * The wait ran out of time. Resume it later with `resumeToken`.
 *
 * After `err instanceof WaitTimeoutError`, `err.snapshot` is a {@link TaskSnapshot} (or
 * `undefined`). For the vendor's own snapshot type, narrow with the client that waited:
 * `client.isWaitTimeout(err)` (see {@link WaitTimeoutErrorOf}).
 *
 * @group Errors
 */
export class WaitTimeoutError extends TaskwaitError {
  override name = 'WaitTimeoutError';
  /** The vendor's name, e.g. `"mixpeek"`. */
  readonly vendor: string;
  /** The last snapshot observed, if any poll succeeded. */
  readonly snapshot: TaskSnapshot | undefined;
  readonly elapsedMs: number;
  readonly polls: number;
  /** Pass to `wait(ref, { resumeFrom })` or `client.resume()` to go on where this wait stopped. */
  readonly resumeToken: string;

  constructor(init: {
    vendor: string;
    id: string;
    snapshot: TaskSnapshot | undefined;
    elapsedMs: number;
    polls: number;
    resumeToken: string;
    cause?: unknown;
  }) {
    const last = init.snapshot
      ? `last seen ${init.snapshot.state} (${clip(describeValue(init.snapshot.rawStatus), 200)})`
      : 'no successful poll';
    super(
      `${init.vendor} task ${clip(describeValue(init.id), 200)} did not finish within ${init.elapsedMs} ms after ${init.polls} ${init.polls === 1 ? 'poll' : 'polls'}; ${last}`,
      { cause: init.cause },
    );
    this.vendor = init.vendor;
    this.snapshot = init.snapshot;
    this.elapsedMs = init.elapsedMs;
    this.polls = init.polls;
    this.resumeToken = init.resumeToken;
  }
}

/**
 * A {@link TaskFailedError} whose snapshot is of one vendor's type: what `client.isTaskFailed(err)` narrows to.
 *
 * @group Errors
 */
export interface TaskFailedErrorOf<Snapshot extends TaskSnapshot = TaskSnapshot> extends TaskFailedError {
  /** The terminal snapshot, of the vendor's own type. */
  readonly snapshot: Snapshot;
}

/**
 * A {@link WaitTimeoutError} whose snapshot is of one vendor's type: what `client.isWaitTimeout(err)` narrows to.
 *
 * @group Errors
 */
export interface WaitTimeoutErrorOf<Snapshot extends TaskSnapshot = TaskSnapshot> extends WaitTimeoutError {
  /** The last snapshot observed, if any poll succeeded, of the vendor's own type. */
  readonly snapshot: Snapshot | undefined;
}

/**
 * Whether an error is worth retrying: a transient HTTP status, a network fault, a garbled body.
 *
 * @group Errors
 */
export function isTransient(error: unknown): boolean {
  return error instanceof TaskwaitError && error.transient;
}
