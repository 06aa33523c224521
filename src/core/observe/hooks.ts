/**
 * Hooks: a client's (and a wait's) `onRequest`, `onResponse`, `onRetry`, `onPoll` and
 * `onSettled`. They are told, never asked: each is called synchronously, its result is not
 * awaited, and a hook that throws (or returns a promise that rejects) is reported through the
 * logger and changes nothing.
 *
 * @module
 */
import { ConfigError } from '../errors.js';
import type { TaskSnapshot } from '../lifecycle.js';
import type { DelayPlan } from '../poll/schedule.js';
import { clip, describeValue } from '../redact.js';
import { isThenable, type Log } from './logger.js';

/** An error as hooks and logs see it: its class name and its redacted, bounded message. */
export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
}

/** Given to `onRequest`: one attempt of an HTTP request, about to be sent. */
export interface RequestInfo {
  readonly vendor: string;
  readonly method: string;
  /** Without userinfo; credential-like query values masked. */
  readonly url: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
}

/** Given to `onResponse`: how one attempt ended. */
export interface ResponseInfo extends RequestInfo {
  /** The HTTP status; absent when no response came (a network fault, a timeout). */
  readonly status?: number | undefined;
  readonly durationMs: number;
  /** The vendor's request id, when the response carried one. */
  readonly requestId?: string | undefined;
  /** The response headers, redacted: no cookies, no auth headers, values cleaned and cut. */
  readonly headers: Readonly<Record<string, string>>;
  /** Why the attempt failed, when it did. */
  readonly error?: ErrorInfo | undefined;
}

/**
 * Why a request is retried: `http_<status>` for a transient status (`http_429` is a rate limit),
 * `timeout`, `network`, or `invalid_body` (a garbled, empty or cut-off body).
 */
export type RetryReason = `http_${number}` | 'timeout' | 'network' | 'invalid_body';

/** Given to `onRetry`: an attempt failed and the request will be sent again. */
export interface RetryInfo extends RequestInfo {
  readonly reason: RetryReason;
  /** What went wrong, for a person: "the server answered 503", "the request timed out". */
  readonly message: string;
  /** The status of the failed attempt, when it had one. */
  readonly status?: number | undefined;
  /** How long until the next attempt. */
  readonly delayMs: number;
}

/** Given to `onPoll`: one poll of a wait, and what comes next. */
export interface PollInfo<Snapshot = TaskSnapshot> {
  readonly vendor: string;
  /** The task id as the caller named it. */
  readonly id: string;
  /** Polls so far, this one included (counting those of a resumed wait). */
  readonly polls: number;
  /** The snapshot, a frozen redacted copy; absent when the poll failed with a transient fault. */
  readonly snapshot?: Snapshot | undefined;
  /** The transient fault, when the poll failed; the wait polls again after `delayMs`. */
  readonly error?: ErrorInfo | undefined;
  /** True when the snapshot is terminal: no more polls. */
  readonly done: boolean;
  /** The delay before the next poll (0 when done). */
  readonly delayMs: number;
  /** What decided the delay (absent when done). */
  readonly basis?: DelayPlan['basis'] | undefined;
}

/**
 * How a wait ended: `completed` (a terminal state other than failed or canceled), `failed` (the
 * task failed or was canceled), `timeout`, `aborted` (the caller's signal, or a `watch` loop left
 * early) or `error` (a fault that polling again would not fix, such as a 401).
 */
export type SettledOutcome = 'completed' | 'failed' | 'timeout' | 'aborted' | 'error';

/** Given to `onSettled`: the end of a wait. */
export interface SettledInfo<Snapshot = TaskSnapshot> {
  readonly vendor: string;
  readonly id: string;
  readonly outcome: SettledOutcome;
  /** The last snapshot seen, a frozen redacted copy. */
  readonly snapshot?: Snapshot | undefined;
  /** The error the wait rejects with, when it rejects. */
  readonly error?: ErrorInfo | undefined;
  readonly polls: number;
  /** From the call that started this wait (a resumed wait counts from the resume). */
  readonly durationMs: number;
}

/**
 * Hooks, on a client (`createClient(vendor, { hooks })`) or on one wait (`wait(ref, { hooks })`,
 * called after the client's). Each gets frozen, redacted data. They are synchronous and
 * fire-and-forget: a returned promise is not awaited, and a hook that throws or rejects is logged
 * at `error` level and does not change the wait. `poll()` calls every hook but `onSettled`.
 */
export interface Hooks<Snapshot = TaskSnapshot> {
  /** Before each attempt of each HTTP request. */
  onRequest?: ((info: RequestInfo) => void) | undefined;
  /** After each attempt, answered or not. */
  onResponse?: ((info: ResponseInfo) => void) | undefined;
  /** When a failed attempt is retried, before the delay. */
  onRetry?: ((info: RetryInfo) => void) | undefined;
  /** After each poll of a wait (and each `poll()`), with the delay before the next. */
  onPoll?: ((info: PollInfo<Snapshot>) => void) | undefined;
  /** When a wait ends, however it ends. */
  onSettled?: ((info: SettledInfo<Snapshot>) => void) | undefined;
}

/** The name of a hook. */
export type HookName = keyof Hooks;

const HOOK_NAMES: readonly HookName[] = ['onRequest', 'onResponse', 'onRetry', 'onPoll', 'onSettled'];

/** Checks a `hooks` option: an object whose hooks are functions. Undefined when it holds none. */
export function checkHooks(hooks: unknown, field: string): Hooks | undefined {
  if (hooks === undefined) return undefined;
  if (hooks === null || typeof hooks !== 'object') {
    throw new ConfigError(field, `${field} must be an object of hook functions (onRequest, onPoll, ...)`);
  }
  let any = false;
  for (const name of HOOK_NAMES) {
    const hook = (hooks as Record<string, unknown>)[name];
    if (hook === undefined) continue;
    if (typeof hook !== 'function') throw new ConfigError(field, `${field}.${name} must be a function`);
    any = true;
  }
  return any ? (hooks as Hooks) : undefined;
}

/**
 * Calls `hook` with `info`, not waiting for it. A throw or a rejection is logged at `error` level
 * (its message cleaned by `redact`) and goes no further.
 */
export function callHook<Info>(
  name: HookName,
  hook: ((info: Info) => void) | undefined,
  info: Info,
  log: Log | undefined,
  redact: (text: string) => string,
): void {
  if (hook === undefined) return;
  const report = (error: unknown) => {
    log?.write('error', 'taskwait: a hook threw; the wait goes on', {
      event: 'hook-error',
      hook: name,
      error: errorInfo(error, redact),
    });
  };
  try {
    const result: unknown = hook(info);
    if (isThenable(result)) result.then(undefined, report);
  } catch (error) {
    report(error);
  }
}

const MAX_MESSAGE = 500;

/** An error's name and message, redacted and cut to a few hundred characters. */
export function errorInfo(error: unknown, redact: (text: string) => string): ErrorInfo {
  if (error instanceof Error) {
    return Object.freeze({
      name: describeValue(error.name).slice(0, 60),
      message: clip(redact(describeValue(error.message)), MAX_MESSAGE),
    });
  }
  const text = typeof error === 'function' ? typeof error : describeValue(error);
  return Object.freeze({ name: typeof error, message: clip(redact(text), MAX_MESSAGE) });
}
