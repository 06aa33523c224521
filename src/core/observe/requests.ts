/**
 * The requests of a wait, a get or a vendor's own call, as logs, hooks and HTTP client spans see
 * them: one record, one `onRequest` and `onResponse` and one span per attempt; one record,
 * `onRetry`, metric and span event per retry.
 *
 * @module
 */

import { clip } from '../redact.js';
import { compact, errorType, retryMessage, retryReason, statusOf } from './describe.js';
import { requestIdOf, safeHeaders } from './headers.js';
import { callHook, errorInfo, type HookName, type Hooks } from './hooks.js';
import type { RecordLevel } from './logger.js';
import type { ObserveSettings } from './options.js';
import { type OtelContext, type OtelSpan, SPAN_CLIENT, STATUS_ERROR, type Telemetry } from './telemetry.js';

/** One attempt of an HTTP request, told how it ended. */
export interface Exchange {
  end(response: { status: number; headers: Headers } | undefined, error: unknown): void;
}

/** What the HTTP layer tells: each attempt, and each retry. */
export interface RequestObserver {
  attempt(method: string, url: URL, attempt: number): Exchange;
  retry(method: string, url: URL, attempt: number, error: unknown, delayMs: number): void;
}

/** What a watch needs of its client's observer. */
export interface ObserverCore {
  readonly vendor: string;
  readonly settings: ObserveSettings;
  readonly redact: (text: string) => string;
  /** Where a response's request id is looked for: the vendor's header, then the common ones. */
  readonly requestIds: readonly string[];
  /** `url` fit to show. */
  safe(url: URL): string;
}

/** The longest task id and raw status shown. */
export const MAX_ID = 200;
export const MAX_STATUS = 100;

/**
 * Runs one observation. Reporting must never break the work it reports on: a logger, hook or
 * tracer provider that throws past the guards below is logged, if it can be, and dropped.
 */
export function guard(observer: ObserverCore, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    try {
      observer.settings.log?.write('error', 'taskwait: reporting an event failed', {
        event: 'observer-error',
        error: errorInfo(error, observer.redact),
      });
    } catch {
      // Nothing left to tell it to.
    }
  }
}

const NO_EXCHANGE: Exchange = Object.freeze({ end() {} });

/** Observes requests: logs each attempt and retry, calls the hooks, makes the HTTP spans. */
export class Watch implements RequestObserver {
  readonly observer: ObserverCore;
  readonly telemetry: Telemetry | undefined;
  readonly own: Hooks | undefined;
  readonly span: OtelSpan | undefined;
  /** The parent of this watch's request spans: its own span's context, or the active one. */
  readonly context: OtelContext | undefined;

  constructor(
    observer: ObserverCore,
    telemetry: Telemetry | undefined,
    own: Hooks | undefined,
    span: OtelSpan | undefined,
    parent: OtelContext | undefined,
  ) {
    this.observer = observer;
    this.telemetry = telemetry;
    this.own = own;
    this.span = span;
    this.context = span && telemetry ? telemetry.under(parent, span) : parent;
  }

  attempt(method: string, url: URL, attempt: number): Exchange {
    let call: Exchange = NO_EXCHANGE;
    guard(this.observer, () => {
      call = new Call(this, method, url, attempt);
    });
    return call;
  }

  retry(method: string, url: URL, attempt: number, error: unknown, delayMs: number): void {
    guard(this.observer, () => this.#retry(method, url, attempt, error, delayMs));
  }

  #retry(method: string, url: URL, attempt: number, error: unknown, delayMs: number): void {
    const { observer } = this;
    const reason = retryReason(error);
    const info = compact({
      vendor: observer.vendor,
      method,
      url: observer.safe(url),
      attempt,
      reason,
      message: retryMessage(error),
      delayMs,
      status: statusOf(error),
    });
    this.log('info', 'taskwait: retrying a request', () => ({ event: 'retry', ...info }));
    if (this.wants('onRetry')) this.hook('onRetry', Object.freeze(info));
    if (this.telemetry) {
      this.telemetry.instruments.retries.add(1, {
        'taskwait.vendor': observer.vendor,
        'taskwait.retry.reason': reason,
      });
      this.span?.addEvent('taskwait.retry', {
        'taskwait.retry.reason': reason,
        'taskwait.retry.delay_ms': delayMs,
        'http.request.resend_count': attempt,
      });
    }
  }

