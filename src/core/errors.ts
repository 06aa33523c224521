/**
 * The TaskwaitError hierarchy, and the redaction that keeps secrets out of every message.
 *
 * @module
 */
import type { TaskSnapshot } from './lifecycle.js';

const REDACTED = '[REDACTED]';

// Credentials in the forms the known vendors use, for text we did not produce (bodies, causes).
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(Bearer|Basic|AnaplanAuthToken|Token)(:?\s*)[A-Za-z0-9._~+/=-]{6,}/gi,
  /\b(liq_(?:live|test)_|sk_(?:live_|test_)?|PMAK-)[A-Za-z0-9_-]{4,}/g,
  /((?:api[_-]?key|token|access_token|secret|password|signature)["']?\s*[:=]\s*["']?)[^"'&\s,}]{3,}/gi,
  // The userinfo of a URL: `https://user:password@host`.
  /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"']+@/gi,
];

/**
 * Removes credentials from text: every exact secret given, and the token forms the known vendors
 * use. Used on every message, body excerpt and URL that an error carries.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(SECRET_PATTERNS[0] as RegExp, `$1$2${REDACTED}`);
  out = out.replace(SECRET_PATTERNS[1] as RegExp, `$1${REDACTED}`);
  out = out.replace(SECRET_PATTERNS[3] as RegExp, `$1${REDACTED}@`);
  return out.replace(SECRET_PATTERNS[2] as RegExp, `$1${REDACTED}`);
}

/**
 * Replaces, in place, every exact secret in the strings of a JSON value (a payload a server
 * echoed a credential into). Returns whether it replaced any. Iterative: any depth is safe.
 */
export function redactDeep(value: unknown, secrets: ReadonlySet<string>): boolean {
  const wanted = [...secrets].filter((s) => s.length >= 4);
  if (wanted.length === 0) return false;
  let changed = false;
  const clean = (text: string) => {
    if (!wanted.some((s) => text.includes(s))) return text;
    changed = true;
    return redact(text, wanted);
  };
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === 'string') {
        const cleaned = clean(child);
        if (cleaned !== child) record[key] = cleaned;
      } else if (child !== null && typeof child === 'object') {
        stack.push(child);
      }
    }
  }
  return changed;
}

const SENSITIVE_QUERY = /^(api[_-]?key|key|token|access_token|auth|signature|sig|secret|password)$/i;

/** A URL fit to show: no userinfo, credential-like query values masked. */
export function safeUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redact(String(url));
  }
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SENSITIVE_QUERY.test(key)) parsed.searchParams.set(key, REDACTED);
  }
  return parsed.toString();
}

/** Options every taskwait error takes. */
export interface TaskwaitErrorOptions {
  /** The underlying error, kept as the standard `Error.cause`. */
  cause?: unknown;
}

/** The base of every error taskwait throws (an abort rejects with the signal's own reason). */
export class TaskwaitError extends Error {
  override name = 'TaskwaitError';

