/**
 * Logging: the `logger` and `logLevel` options and the `TASKWAIT_LOG` environment variable. One
 * record per event: a short fixed message and a plain object of redacted fields.
 *
 * @module
 */
import { ConfigError } from '../errors.js';

/** How much a client logs: `off`, or the least severe level written (`debug` writes everything). */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** The levels, least verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze(['off', 'error', 'warn', 'info', 'debug']);

/** The fields of one log record: plain data, already redacted. */
export type LogFields = Readonly<Record<string, unknown>>;

/** One method of a {@link Logger}: called as `logger.info(message, fields)`, like `console.info`. */
export type LogMethod = (message: string, fields: LogFields) => void;

/**
 * Where log records go: `console`, or any object with these four methods (winston, consola, a
 * pino logger through the adapter the README shows). Each record is one call with a message and a
 * fields object. A method that throws or rejects is ignored.
 */
export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
}

/** The level of a record (every level but `off`). */
export type RecordLevel = Exclude<LogLevel, 'off'>;

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };
const MAX_ENV_SHOWN = 20;

/** A client's log: writes the records its level lets through to its logger. */
export class Log {
  readonly #logger: Logger;
  readonly #rank: number;

  constructor(logger: Logger, level: LogLevel) {
    this.#logger = logger;
    this.#rank = RANK[level];
  }

  /** Whether records of `level` are written: check it before building costly fields. */
  enabled(level: RecordLevel): boolean {
    return RANK[level] <= this.#rank;
  }

  /** Writes one record, unless the level filters it out. Never throws. */
  write(level: RecordLevel, message: string, fields: LogFields): void {
    if (RANK[level] > this.#rank) return;
    emit(this.#logger, level, message, fields);
  }
}

function emit(logger: Logger, level: RecordLevel, message: string, fields: LogFields): void {
  try {
    // Called as a method: pino and winston need their `this`.
    const result: unknown = logger[level](message, fields);
    if (isThenable(result)) result.then(undefined, ignore);
  } catch {
    // A logger that fails can't be told so through itself; the wait goes on.
  }
}

function ignore(): void {}

/** Whether `value` has a `then` method, so a rejection of it can be caught. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `TASKWAIT_LOG` where there is a `process` (Node, Bun, Deno); undefined in a browser. */
export function readLogEnv(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> | undefined } | undefined }).process
    ?.env;
  const value = env?.TASKWAIT_LOG;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The level in force: the `logLevel` option, else `TASKWAIT_LOG`, else `off`. A bad option is a
 * {@link ConfigError}; a bad variable is ignored and reported in `badEnv`, to be logged once (a
 * typo in the environment should not stop a service).
 */
export function resolveLogLevel(
  option: unknown,
  env: string | undefined = readLogEnv(),
): { level: LogLevel; badEnv?: string | undefined } {
  if (option !== undefined) {
    if (!isLogLevel(option)) {
      throw new ConfigError('logLevel', `logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${describe(option)}`);
    }
    return { level: option };
  }
  if (env === undefined || env.trim() === '') return { level: 'off' };
  const wanted = env.trim().toLowerCase();
  if (isLogLevel(wanted)) return { level: wanted };
  return { level: 'off', badEnv: env.length > MAX_ENV_SHOWN ? `${env.slice(0, MAX_ENV_SHOWN)}…` : env };
}

/** Checks the `logger` option: an object with the four methods. */
export function checkLogger(logger: unknown): Logger {
  const missing = (['error', 'warn', 'info', 'debug'] as const).filter(
    (level) => typeof (logger as Record<string, unknown> | null)?.[level] !== 'function',
  );
  if (logger === null || (typeof logger !== 'object' && typeof logger !== 'function') || missing.length > 0) {
    throw new ConfigError(
      'logger',
      `logger must be an object with error, warn, info and debug methods (such as console)${
        missing.length > 0 && logger !== null && typeof logger === 'object' ? `; it lacks ${missing.join(', ')}` : ''
      }`,
    );
  }
  return logger as Logger;
}

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  return value === null ? 'null' : typeof value;
}
