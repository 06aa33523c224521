/**
 * The options of a client and of a wait: their types, their defaults, and the checks that run once,
 * when the client is created (or when a wait overrides a poll option), with a {@link ConfigError}
 * that names the option. After this, the rest of the client trusts its options.
 *
 * @module
 */

import { parseBaseUrl } from './base-url.js';
import { Budget, type RequestBudget } from './budget.js';
import { checkTokenHeaders, isHeaderSafe, type TokenSource } from './credentials.js';
import { ConfigError } from './errors.js';
import { DEFAULT_RETRY, type RetryOptions } from './http.js';
import type { TaskSnapshot } from './lifecycle.js';
import type { Hooks } from './observe/hooks.js';
import { type ObserveOptions, type ObserveSettings, resolveObserve } from './observe/options.js';
import type { WaitState } from './poll/poller.js';
import { checkSchedule, DEFAULT_POLL_OPTIONS, type PollOptions } from './poll/schedule.js';
import type { RateLimit } from './ratelimit.js';
import type { Vendor } from './vendor.js';

/**
 * Options of {@link createClient}. Validated once, when the client is created. Logging, hooks and
 * OpenTelemetry are in {@link ObserveOptions}.
 *
 * @group Client
 */
export interface ClientOptions extends ObserveOptions {
  /**
   * The credential: a string, or a (possibly async) function called before each request, e.g.
   * `token: process.env.MIXPEEK_TOKEN`. Required: a client without one (`undefined`, or `''` from
   * an unset environment variable) is a {@link ConfigError} from `createClient`, before any
   * request. `false` says the API really takes no credential (a local server, a proxy that adds
   * its own): the client then sends none.
   */
  token?: TokenSource | false | undefined;
  /** Overrides the vendor's production base URL (a sandbox, a proxy, a fake server). */
  baseUrl?: string | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string> | undefined;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch | undefined;
  /**
   * The longest one request may take, covering the whole body and the token function. Default
   * 30000 ms. The limit of a whole wait is `wait.timeoutMs` (or `wait(ref, { timeoutMs })`).
   */
  requestTimeoutMs?: number | undefined;
  /**
   * Renamed in 0.2.0: `requestTimeoutMs` limits one request, and `wait: { timeoutMs }` limits a
   * whole wait. Passing it is a {@link ConfigError} that says which one to use.
   * @deprecated
   */
  timeoutMs?: undefined;
  /** Retry of transient faults within one request. Default 3 retries, 500 ms → 5000 ms. */
  retry?: { [K in keyof RetryOptions]?: RetryOptions[K] | undefined } | undefined;
  /** The most bytes of a response body the client reads. Default 8 MiB. */
  maxResponseBytes?: number | undefined;
  /** Defaults for every `wait`, `watch` and `poll` of this client. */
  wait?: WaitDefaults | undefined;
  /** Origins besides the base URL's to which task URLs (and the token) may go. */
  trustedOrigins?: readonly string[] | undefined;
  /** The most requests of this client in flight at once (its request budget). Default 32. */
  maxConcurrency?: number | undefined;
  /**
   * A token bucket for this client's requests. Default: the vendor's documented limit (Postman:
   * 300 per minute) when the client talks to the vendor's own base URL, else none until the
   * server throttles; `false` for none at all.
   */
  rateLimit?: RateLimit | false | undefined;
  /**
   * The request budget: every request of the client (gets, wait polls, pages, cancels, and each
   * retry) asks it before it goes. By default each client has its own, even with the same token;
   * pass one made by `createBudget()` to several clients to share it, or `false` to let every
   * request go on its own.
   */
  budget?: RequestBudget | false | undefined;
  /**
   * Batched reads, for a vendor that declares them: the polls of this client's waits that fall due
   * within `windowMs` of each other (default 250) go as one request. `false` reads each task with
   * its own GET.
   */
  batch?: { windowMs?: number | undefined } | false | undefined;
}

/**
 * Poll options, each optional (and each may be `undefined`: the default applies).
 *
 * @group Client
 */
export type PollOverrides = { [K in keyof PollOptions]?: PollOptions[K] | undefined };

/**
 * Poll options plus the total timeout.
 *
 * @group Client
 */
export interface WaitDefaults extends PollOverrides {
  /** The longest a wait may take, in ms. Default 3600000 (1 hour); `Infinity` only when asked. */
  timeoutMs?: number | undefined;
}

/**
 * Options of one `wait` (or `watch`).
 *
 * @group Client
 */
export interface WaitOptions<Snapshot = TaskSnapshot> extends WaitDefaults {
  /** Stops the wait at once, also during a sleep or a request; it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called with the first snapshot and whenever the state or progress changes. */
  onProgress?: ((snapshot: Snapshot) => void) | undefined;
  /** Reject with {@link TaskFailedError} when the task ends `failed` or `canceled`. Default true. */
  throwOnFailure?: boolean | undefined;
  /** Go on from a saved wait: a {@link WaitState} or its JSON text (a `WaitTimeoutError.resumeToken`). */
  resumeFrom?: WaitState | string | undefined;
  /** Hooks for this wait alone, called after the client's. */
  hooks?: Hooks<Snapshot> | undefined;
}