  constructor(message: string, options?: TaskwaitErrorOptions) {
    super(redact(message), options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /** Whether retrying the same request later may succeed. */
  get transient(): boolean {
    return false;
  }

  /** Plain data for logs; carries no secret. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'name' && key !== 'message' && key !== 'cause') out[key] = value;
    }
    if (this.cause !== undefined) out.cause = describeCause(this.cause);
    return out;
  }
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof TaskwaitError) return cause.toJSON();
  if (cause instanceof Error) return { name: cause.name, message: redact(cause.message) };
  return redact(String(cause));
}

/** A caller's mistake: a bad option, base URL or task reference. Fix the call; retrying won't help. */
export class ConfigError extends TaskwaitError {
  override name = 'ConfigError';
  /** The option or argument at fault, e.g. `"baseUrl"` or `"ref"`. */
  readonly field: string;

  constructor(field: string, message: string, options?: TaskwaitErrorOptions) {
    super(message, options);
    this.field = field;
  }
}

/** An RFC 9457 / RFC 9110 problem document, as some vendors send with their errors. */
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

/** Whether an HTTP status is worth retrying (408, 425, 429, 500, 502, 503, 504). */
export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUS.has(status);
}

/** The server answered with an error status. */
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
    problem?: ProblemDetails;
    retryAfterMs?: number;
    vendor: string;
    headers?: Readonly<Record<string, string>>;
    requestId?: string;
  }) {
    const what = init.problem?.detail ?? init.problem?.title ?? init.bodyExcerpt.slice(0, 200);
    super(
      `${init.vendor}: ${init.method} ${safeUrl(init.url)} answered ${init.status}${hintFor(init.status)}${
        what ? `: ${what}` : ''
      }`,
    );
    this.status = init.status;
    this.method = init.method;
    this.url = safeUrl(init.url);
    this.bodyExcerpt = init.bodyExcerpt;
    if (init.problem) this.problem = init.problem;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.headers = init.headers ?? Object.freeze({});
    if (init.requestId !== undefined) this.requestId = init.requestId;
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

/** The request did not complete: a connection fault, DNS failure or per-request timeout. */
export class NetworkError extends TaskwaitError {
  override name = 'NetworkError';
  readonly method: string;
  readonly url: string;
  /** True when the per-request timeout ended it. */
  readonly timedOut: boolean;

  constructor(init: { method: string; url: string; timedOut: boolean; vendor: string; cause?: unknown }) {
    const reason = init.timedOut
      ? 'timed out'
      : `failed: ${init.cause instanceof Error ? (errorCode(init.cause) ?? init.cause.message) : 'network error'}`;
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
  if (cause && typeof cause.code === 'string') return `${cause.code} (${error.message})`;
  return undefined;
}

/** One problem found in a response body. */
export interface ValidationIssue {
  /** Where in the body, e.g. `["task", "result", "successful"]`. Empty for the body itself. */
  path: readonly (string | number)[];
  message: string;
  code?: string;
}

/**
 * A response body that is not what the vendor documents: not JSON, empty, too large, or valid
 * JSON that fails the model's schema. `reason` says which.
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
      .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
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
    this.issues = init.issues;
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

/** The task ended `failed` or `canceled`. `snapshot` is the terminal observation. */
export class TaskFailedError<Snapshot extends TaskSnapshot = TaskSnapshot> extends TaskwaitError {
  override name = 'TaskFailedError';
  readonly snapshot: Snapshot;

  constructor(snapshot: Snapshot) {
    super(
      `${snapshot.vendor} task ${snapshot.id} ${snapshot.state === 'canceled' ? 'was canceled' : 'failed'} (status ${
        snapshot.rawStatus
      })${snapshot.error ? `: ${snapshot.error.message}` : ''}`,
    );
    this.snapshot = snapshot;
  }
}

/** The wait ran out of time. Resume it later with `resumeToken`. */
export class WaitTimeoutError<Snapshot extends TaskSnapshot = TaskSnapshot> extends TaskwaitError {
  override name = 'WaitTimeoutError';
  /** The last snapshot observed, if any poll succeeded. */
  readonly snapshot: Snapshot | undefined;
  readonly elapsedMs: number;
  readonly polls: number;
  /** Pass to `wait(ref, { resumeFrom })` or `client.resume()` to go on where this wait stopped. */
  readonly resumeToken: string;

  constructor(init: {
    vendor: string;
    id: string;
    snapshot: Snapshot | undefined;
    elapsedMs: number;
    polls: number;
    resumeToken: string;
    cause?: unknown;
  }) {
    const last = init.snapshot ? `last seen ${init.snapshot.state} (${init.snapshot.rawStatus})` : 'no successful poll';
    super(
      `${init.vendor} task ${init.id} did not finish within ${init.elapsedMs} ms after ${init.polls} polls; ${last}`,
      { cause: init.cause },
    );
    this.snapshot = init.snapshot;
    this.elapsedMs = init.elapsedMs;
    this.polls = init.polls;
    this.resumeToken = init.resumeToken;
  }
}

/** Whether an error is worth retrying: a transient HTTP status, a network fault, a garbled body. */
export function isTransient(error: unknown): boolean {
  return error instanceof TaskwaitError && error.transient;
}
