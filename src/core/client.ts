/**
 * `createClient`: get / wait / watch / poll / resume / cancel for one vendor, built from the HTTP
 * layer, the normalizer and the poller.
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError, ResponseValidationError, TaskFailedError, TaskwaitError } from './errors.js';
import {
  checkTokenHeaders,
  DEFAULT_RETRY,
  type HttpClient as Http,
  HttpClient,
  isHeaderSafe,
  type RetryOptions,
  type TokenSource,
} from './http.js';
import type { TaskSnapshot } from './lifecycle.js';
import { applyEnrichment, normalize, StatusTable } from './normalize.js';
import { type PagingOptions, paginate } from './paging/paginator.js';
import {
  advance,
  decodeState,
  encodeState,
  initialState,
  pollLoop,
  type WaitShared,
  type WaitState,
  waitFor,
} from './poll/poller.js';
import { DEFAULT_POLL_OPTIONS, type PollOptions } from './poll/schedule.js';
import {
  type MethodsOf,
  parseBaseUrl,
  type RefOf,
  type SnapshotOf,
  type TaskKind,
  type TaskUrl,
  type Vendor,
  type VendorContext,
  type VendorRequest,
} from './vendor.js';

/** Options of {@link createClient}. Validated once, when the client is created. */
export interface ClientOptions {
  /** The credential: a string, or a (possibly async) function called before each request. */
  token?: TokenSource;
  /** Overrides the vendor's production base URL (a sandbox, a proxy, a fake server). */
  baseUrl?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** Per-request timeout, covering the whole body. Default 30000 ms. */
  timeoutMs?: number;
  /** Retry of transient faults within one request. Default 3 retries, 500 ms → 5000 ms. */
  retry?: Partial<RetryOptions>;
  /** The most bytes of a response body the client reads. Default 8 MiB. */
  maxResponseBytes?: number;
  /** Defaults for every `wait`, `watch` and `poll` of this client. */
  wait?: WaitDefaults;
  /** Origins besides the base URL's to which task URLs (and the token) may go. */
  trustedOrigins?: readonly string[];
}

/** Poll options plus the total timeout. */
export interface WaitDefaults extends Partial<PollOptions> {
  /** The longest a wait may take, in ms. Default 3600000 (1 hour); `Infinity` only when asked. */
  timeoutMs?: number;
}

/** Options of one `wait` (or `watch`). */
export interface WaitOptions<Snapshot = TaskSnapshot> extends WaitDefaults {
  /** Stops the wait at once, also during a sleep or a request; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the first snapshot and whenever the state or progress changes. */
  onProgress?: (snapshot: Snapshot) => void;
  /** Reject with {@link TaskFailedError} when the task ends `failed` or `canceled`. Default true. */
  throwOnFailure?: boolean;
  /** Go on from a saved wait: a {@link WaitState} or its JSON text (a `WaitTimeoutError.resumeToken`). */
  resumeFrom?: WaitState | string;
}

/** The result of {@link BaseClient.poll}: one poll, and what to do next. */
export interface PollStep<Snapshot> {
  snapshot: Snapshot;
  /** True when the snapshot is terminal. */
  done: boolean;
  /** Wait this long before the next `poll` (0 when done). */
  delayMs: number;
  /** Pass back as `state` to the next `poll`. */
  state: WaitState;
  /** `state` as JSON text. */
  resumeToken: string;
}

/** A client for one vendor. Vendor-specific methods (lists, paging, results) are merged in. */
export interface BaseClient<Ref, Snapshot> {
  /** The vendor's name. */
  readonly vendor: string;
  /** The base URL in use. */
  readonly baseUrl: string;
  /** Fetches the task once (retrying transient faults), validated and normalized. */
  get(ref: Ref | TaskUrl, options?: { signal?: AbortSignal }): Promise<Snapshot>;
  /**
   * Polls until the task ends. Resolves with the terminal snapshot when it `succeeded`, was
   * `partial` or `skipped`; rejects with {@link TaskFailedError} on `failed` or `canceled`
   * (unless `throwOnFailure: false`), with `WaitTimeoutError` on timeout.
   */
  wait(ref: Ref | TaskUrl, options?: WaitOptions<Snapshot>): Promise<Snapshot>;
  /** Every snapshot observed, ending with the terminal one. `break` stops the polling. */
  watch(
    ref: Ref | TaskUrl,
    options?: Omit<WaitOptions<Snapshot>, 'throwOnFailure' | 'onProgress'>,
  ): AsyncGenerator<Snapshot, void, undefined>;
  /**
   * One poll and the decision that follows, for a job queue or workflow engine that drives the
   * polling itself: call again after `delayMs` with the returned `state`.
   */
  poll(
    ref: Ref | TaskUrl,
    options?: Partial<PollOptions> & { state?: WaitState | string; signal?: AbortSignal },
  ): Promise<PollStep<Snapshot>>;
  /** Resumes a wait from a resume token alone (the token carries the reference). */
  resume(token: WaitState | string, options?: Omit<WaitOptions<Snapshot>, 'resumeFrom'>): Promise<Snapshot>;
  /** Asks the vendor to cancel the task. A {@link ConfigError} where the vendor can't. */
  cancel(ref: Ref | TaskUrl, options?: { signal?: AbortSignal }): Promise<void>;
}

