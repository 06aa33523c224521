/**
 * The HTTP layer: one ky instance per client, with a per-request timeout, transient-fault retry
 * (p-retry), server retry hints and a cap on the bytes read. The auth headers come from
 * credentials.ts; the answer is read and validated by response.ts.
 *
 * @module
 */
import ky, { type KyInstance, type Options } from 'ky';
import pRetry from 'p-retry';
import type { z } from 'zod';
import { abortable, sleep, TIMED_OUT } from './abort.js';
import { discard, readCapped } from './body.js';
import { Credentials, type TokenSource } from './credentials.js';
import { HttpError, isTransient, NetworkError, TaskwaitError } from './errors.js';
import type { Exchange, RequestObserver } from './observe/requests.js';
import { describeValue } from './redact.js';
import { ResponseReader } from './response.js';
import { retryHint } from './retry-after.js';
import type { AuthScheme } from './vendor.js';

/** How transient faults are retried within one request. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  retries: number;
  /** The first retry delay. Default 500 ms. */
  minDelayMs: number;
  /** The longest retry delay. Default 5000 ms. */
  maxDelayMs: number;
}

/** The retry a client uses unless `retry` overrides it: 3 retries, 500 ms growing to at most 5000 ms. */
export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  retries: 3,
  minDelayMs: 500,
  maxDelayMs: 5000,
});

/** Resolved settings of one client's HTTP layer. */
export interface HttpSettings {
  vendor: string;
  auth: AuthScheme;
  token: TokenSource | undefined;
  headers: Record<string, string>;
  fetch: typeof fetch | undefined;
  timeoutMs: number;
  retry: RetryOptions;
  maxResponseBytes: number;
  retryAfterHeaders: readonly string[];
  maxRetryAfterMs: number;
  /** The client's request budget: asked before every attempt, told its answer after. */
  gate?: RequestGate | undefined;
  /** Where a response's request id is looked for, in order. */
  requestIdHeaders: readonly string[];
}

/** What a request is for, and when it was due: how a request budget orders its queue. */
export interface RequestPriority {
  /** A wait's poll goes before a single request, which goes before a page of a list. */
  kind: 'poll' | 'request' | 'page';
  /** When the request was due (ms since the epoch); default: when it asks. */
  dueAt?: number | undefined;
  /** How late the wait's previous poll went out, in ms: a wait already behind goes first. */
  lateMs?: number | undefined;
  /** Set by the budget when the request's first attempt goes out (ms since the epoch). */
  sentAt?: number | undefined;
}

/** A request budget as the HTTP layer sees it: asked before each attempt, told the answer after. */
export interface RequestGate {
  /**
   * Resolves when the attempt may go; rejects with the signal's reason if it is aborted first.
   * A server's hint holds it back `maxRetryAfterMs` at most.
   */
  acquire(
    signal: AbortSignal | undefined,
    priority: RequestPriority | undefined,
    maxRetryAfterMs: number | undefined,
  ): Promise<GatePass>;
}

/** One attempt's permission to go. */
export interface GatePass {
  /** The attempt is over: the answer's status and headers, or nothing when no answer came. */
  release(status?: number, headers?: Headers): void;
}

/** One request. */
export interface HttpRequest<Schema extends z.ZodType> {
  method: string;
  url: URL;
  headers?: Record<string, string> | undefined;
  body?: unknown;
  schema?: Schema | undefined;
  model: string;
  signal?: AbortSignal | undefined;
  /** Whether a transient fault may be retried; default by method. */
  idempotent?: boolean | undefined;
  /** The longest server hint a retry obeys; the client's `maxRetryAfterMs` by default. */
  maxRetryAfterMs?: number | undefined;
  /** Where the request stands in the client's request budget. */
  priority?: RequestPriority | undefined;
  /** Told of each attempt and retry (logs, hooks, spans); absent when nothing observes. */
  observe?: RequestObserver | undefined;
}

/** A validated response. */
export interface HttpResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  url: string;
  /** The server's retry/poll hint in ms (`Retry-After` or a vendor header), if any. */
  hintMs: number | undefined;
}

const ERROR_EXCERPT_BYTES = 4096;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** Sends requests for one client. Holds the token only in a private field, never in output. */
export class HttpClient {
  readonly #settings: HttpSettings;
  readonly #ky: KyInstance;
  readonly #credentials: Credentials;
  readonly #reader: ResponseReader;

