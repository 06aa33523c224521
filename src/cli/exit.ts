/**
 * Exit codes a script can branch on, and the error each one stands for. Stable: a change here
 * is a breaking change of the bin.
 *
 * @module
 */
import {
  ConfigError,
  HttpError,
  NetworkError,
  PagingError,
  ResponseValidationError,
  type TaskState,
  WaitTimeoutError,
} from '../index.js';

/**
 * The bin's exit codes. 0 to 4 match `examples/script-exit-code.ts`; the signal codes are the
 * shell's own 128 + signal number, so a parent shell or CI runner reads them as it expects.
 */
export const EXIT = {
  /** The task succeeded, or was skipped (`wait`); the command did its job (`get`, `issues`, `rows`). */
  ok: 0,
  failed: 1,
  partial: 2,
  canceled: 3,
  /** `--timeout` ran out before the task ended. */
  timedOut: 4,
  /** The server answered an error status (404, 400, 5xx after retries, ...) other than 401/403. */
  http: 5,
  /** No token set (nothing sent), or 401 or 403: the token is missing, wrong, expired or lacks access. */
  auth: 6,
  /** No answer: connection refused, DNS failure, request timeout (after retries). */
  network: 7,
  /** An answer that is not JSON, or not the vendor's documented model. */
  invalidResponse: 8,
  /** Bad usage: an unknown command or option, a bad duration, vendor or task reference. */
  usage: 9,
  /** A bug in taskwait. */
  internal: 70,
  /** Ctrl-C (SIGINT) stopped the command. */
  interrupted: 130,
  /** Whoever reads stdout closed it early (like a SIGPIPE). */
  outputClosed: 141,
  /** SIGTERM stopped the command. */
  terminated: 143,
} as const;

/** The exit code of a wait that saw `state` at the end. */
export function exitCodeOf(state: TaskState): number {
  switch (state) {
    case 'failed':
      return EXIT.failed;
    case 'partial':
      return EXIT.partial;
    case 'canceled':
      return EXIT.canceled;
    default:
      return EXIT.ok;
  }
}

// From best to worst: what a wait on several tasks exits with is its worst outcome's code.
const SEVERITY: readonly number[] = [
  EXIT.ok,
  EXIT.partial,
  EXIT.canceled,
  EXIT.failed,
  EXIT.timedOut,
  EXIT.http,
  EXIT.network,
  EXIT.invalidResponse,
  EXIT.auth,
  EXIT.usage,
  EXIT.internal,
];

/** The order of {@link worstExit}, for `--help`. */
export const SEVERITY_HELP = SEVERITY.join(' < ');

/** The worse of two exit codes, by the order ok < partial < canceled < failed < timed out < errors. */
export function worstExit(a: number, b: number): number {
  const rank = (code: number) => {
    const at = SEVERITY.indexOf(code);
    return at < 0 ? SEVERITY.length : at;
  };
  return rank(b) > rank(a) ? b : a;
}

/** A mistake on the command line. Its message is one line, for a person. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** No token in the environment: nothing is sent, and the exit code is {@link EXIT.auth}'s. */
export class MissingTokenError extends Error {
  override name = 'MissingTokenError';
}

/** A signal, or the reader of stdout going away, stopped the command: the abort reason of its work. */
export class Stopped extends Error {
  override name = 'Stopped';
  constructor(readonly by: 'SIGINT' | 'SIGTERM' | 'EPIPE') {
    super(by === 'EPIPE' ? 'stdout was closed' : `stopped by ${by}`);
  }

  get code(): number {
    return this.by === 'SIGINT' ? EXIT.interrupted : this.by === 'SIGTERM' ? EXIT.terminated : EXIT.outputClosed;
  }
}

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof Stopped) return error.code;
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof MissingTokenError) return EXIT.auth;
  if (error instanceof WaitTimeoutError) return EXIT.timedOut;
  if (error instanceof HttpError) return error.status === 401 || error.status === 403 ? EXIT.auth : EXIT.http;
  if (error instanceof NetworkError) return EXIT.network;
  if (error instanceof ResponseValidationError || error instanceof PagingError) return EXIT.invalidResponse;
  // A server that ignores the page parameter: its answers, not the command line, are at fault.
  if (error instanceof ConfigError) return error.field === 'pageParam' ? EXIT.invalidResponse : EXIT.usage;
  return EXIT.internal;
}
