/**
 * The TaskwaitError hierarchy, and the redaction that keeps secrets out of every message.
 *
 * @module
 */
import type { TaskSnapshot } from './lifecycle.js';

const REDACTED = '[REDACTED]';

// Credentials in the forms the known vendors use, for text we did not produce (bodies, causes).
// Server text is hostile, so each pattern runs in linear time: no start position can make a
// quantifier rescan text another start already scanned (the scheme of a URL may only start where
// no scheme character precedes it, and is at most 32 characters long).
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(Bearer|Basic|AnaplanAuthToken|Token)(:?\s*)[A-Za-z0-9._~+/=-]{6,}/gi,
  /\b(liq_(?:live|test)_|sk_(?:live_|test_)?|PMAK-)[A-Za-z0-9_-]{4,}/g,
  /((?:api[_-]?key|token|access_token|secret|password|signature)["']?\s*[:=]\s*["']?)[^"'&\s,}]{3,}/gi,
  // The userinfo of a URL: `https://user:password@host`.
  /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@"']+@/gi,
];

/**
 * Removes credentials from text: every exact secret given, and the token forms the known vendors
 * use. Used on every message, body excerpt and URL that an error carries. Linear in the length of
 * `text`, whatever it holds.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(SECRET_PATTERNS[0] as RegExp, `$1$2${REDACTED}`);
  out = out.replace(SECRET_PATTERNS[1] as RegExp, `$1${REDACTED}`);
  out = out.replace(SECRET_PATTERNS[3] as RegExp, `$1${REDACTED}@`);
  return out.replace(SECRET_PATTERNS[2] as RegExp, `$1${REDACTED}`);
}

/** The most characters of server text a snapshot field (`message`, `error.message`, `rawStatus`) keeps. */
export const MAX_FIELD_CHARS = 4096;
// The most characters of server text one message quotes (room for a field's own `…(n more
// bytes)`, so a bounded field is quoted whole), and the most a whole message holds.
const MAX_QUOTE_CHARS = MAX_FIELD_CHARS + 64;
const MAX_MESSAGE_CHARS = 16_384;
// Characters a token, a URL or a base64 blob is made of: a cut does not fall among them, unless
// the run is longer than MAX_BACKOFF.
const TOKEN_CHAR = /[A-Za-z0-9._~+/=%:-]/;
const MAX_BACKOFF = 64;

/**
 * `text` cut to at most `max` characters, ending `…(n more bytes)` when it was longer. The cut
 * moves back to the start of a token-like word rather than keep a fragment of one, so a
 * credential cut in half can't slip past the patterns {@link redact} knows.
 */
export function clip(text: string, max: number = MAX_FIELD_CHARS): string {
  if (text.length <= max) return text;
  const cut = safeCut(text, max);
  return `${text.slice(0, cut)}…(${utf8Length(text, cut)} more bytes)`;
}

/**
 * The start of text we did not write, fit to quote in a message: at most `max` characters, with
 * every exact secret in `secrets` and every token form {@link redact} knows removed. Only the
 * start is redacted, so a body of megabytes costs no more than a short one.
 */
export function quote(text: string, max: number = MAX_QUOTE_CHARS, secrets: Iterable<string> = []): string {
  const list = [...secrets];
  if (text.length <= max) return redact(text, list);
  // A secret that starts before the cut ends inside the window, so it is redacted whole.
  const longest = list.reduce((n, secret) => Math.max(n, secret.length), 0);
  const window = text.slice(0, safeCut(text, max + longest));
  const redacted = redact(window, list);
  const cut = safeCut(redacted, max);
  const more = utf8Length(redacted, cut) + utf8Length(text, window.length);
  return more === 0 ? redacted : `${redacted.slice(0, cut)}…(${more} more bytes)`;
}

/** Where to cut `text` to at most `max` characters: not inside a token-like word or a surrogate pair. */
function safeCut(text: string, max: number): number {
  if (text.length <= max) return text.length;
  let cut = max;
  if (TOKEN_CHAR.test(text.charAt(cut))) {
    const floor = Math.max(0, max - MAX_BACKOFF);
    while (cut > floor && TOKEN_CHAR.test(text.charAt(cut - 1))) cut--;
    // A run longer than any token form: cut it where it stands (what shows is long enough for
    // the patterns to know it).
    if (cut === floor && TOKEN_CHAR.test(text.charAt(floor - 1))) cut = max;
  }
  const last = text.charCodeAt(cut - 1);
  if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--;
  return cut;
}

/** The UTF-8 length of `text` from `start` on. */
function utf8Length(text: string, start: number): number {
  return new TextEncoder().encode(text.slice(start)).byteLength;
}

/** Any value as text, for a message: a Symbol, or an object whose `toString` throws, included. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'symbol') return value.toString();
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Replaces, in place, every exact secret in the strings of a JSON value (a payload a server
 * echoed a credential into), in its keys as in its values. Returns whether it replaced any.
 * Iterative: any depth is safe.
 */
export function redactDeep(value: unknown, secrets: Iterable<string>): boolean {
  const wanted = [...secrets].filter((s) => s.length >= 4);
  if (wanted.length === 0) return false;
  const holds = (text: string) => wanted.some((s) => text.includes(s));
  let changed = false;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    for (const key of keys) {
      const child = record[key];
      if (typeof child === 'string') {
        if (holds(child)) {
          record[key] = redact(child, wanted);
          changed = true;
        }
      } else if (child !== null && typeof child === 'object') {
        stack.push(child);
      }
    }
    if (!Array.isArray(record) && keys.some(holds)) {
      renameKeys(record, keys, (key) => (holds(key) ? redact(key, wanted) : key));
      changed = true;
    }
  }
  return changed;
}

/** Renames the keys of `record` in place, keeping their order; a name taken twice gets a suffix. */
function renameKeys(record: Record<string, unknown>, keys: readonly string[], rename: (key: string) => string): void {
  const entries = keys.map((key) => [rename(key), record[key]] as const);
  for (const key of keys) delete record[key];
  for (const [name, child] of entries) {
    let unique = name;
    for (let n = 2; Object.hasOwn(record, unique); n++) unique = `${name} (${n})`;
    // Defined, not assigned: a key named `__proto__` stays a key.
    Object.defineProperty(record, unique, { value: child, writable: true, enumerable: true, configurable: true });
  }
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

  constructor(init: {
    status: number;
    method: string;
    url: string;
    bodyExcerpt: string;
    problem?: ProblemDetails;
    retryAfterMs?: number;
    vendor: string;
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
    if (init.problem) this.problem = init.problem;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
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

/** The task ended `failed` or `canceled`. `snapshot` is the terminal observation. */
export class TaskFailedError<Snapshot extends TaskSnapshot = TaskSnapshot> extends TaskwaitError {
  override name = 'TaskFailedError';
  readonly snapshot: Snapshot;

  constructor(snapshot: Snapshot) {
    super(
      `${snapshot.vendor} task ${clip(describeValue(snapshot.id), 200)} ${snapshot.state === 'canceled' ? 'was canceled' : 'failed'} (status ${clip(
        describeValue(snapshot.rawStatus),
        200,
      )})${snapshot.error ? `: ${clip(describeValue(snapshot.error.message), MAX_QUOTE_CHARS)}` : ''}`,
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
    const last = init.snapshot
      ? `last seen ${init.snapshot.state} (${clip(describeValue(init.snapshot.rawStatus), 200)})`
      : 'no successful poll';
    super(
      `${init.vendor} task ${clip(describeValue(init.id), 200)} did not finish within ${init.elapsedMs} ms after ${init.polls} polls; ${last}`,
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