  constructor(settings: HttpSettings) {
    this.#settings = settings;
    this.#credentials = new Credentials(settings.vendor, settings.auth, settings.token, settings.timeoutMs);
    this.#reader = new ResponseReader(settings.vendor, this.#credentials, settings.requestIdHeaders);
    this.#ky = ky.create({
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // ky combines a `signal` with its own by AbortSignal.any, one of the costliest steps of a
      // request. Ours goes to fetch directly instead, as an option ky passes on to fetch untouched.
      // A user's fetch is handed the signal the ordinary way: it may read only the Request's.
      fetch: settings.fetch ?? ((input: RequestInfo | URL, init?: Passed) => globalThis.fetch(input, passed(init))),
    });
  }

  /** Removes this client's secrets, and known token forms, from `text`. */
  redact(text: string): string {
    return this.#credentials.redact(text);
  }

  /**
   * Sends `request`, retrying transient faults, and validates the body. An abort rejects with the
   * signal's reason, whatever it is.
   */
  async send<Schema extends z.ZodType>(request: HttpRequest<Schema>): Promise<HttpResponse<z.output<Schema>>> {
    request.signal?.throwIfAborted();
    // Most requests succeed at once: p-retry and its per-call options are set up only for a retry.
    let failure: unknown;
    try {
      return await this.#gated(request, 1);
    } catch (error) {
      if (this.#settings.retry.retries === 0 || !this.#retryable(request, error)) throw error;
      failure = error;
    }
    return this.#retried(request, failure);
  }

  /** p-retry runs the retries: it is handed the first attempt's failure as its own attempt 1. */
  async #retried<Schema extends z.ZodType>(
    request: HttpRequest<Schema>,
    failure: unknown,
  ): Promise<HttpResponse<z.output<Schema>>> {
    const { retry } = this.#settings;
    try {
      return await pRetry(
        async (attempt) => {
          // p-retry turns anything thrown that is not an Error into a TypeError, and a Symbol into a
          // crash ("Cannot convert a Symbol value to a string"): such a value travels wrapped.
          if (attempt === 1) throw failure instanceof Error ? failure : new Carried(failure);
          try {
            return await this.#gated(request, attempt);
          } catch (error) {
            throw error instanceof Error ? error : new Carried(error);
          }
        },
        {
          retries: retry.retries,
          // The delay before a retry is picked and slept in onFailedAttempt, so that it can be reported.
          minTimeout: 0,
          maxTimeout: 0,
          shouldRetry: ({ error }) => this.#retryable(request, error),
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft, retriesConsumed }) => {
            if (retriesLeft <= 0 || !this.#retryable(request, error)) return;
            const hint = error instanceof HttpError ? error.retryAfterMs : undefined;
            const maxHint = request.maxRetryAfterMs ?? this.#settings.maxRetryAfterMs;
            const delayMs = retryDelay(retry, retriesConsumed, hint === undefined ? 0 : Math.min(hint, maxHint));
            request.observe?.retry(request.method, request.url, attemptNumber, error, delayMs);
            // Rejects with the caller's reason as it is, which p-retry passes on untouched.
            await sleep(delayMs, request.signal);
          },
        },
      );
    } catch (error) {
      throw error instanceof Carried ? error.value : error;
    }
  }

  #retryable(request: HttpRequest<z.ZodType>, error: unknown): boolean {
    if (request.signal?.aborted) return false;
    const idempotent = request.idempotent ?? (request.method !== 'POST' && request.method !== 'PATCH');
    return isTransient(error) && (idempotent || notProcessed(error));
  }

  /** One attempt, once the client's budget lets it go; the budget hears how it was answered. */
  async #gated<Schema extends z.ZodType>(
    request: HttpRequest<Schema>,
    attempt: number,
  ): Promise<HttpResponse<z.output<Schema>>> {
    const gate = this.#settings.gate;
    if (gate === undefined) return this.#observed(request, attempt);
    const pass = await gate.acquire(request.signal, request.priority, request.maxRetryAfterMs);
    let answer: Response | undefined;
    try {
      return await this.#observed(request, attempt, (response) => {
        answer = response;
      });
    } finally {
      pass.release(answer?.status, answer?.headers);
    }
  }

  /** One attempt, reported to the request's observer when it has one. */
  #observed<Schema extends z.ZodType>(
    request: HttpRequest<Schema>,
    attempt: number,
    answered?: (response: Response) => void,
  ): Promise<HttpResponse<z.output<Schema>>> {
    const exchange = request.observe?.attempt(request.method, request.url, attempt);
    return exchange === undefined ? this.#attempt(request, answered) : this.#reported(request, exchange, answered);
  }

  // Awaited, not chained with then(): an error's async stack trace still reaches the caller.
  async #reported<Schema extends z.ZodType>(
    request: HttpRequest<Schema>,
    exchange: Exchange,
    answered: ((response: Response) => void) | undefined,
  ): Promise<HttpResponse<z.output<Schema>>> {
    try {
      const response = await this.#attempt(request, answered);
      exchange.end(response, undefined);
      return response;
    } catch (error) {
      exchange.end(undefined, error);
      throw error;
    }
  }

  async #attempt<Schema extends z.ZodType>(
    request: HttpRequest<Schema>,
    answered?: (response: Response) => void,
  ): Promise<HttpResponse<z.output<Schema>>> {
    const { signal: callerSignal } = request;
    callerSignal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    // The deadline and the caller's abort reach every await below through `signal`, which this
    // frame and the timer hold strongly. (ky hands fetch a signal combined by AbortSignal.any,
    // which Node 20 holds weakly: once collected, it stops nothing.)
    const timer = setTimeout(() => controller.abort(TIMED_OUT), this.#settings.timeoutMs);
    const { signal } = controller;
    try {
      // A fixed token's headers are made and checked once: later requests spend no await on them.
      const auth = this.#credentials.ready() ?? (await this.#credentials.headers(signal));
      const headers = { Accept: 'application/json', ...auth, ...this.#settings.headers, ...request.headers };
      let response: Response;
      try {
        response = await abortable(this.#follow(request, headers, signal), signal, discard);
      } catch (error) {
        throw this.#fault(error, request, signal);
      }
      answered?.(response);
      const limit =
        response.status >= 200 && response.status < 300 ? this.#settings.maxResponseBytes : ERROR_EXCERPT_BYTES;
      let body: { bytes: Uint8Array; truncated: boolean };
      try {
        body = await readCapped(response, limit, signal);
      } catch (error) {
        throw this.#fault(error, request, signal);
      }
      const hintMs = retryHint(response.headers, this.#settings.retryAfterHeaders);
      if (response.status < 200 || response.status >= 300) {
        throw this.#reader.httpError(request, response, body.bytes, hintMs);
      }
      if (body.truncated) throw this.#reader.invalid(request, response, 'too-large', []);
      const data = this.#reader.parse(request, response, body.bytes);
      return {
        data,
        status: response.status,
        headers: response.headers,
        url: response.url || request.url.href,
        hintMs,
      };
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Sends the request, following a redirect only within the request's origin. `fetch` would follow
   * one to any origin and, though it drops `Authorization` there, keep a key header such as
   * `x-api-key`: a redirect elsewhere is answered as it is (an {@link HttpError}) instead.
   */
  async #follow(request: HttpRequest<z.ZodType>, headers: Record<string, string>, signal: AbortSignal) {
    let { url, method, body } = request;
    for (let hops = 0; ; hops++) {
      const response = await this.#ky(url, {
        method,
        headers,
        ...(body === undefined ? {} : { json: body }),
        ...(this.#settings.fetch ? { signal } : { abortWith: signal }),
        redirect: 'manual',
      } as Options);
      const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null;
      const next = location === null ? undefined : parseUrl(location, url);
      if (!next || next.origin !== url.origin || hops >= MAX_REDIRECTS) return response;
      response.body?.cancel().catch(() => {});
      if (response.status === 303 || (response.status <= 302 && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  #fault(error: unknown, request: HttpRequest<z.ZodType>, signal: AbortSignal): unknown {
    if (request.signal?.aborted) return request.signal.reason;
    if (error instanceof TaskwaitError) return error;
    const timedOut = signal.aborted && signal.reason === TIMED_OUT;
    return new NetworkError({
      method: request.method,
      url: request.url.href,
      timedOut,
      vendor: this.#settings.vendor,
      cause: timedOut ? undefined : sanitizeCause(error, (t) => this.#credentials.quote(t)),
    });
  }
}

// `URL.parse` is newer than Node 20.0.
function parseUrl(value: string, base: URL): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/**
 * The delay before retry number `retriesConsumed + 1`: the server's hint (already capped), then
 * the backoff, `minDelayMs` doubling per retry, times a random factor in [1, 2), at most `maxDelayMs`.
 */
function retryDelay(retry: RetryOptions, retriesConsumed: number, hintMs: number): number {
  const backoff = Math.round((1 + Math.random()) * retry.minDelayMs * 2 ** retriesConsumed);
  return hintMs + Math.min(backoff, retry.maxDelayMs);
}

function notProcessed(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 429 || error.status === 503 || error.status === 425);
}

function sanitizeCause(error: unknown, clean: (text: string) => string): Error | undefined {
  if (!(error instanceof Error)) return undefined;
  const copy = new Error(clean(describeValue(error.message)));
  copy.name = clean(describeValue(error.name));
  const inner = (error as { cause?: { code?: unknown; message?: unknown } | undefined }).cause;
  if (inner && typeof inner === 'object') {
    const innerCopy = new Error(clean(typeof inner.message === 'string' ? inner.message : ''));
    if (typeof inner.code === 'string') Object.assign(innerCopy, { code: clean(inner.code) });
    Object.assign(copy, { cause: innerCopy });
  }
  return copy;
}

/** What ky hands our fetch: the options it does not know, among them the request's signal. */
type Passed = RequestInit & { abortWith?: AbortSignal };

function passed(init: Passed | undefined): RequestInit | undefined {
  if (init?.abortWith === undefined) return init;
  const { abortWith, ...rest } = init;
  return { ...rest, signal: abortWith };
}

/** Carries a value that is not an Error through p-retry, which only takes Errors. */
class Carried extends Error {
  readonly value: unknown;
  constructor(value: unknown) {
    super('carried');
    this.value = value;
  }
}