/** Poll options with every default filled in and checked, plus the wait's total timeout. */
export type ResolvedWait = Readonly<PollOptions & { timeoutMs: number }>;

/** A client's options, checked, with every default filled in. */
export interface ResolvedClientOptions {
  /** The base URL, ending in `/`. */
  base: URL;
  /** The origins a task URL (and the token) may go to. */
  trusted: ReadonlySet<string>;
  wait: ResolvedWait;
  token: TokenSource | undefined;
  headers: Record<string, string>;
  fetch: typeof fetch | undefined;
  requestTimeoutMs: number;
  retry: RetryOptions;
  maxResponseBytes: number;
  /** The request budget, or undefined for none. */
  budget: Budget | undefined;
  /** How long polls wait to be batched, or undefined when they are not. */
  batchWindowMs: number | undefined;
  observe: ObserveSettings;
}

const DEFAULT_TIMEOUT_MS = 3_600_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const DEFAULT_BATCH_WINDOW_MS = 250;
// setTimeout's limit: a longer delay fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks every option of {@link createClient} and fills in the defaults. */
export function resolveClientOptions(vendor: Vendor, options: ClientOptions): ResolvedClientOptions {
  const base = parseBaseUrl(options.baseUrl ?? vendor.baseUrl);
  // The vendor's own other origins count only with its own base URL: a token meant for a proxy or
  // a sandbox does not go to production hosts.
  const vendorOrigins = options.baseUrl === undefined ? (vendor.trustedOrigins ?? []) : [];
  const trusted = new Set([
    base.origin,
    ...[...vendorOrigins, ...(options.trustedOrigins ?? [])].map((o) => parseBaseUrl(o, 'trustedOrigins').origin),
  ]);
  const wait = checkWaitOptions({
    ...DEFAULT_POLL_OPTIONS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    ...defined(vendor.poll),
    ...defined(options.wait),
  });
  const retry = { ...DEFAULT_RETRY, ...defined(options.retry) };
  checkNumber('retry.retries', retry.retries, { min: 0, integer: true, max: 100 });
  checkNumber('retry.minDelayMs', retry.minDelayMs, { min: 0 });
  checkNumber('retry.maxDelayMs', retry.maxDelayMs, { min: retry.minDelayMs });
  if ((options as { timeoutMs?: unknown }).timeoutMs !== undefined) {
    throw new ConfigError(
      'timeoutMs',
      'createClient has no timeoutMs since 0.2.0: use requestTimeoutMs to limit one request, and wait: { timeoutMs } to limit a whole wait',
    );
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  checkNumber('requestTimeoutMs', requestTimeoutMs, { min: 1, max: MAX_TIMER_MS });
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  checkNumber('maxResponseBytes', maxResponseBytes, { min: 1, integer: true });
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigError('fetch', 'fetch must be a function like the global fetch');
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value !== 'string') throw new ConfigError('headers', `header ${name} must be a string`);
    if (!isHeaderSafe(name, value)) {
      throw new ConfigError(
        'headers',
        `header ${JSON.stringify(name.slice(0, 60))} is not a valid HTTP header: a name is a token (no spaces), a value has no line break and only Latin-1 characters`,
      );
    }
  }
  const budget = resolveBudget(vendor, options);
  const batchWindowMs = resolveBatch(vendor, options);
  const observe = resolveObserve(options);
  // Last: a bad option is named even in a call that gives no token yet.
  const token = resolveToken(vendor, options.token);
  return {
    base,
    trusted,
    wait,
    token,
    headers: { ...vendor.headers, ...(defined(options.headers) as Record<string, string>) },
    fetch: options.fetch,
    requestTimeoutMs,
    retry,
    maxResponseBytes,
    budget,
    batchWindowMs,
    observe,
  };
}

/**
 * The token, checked: a missing one is a mistake to name now, not a 401 later. `false` is the
 * only way to have none.
 */
function resolveToken(vendor: Vendor, token: unknown): TokenSource | undefined {
  if (token === false) return undefined;
  if (typeof token === 'function') return token as TokenSource;
  if (token === undefined || token === null || (typeof token === 'string' && token.trim() === '')) {
    const variable = `${vendor.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_TOKEN`;
    // `token` in backticks: redaction takes `token: …` in a message for a credential.
    throw new ConfigError(
      'token',
      `createClient(${vendor.name}) has no token (${token === undefined || token === null ? String(token) : 'an empty string'}): set ${variable} and pass process.env.${variable} as the \`token\` option, or a function that returns one; pass \`token\` false only for an API that takes no credential`,
    );
  }
  if (typeof token !== 'string') {
    throw new ConfigError(
      'token',
      `token must be a non-empty string, a function that returns one, or false, got ${describeOption(token)}`,
    );
  }
  checkTokenHeaders(vendor.name, vendor.auth(token));
  return token;
}