/** The client `createClient(vendor)` returns. */
export type TaskClient<V extends AnyVendor> = BaseClient<RefOf<V>, SnapshotOf<V>> & MethodsOf<V>;

/** Any vendor {@link defineVendor} made, whatever its statuses, kinds and methods: what {@link createClient} takes. */
// biome-ignore lint/suspicious/noExplicitAny: any vendor, whatever its type parameters
export type AnyVendor = Vendor<string, string, any, any, any>;

const DEFAULT_TIMEOUT_MS = 3_600_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const MAX_SEGMENT = 2048;

interface ResolvedTask {
  /** The task's URL, as text: a `URL` is built per request, not kept by every pending wait. */
  href: string;
  kindName: string;
  kind: TaskKind;
  /** For messages: the task id as the caller named it. */
  id: string;
  /** The reference as JSON-safe data, for resume tokens. */
  ref: unknown;
}

/**
 * Creates a client for `vendor`. Every option is checked here, once, with a {@link ConfigError}
 * that names the option.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { mixpeek } from 'taskwait/mixpeek';
 * const client = createClient(mixpeek, { token: process.env.MIXPEEK_TOKEN });
 * const done = await client.wait('task_123', { timeoutMs: 10 * 60_000 });
 * ```
 */
export function createClient<V extends AnyVendor>(vendor: V, options: ClientOptions = {}): TaskClient<V> {
  if (!vendor || typeof vendor !== 'object' || typeof vendor.name !== 'string' || !vendor.tasks) {
    throw new ConfigError(
      'vendor',
      'createClient needs a vendor made by defineVendor (e.g. import { mixpeek } from "taskwait/mixpeek")',
    );
  }
  const base = parseBaseUrl(options.baseUrl ?? vendor.baseUrl);
  // The vendor's own other origins count only with its own base URL: a token meant for a proxy or
  // a sandbox does not go to production hosts.
  const vendorOrigins = options.baseUrl === undefined ? (vendor.trustedOrigins ?? []) : [];
  const trusted = new Set([
    base.origin,
    ...[...vendorOrigins, ...(options.trustedOrigins ?? [])].map((o) => parseBaseUrl(o, 'trustedOrigins').origin),
  ]);
  const waitDefaults = checkWaitOptions({
    ...DEFAULT_POLL_OPTIONS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    ...vendor.poll,
    ...options.wait,
  });
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  checkNumber('retry.retries', retry.retries, { min: 0, integer: true, max: 100 });
  checkNumber('retry.minDelayMs', retry.minDelayMs, { min: 0 });
  checkNumber('retry.maxDelayMs', retry.maxDelayMs, { min: retry.minDelayMs });
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  checkNumber('timeoutMs', timeoutMs, { min: 1, max: 2 ** 31 - 1 });
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  checkNumber('maxResponseBytes', maxResponseBytes, { min: 1, integer: true });
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigError('fetch', 'fetch must be a function like the global fetch');
  }
  const token = options.token;
  if (token !== undefined && typeof token !== 'function' && (typeof token !== 'string' || token.trim() === '')) {
    throw new ConfigError('token', 'token must be a non-empty string or a function that returns one');
  }
  if (typeof token === 'string') checkTokenHeaders(vendor.name, vendor.auth(token));
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value !== 'string') throw new ConfigError('headers', `header ${name} must be a string`);
    if (!isHeaderSafe(name, value)) {
      throw new ConfigError(
        'headers',
        `header ${JSON.stringify(name.slice(0, 60))} is not a valid HTTP header: a name is a token (no spaces), a value has no line break and only Latin-1 characters`,
      );
    }
  }

  const http: Http = new HttpClient({
    vendor: vendor.name,
    auth: vendor.auth,
    token,
    headers: { ...vendor.headers, ...options.headers },
    fetch: options.fetch,
    timeoutMs,
    retry,
    maxResponseBytes,
    retryAfterHeaders: vendor.retryAfterHeaders ?? [],
    maxRetryAfterMs: waitDefaults.maxRetryAfterMs,
  });
  const table = new StatusTable(vendor);
  const kinds = vendor.tasks as Record<string, TaskKind>;
  const firstKind = Object.keys(kinds)[0] as string;

  const checkedUrl = (input: string, field: string): URL => {
    let url: URL;
    try {
      url = new URL(input, base);
    } catch {
      throw new ConfigError(field, `${vendor.name}: ${JSON.stringify(input.slice(0, 80))} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError(field, `${vendor.name}: task URLs must be http(s), not ${url.protocol}`);
    }
    if (!trusted.has(url.origin)) {
      throw new ConfigError(
        field,
        `${vendor.name}: ${url.origin} is not the client's origin (${base.origin}); the token is only sent there. Add it to trustedOrigins to allow it`,
      );
    }
    url.username = '';
    url.password = '';
    return url;
  };

  const pathUrl = (path: readonly unknown[], query?: Record<string, unknown>): URL => {
    const encoded = path.map((segment) => encodeURIComponent(checkSegment(vendor.name, segment)));
    const url = new URL(encoded.join('/'), base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  };

  const resolve = (ref: unknown): ResolvedTask => {
    if (typeof ref === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(ref)) return fromUrl(checkedUrl(ref, 'ref'), ref);
    if (ref && typeof ref === 'object' && 'url' in ref && Object.keys(ref).length === 1) {
      const { url } = ref as { url: unknown };
      if (typeof url !== 'string' || url.trim() === '') {
        throw new ConfigError('ref', `${vendor.name}: { url } must hold a task URL string`);
      }
      return fromUrl(checkedUrl(url, 'ref'), { url });
    }
    const parsed = (vendor.ref as z.ZodType).safeParse(ref);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
        .join('; ');
      throw new ConfigError('ref', `${vendor.name}: bad task reference ${describeRef(ref)}: ${detail}`);
    }
    const route = vendor.route(parsed.data);
    const kind = kinds[route.kind];
    if (!kind) throw new ConfigError('ref', `${vendor.name}: route() named an unknown task kind ${route.kind}`);
    const url = pathUrl(route.path, route.query);
    return {
      href: url.href,
      kindName: route.kind,
      kind,
      id: String(route.path[route.path.length - 1]),
      ref: parsed.data,
    };
  };

  const fromUrl = (url: URL, given: unknown): ResolvedTask => {
    const kindName = vendor.routeUrl?.(url) ?? firstKind;
    const kind = kinds[kindName];
    if (!kind) throw new ConfigError('ref', `${vendor.name}: no task kind for ${url.pathname}`);
    const segments = url.pathname.split('/').filter(Boolean);
    // The reference a resume token keeps: never a URL's userinfo (checkedUrl has dropped it from `url`).
    const text = typeof given === 'string' ? given : (given as { url: string }).url;
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text.trim());
    const ref = !userinfo ? given : typeof given === 'string' ? url.href : { url: url.href };
    return {
      href: url.href,
      kindName,
      kind,
      id: decodeSegment(segments[segments.length - 1] ?? url.pathname),
      ref,
    };
  };

  const fetchTask = async (task: ResolvedTask, signal: AbortSignal | undefined) => {
    const response = await http.send({
      method: 'GET',
      url: new URL(task.href),
      headers: task.kind.headers,
      schema: task.kind.schema,
      model: task.kind.model,
      signal,
    });
    let snapshot: TaskSnapshot;
    try {
      snapshot = normalize(vendor.name, task.kindName, task.kind, table, response.data);
    } catch (error) {
      if (error instanceof TaskwaitError) throw error;
      throw new ResponseValidationError({
        vendor: vendor.name,
        model: task.kind.model,
        reason: 'schema',
        issues: [{ path: [], message: `could not be normalized: ${(error as Error)?.message ?? String(error)}` }],
        url: task.href,
        status: response.status,
      });
    }
    if (snapshot.id === '' || snapshot.id === 'undefined') snapshot.id = task.id;
    if (snapshot.terminal && task.kind.enrich) {
      applyEnrichment(
        snapshot,
        await task.kind.enrich(snapshot, { vendor: vendor.name, request: context.request, signal }),
      );
    }
    return { snapshot, hintMs: response.hintMs };
  };

  // A saved state to go on from, or a fresh one.
  const stateOf = (given: WaitState | string | undefined, task: ResolvedTask): WaitState =>
    isGiven(given) ? decodeState(given, vendor.name) : initialState(vendor.name, task.ref, Date.now());

  const client: BaseClient<unknown, TaskSnapshot> = {
    vendor: vendor.name,
    baseUrl: base.href,

    async get(ref, opts = {}) {
      const task = resolve(ref);
      return (await fetchTask(task, opts.signal)).snapshot;
    },

    // Not an async function: a pending wait is one small object driven by timers and callbacks
    // (see waitFor), not a suspended frame and a generator. Errors still come as rejections.
    wait(ref, opts = {}) {
      try {
        const task = resolve(ref);
        const shared = waitShared(opts);
        const state = stateOf(opts.resumeFrom, task);
        return waitFor({
          shared,
          task,
          id: task.id,
          state,
          signal: opts.signal,
          onProgress: opts.onProgress,
          throwOnFailure: opts.throwOnFailure !== false,
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },

    watch(ref, opts = {}) {
      const task = resolve(ref);
      const settings = waitSettings(opts);
      const state = stateOf(opts.resumeFrom, task);
      return pollLoop({
        vendor: vendor.name,
        id: task.id,
        fetch: (signal) => fetchTask(task, signal),
        options: settings,
        state,
        timeoutMs: settings.timeoutMs,
        signal: opts.signal,
      });
    },

    async poll(ref, opts = {}) {
      const task = resolve(ref);
      const settings = waitSettings(opts);
      const state = stateOf(opts.state, task);
      const { snapshot, hintMs } = await fetchTask(task, opts.signal);
      const step = advance(state, { snapshot, hintMs, now: Date.now() }, settings);
      return {
        snapshot,
        done: step.done,
        delayMs: step.delayMs,
        state: step.state,
        resumeToken: encodeState(step.state),
      };
    },

    resume(token, opts = {}) {
      const state = decodeState(token, vendor.name);
      return client.wait(state.ref, { ...opts, resumeFrom: state });
    },

    async cancel(ref, opts = {}) {
      const task = resolve(ref);
      const cancel = vendor.cancel;
      if (!cancel || (cancel.kinds && !cancel.kinds.includes(task.kindName))) {
        throw new ConfigError('ref', `${vendor.name}: ${task.kindName} tasks can't be canceled through the API`);
      }
      const url = new URL(task.href);
      for (const segment of cancel.suffix ?? []) url.pathname += `/${encodeURIComponent(segment)}`;
      await http.send({ method: cancel.method, url, headers: task.kind.headers, model: 'cancel', signal: opts.signal });
    },
  };

  const context: VendorContext<unknown, TaskSnapshot> = {
    vendor: vendor.name,
    baseUrl: base.href,
    get: (ref, opts) => client.get(ref, opts),
    async request<Schema extends z.ZodType>(request: VendorRequest<Schema>) {
      const url =
        request.url !== undefined ? checkedUrl(request.url, 'url') : pathUrl(request.path ?? [], request.query);
      if (request.url !== undefined) {
        for (const [key, value] of Object.entries(request.query ?? {})) {
          if (value !== undefined) url.searchParams.set(key, String(value));
        }
      }
      const response = await http.send({
        method: request.method ?? 'GET',
        url,
        headers: request.headers,
        body: request.body,
        schema: request.schema,
        model: request.model ?? 'response',
        signal: request.signal,
        idempotent: request.idempotent,
      });
      return { data: response.data, status: response.status, headers: response.headers, url: response.url };
    },
    paginate: (source, opts?: PagingOptions) => paginate(source, opts),
  };

  // What every wait() shares: the client's defaults, and the checked settings of the last call that
  // overrode a poll option, for the next calls with the same overrides (a loop of waits with the same
  // options). Pending waits then hold one frozen object between them, not one each.
  const shareOf = (settings: ResolvedWait): WaitShared<ResolvedTask> =>
    Object.freeze({ vendor: vendor.name, fetch: fetchTask, options: settings, timeoutMs: settings.timeoutMs });
  const defaultShared = shareOf(waitDefaults);
  let lastOwn: WaitDefaults | undefined;
  let lastShared = defaultShared;
  function waitSettings(opts: WaitDefaults): ResolvedWait {
    return waitShared(opts).options as ResolvedWait;
  }
  function waitShared(opts: WaitDefaults): WaitShared<ResolvedTask> {
    const own = pickPoll(opts);
    const keys = Object.keys(own) as (keyof WaitDefaults)[];
    if (keys.length === 0) return defaultShared;
    const last = lastOwn;
    if (
      last !== undefined &&
      keys.length === Object.keys(last).length &&
      keys.every((key) => Object.is(own[key], last[key]))
    ) {
      return lastShared;
    }
    const shared = shareOf(Object.freeze(checkWaitOptions({ ...waitDefaults, ...own })));
    lastOwn = own;
    lastShared = shared;
    return shared;
  }

  const methods = vendor.methods?.(context) ?? {};
  return Object.freeze({ ...methods, ...client }) as unknown as TaskClient<V>;
}

function pickPoll(options: WaitDefaults): WaitDefaults {
  const out: WaitDefaults = {};
  for (const key of [
    'minDelayMs',
    'maxDelayMs',
    'factor',
    'jitter',
    'maxRetryAfterMs',
    'estimate',
    'maxEstimateDelayMs',
    'timeoutMs',
  ] as const) {
    if (options[key] !== undefined) (out as Record<string, unknown>)[key] = options[key];
  }
  return out;
}

type ResolvedWait = PollOptions & { timeoutMs: number };

function checkWaitOptions(options: PollOptions & { timeoutMs?: number }): ResolvedWait {
  checkNumber('minDelayMs', options.minDelayMs, { min: 1 });
  checkNumber('maxDelayMs', options.maxDelayMs, { min: options.minDelayMs, hint: 'and at least minDelayMs' });
  checkNumber('factor', options.factor, { min: 1, max: 100 });
  checkNumber('jitter', options.jitter, { min: 0, max: 1 });
  checkNumber('maxRetryAfterMs', options.maxRetryAfterMs, { min: 0 });
  if (options.maxEstimateDelayMs !== undefined) {
    checkNumber('maxEstimateDelayMs', options.maxEstimateDelayMs, { min: 0 });
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (timeoutMs !== Number.POSITIVE_INFINITY) checkNumber('timeoutMs', timeoutMs, { min: 1, max: 2 ** 31 - 1 });
  if (typeof options.estimate !== 'boolean') throw new ConfigError('estimate', 'estimate must be true or false');
  return { ...options, timeoutMs };
}

function checkNumber(
  field: string,
  value: unknown,
  rule: { min: number; max?: number; integer?: boolean; hint?: string },
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
      `${field} must be a finite ${rule.integer ? 'whole ' : ''}number ${range}${rule.hint ? ` ${rule.hint}` : ''}, got ${String(value)}`,
    );
  }
}

function checkSegment(vendor: string, segment: unknown): string {
  const problem =
    typeof segment !== 'string'
      ? `must be a string, got ${segment === null ? 'null' : typeof segment}`
      : segment.trim() === ''
        ? 'is empty'
        : segment === '.' || segment === '..'
          ? 'is a dot segment'
          : segment.length > MAX_SEGMENT
            ? `is ${segment.length} characters long (at most ${MAX_SEGMENT})`
            : /[/\\?#\s\p{Cc}]/u.test(segment)
              ? 'contains "/", "\\", "?", "#", whitespace or a control character'
              : undefined;
  if (problem) {
    const shown = typeof segment === 'string' ? ` ${JSON.stringify(segment.slice(0, 60))}` : '';
    throw new ConfigError(
      'ref',
      `${vendor}: a task id${shown} ${problem}; pass the bare id, or the task's absolute URL`,
    );
  }
  return segment as string;
}

// A malformed escape (`%E0%A4%A`) is shown as it came, not thrown as a URIError.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// An empty resume token is a token that went missing, not "no token": it is refused, not ignored.
function isGiven<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

function describeRef(ref: unknown): string {
  if (typeof ref === 'string') return JSON.stringify(ref.slice(0, 60));
  if (ref === null || ref === undefined) return String(ref);
  return typeof ref === 'object' ? 'object' : typeof ref;
}