  /** Writes a record whose fields are built only when its level is on. */
  log(level: RecordLevel, message: string, fields: () => Record<string, unknown>): void {
    const log = this.observer.settings.log;
    if (log?.enabled(level)) log.write(level, message, fields());
  }

  wants(name: HookName): boolean {
    return this.observer.settings.hooks?.[name] !== undefined || this.own?.[name] !== undefined;
  }

  /** Calls the client's hook, then the wait's. */
  hook(name: HookName, info: unknown): void {
    const { settings, redact } = this.observer;
    callHook(name, settings.hooks?.[name] as ((info: unknown) => void) | undefined, info, settings.log, redact);
    callHook(name, this.own?.[name] as ((info: unknown) => void) | undefined, info, settings.log, redact);
  }
}

/** One attempt: its log record, its `onRequest` and `onResponse`, its HTTP client span. */
class Call implements Exchange {
  readonly #watch: Watch;
  readonly #method: string;
  readonly #url: string;
  readonly #attempt: number;
  readonly #started = performance.now();
  readonly #span: OtelSpan | undefined;

  constructor(watch: Watch, method: string, url: URL, attempt: number) {
    this.#watch = watch;
    this.#method = method;
    this.#url = watch.observer.safe(url);
    this.#attempt = attempt;
    if (watch.wants('onRequest')) {
      watch.hook('onRequest', Object.freeze({ vendor: watch.observer.vendor, method, url: this.#url, attempt }));
    }
    if (watch.telemetry) {
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      this.#span = watch.telemetry.start(
        method,
        SPAN_CLIENT,
        {
          'http.request.method': method,
          'url.full': this.#url,
          'server.address': url.hostname,
          'server.port': port,
          'taskwait.vendor': watch.observer.vendor,
          ...(attempt > 1 ? { 'http.request.resend_count': attempt - 1 } : {}),
        },
        watch.context,
      );
    }
  }

  end(response: { status: number; headers: Headers } | undefined, error: unknown): void {
    guard(this.#watch.observer, () => this.#end(response, error));
  }

  #end(response: { status: number; headers: Headers } | undefined, error: unknown): void {
    const watch = this.#watch;
    const { vendor, redact, requestIds } = watch.observer;
    const durationMs = Math.round((performance.now() - this.#started) * 10) / 10;
    const status = response?.status ?? statusOf(error);
    const headers = response?.headers;
    const info = compact({
      vendor,
      method: this.#method,
      url: this.#url,
      attempt: this.#attempt,
      status,
      durationMs,
      requestId: headers
        ? requestIdOf(headers, requestIds, redact)
        : (error as { requestId?: string | undefined })?.requestId,
      error: error === undefined ? undefined : errorInfo(error, redact),
    });
    watch.log(error === undefined ? 'debug' : 'info', 'taskwait: request', () => ({ event: 'request', ...info }));
    if (watch.wants('onResponse')) {
      const shown =
        headers === undefined
          ? ((error as { headers?: Readonly<Record<string, string>> | undefined })?.headers ?? Object.freeze({}))
          : safeHeaders(headers, redact);
      watch.hook('onResponse', Object.freeze({ ...info, headers: shown }));
    }
    if (watch.telemetry) {
      if (status === 429) watch.telemetry.instruments.rateLimited.add(1, { 'taskwait.vendor': vendor });
      const span = this.#span as OtelSpan;
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (error !== undefined || (status !== undefined && status >= 400)) {
        span.setAttribute('error.type', errorType(status, error));
        span.setStatus({ code: STATUS_ERROR, message: errorInfo(error, redact).message });
      }
      span.end();
    }
  }
}

/** Ends `span` with error status and the error recorded: its name, message and stack, redacted. */
export function failSpan(span: OtelSpan, error: unknown, redact: (text: string) => string): void {
  const info = errorInfo(error, redact);
  const stack = error instanceof Error && typeof error.stack === 'string' ? clip(redact(error.stack), 8192) : undefined;
  span.recordException({ name: info.name, message: info.message, ...(stack === undefined ? {} : { stack }) });
  span.setStatus({ code: STATUS_ERROR, message: info.message });
  span.end();
}