/** The client's own budget, the one it was given, or none. */
function resolveBudget(vendor: Vendor, options: ClientOptions): Budget | undefined {
  const { budget, maxConcurrency, rateLimit } = options;
  const own = maxConcurrency !== undefined || rateLimit !== undefined;
  // A vendor's documented limit is its production API's: a sandbox, a proxy or a fake server has its own.
  if (budget === undefined) {
    return new Budget({ maxConcurrency, rateLimit }, options.baseUrl === undefined ? vendor.rateLimit : undefined);
  }
  if (budget !== false && !(budget instanceof Budget)) {
    throw new ConfigError('budget', 'budget must be a budget made by createBudget(), or false');
  }
  if (own) {
    throw new ConfigError(
      'budget',
      budget === false
        ? 'budget: false sends every request on its own: drop maxConcurrency and rateLimit, or the budget option'
        : 'a shared budget has its own limits: give maxConcurrency and rateLimit to createBudget(), not to createClient()',
    );
  }
  return budget === false ? undefined : budget;
}

function resolveBatch(vendor: Vendor, options: ClientOptions): number | undefined {
  const { batch } = options;
  if (batch === false) return undefined;
  if (batch !== undefined && (typeof batch !== 'object' || batch === null)) {
    throw new ConfigError('batch', 'batch must be { windowMs } or false');
  }
  const windowMs = batch?.windowMs ?? DEFAULT_BATCH_WINDOW_MS;
  checkNumber('batch.windowMs', windowMs, { min: 0, max: 60_000 });
  return vendor.batch ? windowMs : undefined;
}

const POLL_KEYS = [
  'minDelayMs',
  'maxDelayMs',
  'factor',
  'jitter',
  'maxRetryAfterMs',
  'estimate',
  'maxEstimateDelayMs',
  'schedule',
  'timeoutMs',
] as const satisfies readonly (keyof WaitDefaults)[];

/**
 * The checked settings of each wait: the client's defaults, or those with the call's own poll
 * options on top. The last set of overrides is kept, so a loop of waits with the same options
 * checks them once and its pending waits share one frozen object.
 */
export function waitSettings(defaults: ResolvedWait): (options: WaitDefaults) => ResolvedWait {
  let lastOwn: Defined<WaitDefaults> | undefined;
  let lastSettings = defaults;
  return (options) => {
    const own = pickPoll(options);
    const keys = Object.keys(own) as (keyof WaitDefaults)[];
    if (keys.length === 0) return defaults;
    const last = lastOwn;
    if (
      last !== undefined &&
      keys.length === Object.keys(last).length &&
      keys.every((key) => Object.is(own[key], last[key]))
    ) {
      return lastSettings;
    }
    lastSettings = checkWaitOptions({ ...defaults, ...own });
    lastOwn = own;
    return lastSettings;
  };
}

function pickPoll(options: WaitDefaults): Defined<WaitDefaults> {
  const out: Record<string, unknown> = {};
  for (const key of POLL_KEYS) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out as Defined<WaitDefaults>;
}

function checkWaitOptions(options: PollOptions & { timeoutMs?: number | undefined }): ResolvedWait {
  checkNumber('minDelayMs', options.minDelayMs, { min: 1 });
  checkNumber('maxDelayMs', options.maxDelayMs, { min: options.minDelayMs, hint: 'and at least minDelayMs' });
  checkNumber('factor', options.factor, { min: 1, max: 100 });
  checkNumber('jitter', options.jitter, { min: 0, max: 1 });
  checkNumber('maxRetryAfterMs', options.maxRetryAfterMs, { min: 0 });
  if (options.maxEstimateDelayMs !== undefined) {
    checkNumber('maxEstimateDelayMs', options.maxEstimateDelayMs, { min: 0 });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (timeoutMs !== Number.POSITIVE_INFINITY) checkNumber('timeoutMs', timeoutMs, { min: 1, max: MAX_TIMER_MS });
  if (typeof options.estimate !== 'boolean') throw new ConfigError('estimate', 'estimate must be true or false');
  return Object.freeze({ ...options, schedule: checkSchedule(options.schedule), timeoutMs });
}

/** Throws a {@link ConfigError} naming `field` unless `value` is a finite number within `rule`. */
export function checkNumber(
  field: string,
  value: unknown,
  rule: { min: number; max?: number | undefined; integer?: boolean | undefined; hint?: string | undefined },
): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= rule.min &&
    (rule.max === undefined || value <= rule.max) &&
    (!rule.integer || Number.isInteger(value));
  if (!ok) {
    const range = rule.max === undefined ? `at least ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    throw new ConfigError(
      field,
      `${field} must be a finite ${rule.integer ? 'whole ' : ''}number ${range}${rule.hint ? ` ${rule.hint}` : ''}, got ${describeOption(value)}`,
    );
  }
}

/** The options of `T` that were given a value. */
type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

// An option given as `undefined` means "the default": it must not override one when spread.
function defined<T extends object>(value: T | undefined): Defined<T> {
  const out: Record<string, unknown> = {};
  for (const [key, each] of Object.entries(value ?? {})) if (each !== undefined) out[key] = each;
  return out as Defined<T>;
}

// An option as a message shows it: short, quoted when text, and never String() of a Symbol.
function describeOption(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
