/**
 * What the logs, hooks and spans say about a fault, a wait's end and a snapshot: small pure
 * functions over taskwait's own errors.
 *
 * @module
 */
import { HttpError, NetworkError, ResponseValidationError, TaskFailedError, WaitTimeoutError } from '../errors.js';
import type { TaskSnapshot } from '../lifecycle.js';
import type { RetryReason, SettledOutcome } from './hooks.js';

/** Why a transient fault is retried, in a few fixed words (a metric attribute). */
export function retryReason(error: unknown): RetryReason {
  if (error instanceof HttpError) return `http_${error.status}`;
  if (error instanceof NetworkError) return error.timedOut ? 'timeout' : 'network';
  return 'invalid_body';
}

/** The same, for a person: "the server answered 503", "the request timed out". */
export function retryMessage(error: unknown): string {
  if (error instanceof HttpError) {
    return error.status === 429 ? 'rate limited (429)' : `the server answered ${error.status}`;
  }
  if (error instanceof NetworkError) return error.timedOut ? 'the request timed out' : 'no answer from the server';
  if (error instanceof ResponseValidationError) return `a garbled answer (the body ${describeBody(error.reason)})`;
  return 'a transient fault';
}

function describeBody(reason: ResponseValidationError['reason']): string {
  if (reason === 'empty') return 'was empty';
  if (reason === 'encoding') return 'was not UTF-8';
  return 'was not JSON';
}

/** The HTTP status a fault carries, when it came with a response. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpError || error instanceof ResponseValidationError) return error.status;
  return undefined;
}

/** The `error.type` of a failed HTTP request, as the semantic conventions name it. */
export function errorType(status: number | undefined, error: unknown): string {
  if (status !== undefined && status >= 400) return String(status);
  if (error instanceof NetworkError) return error.timedOut ? 'timeout' : 'network';
  if (error instanceof Error) return error.name.slice(0, 60);
  return '_OTHER';
}

/** How a wait ended, from what it resolved or rejected with. */
export function outcomeOf(snapshot: TaskSnapshot | undefined, error: unknown, halted: boolean): SettledOutcome {
  if (error instanceof WaitTimeoutError) return 'timeout';
  if (error instanceof TaskFailedError) return 'failed';
  if (error === undefined && snapshot !== undefined) {
    return snapshot.state === 'failed' || snapshot.state === 'canceled' ? 'failed' : 'completed';
  }
  return halted ? 'aborted' : 'error';
}

/** When the task ended by its own account (`completedAt`), in ms since the epoch. */
export function endedAt(snapshot: TaskSnapshot): number | undefined {
  if (!snapshot.terminal || snapshot.completedAt === undefined) return undefined;
  const at = Date.parse(snapshot.completedAt);
  return Number.isFinite(at) ? at : undefined;
}

/** `record` without its undefined values: what a record or a hook shows has no empty keys. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

/**
 * A deep copy of plain data (a snapshot) with every string, key and value, passed through
 * `redact`, and every object and array frozen. Iterative: any depth is safe.
 */
export function frozenCopy<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const root = copyShell(value);
  const stack: [source: object, target: Record<string, unknown>][] = [[value, root]];
  const made: object[] = [root];
  while (stack.length > 0) {
    const [source, target] = stack.pop() as [object, Record<string, unknown>];
    const isArray = Array.isArray(source);
    for (const key of Object.keys(source)) {
      const child = (source as Record<string, unknown>)[key];
      let copy: unknown = child;
      if (typeof child === 'string') copy = redact(child);
      else if (child !== null && typeof child === 'object') {
        const shell = copyShell(child);
        stack.push([child, shell]);
        made.push(shell);
        copy = shell;
      }
      target[isArray ? key : redact(key)] = copy;
    }
  }
  for (const each of made) Object.freeze(each);
  return root as T;
}

function copyShell(value: object): Record<string, unknown> {
  return (Array.isArray(value) ? [] : {}) as Record<string, unknown>;
}
