/**
 * Errors that point at the caller. A wait runs on timers and callbacks, so the stack of an error
 * it rejects with ends in the library. The stack of the call that started the wait is captured
 * when it starts (V8 collects the frames then and formats them only when read) and appended to
 * the error the wait rejects with.
 *
 * @module
 */
import { TaskwaitError } from '../errors.js';

/** Where a wait was started: the frames of the call, not yet formatted. */
export interface Caller {
  /** The call, as named in the stack: `wait()`, `poll()`. */
  readonly call: string;
  /** Formatted by V8 on first read. */
  readonly stack?: string | undefined;
}

const CALLER_FRAMES = 5;

type CaptureStackTrace = (target: object, above?: (...args: never[]) => unknown) => void;

/**
 * The first few frames of the current call, from the caller of `above` (the public method) down.
 * Undefined where the engine has no `Error.captureStackTrace`, or stack traces are off.
 */
export function captureCaller(call: string, above: (...args: never[]) => unknown): Caller | undefined {
  const capture = (Error as { captureStackTrace?: CaptureStackTrace | undefined }).captureStackTrace;
  if (typeof capture !== 'function') return undefined;
  // A few frames say where; every frame kept costs each pending wait memory until it ends. With
  // stack traces turned off (Error.stackTraceLimit = 0), nothing is captured or kept.
  const limit = Error.stackTraceLimit;
  if (!(limit > 0)) return undefined;
  // The capture turns its target into a dictionary-mode object: one without a prototype starts
  // as one, with a smaller table (96 bytes less per pending wait).
  const holder: { call: string; stack?: string | undefined } = Object.create(null);
  holder.call = call;
  if (limit > CALLER_FRAMES) Error.stackTraceLimit = CALLER_FRAMES;
  try {
    capture(holder, above);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return holder;
}

// An error passed on to several waits gets the frames of the first only.
const extended = new WeakSet<object>();

/**
 * Appends the caller's frames to the stack of `error`, one of taskwait's own errors; any other
 * value (the reason of the caller's own signal) is left alone. Returns `error`.
 */
export function withCaller<E>(error: E, caller: Caller | undefined): E {
  if (caller === undefined || !(error instanceof TaskwaitError) || extended.has(error)) return error;
  extended.add(error);
  try {
    const captured = caller.stack;
    if (typeof captured !== 'string') return error;
    // The first line is the holder's own header ("Error"); the frames follow.
    const frames = captured.slice(captured.indexOf('\n') + 1);
    if (frames === '' || frames === captured) return error;
    const own = typeof error.stack === 'string' ? error.stack : `${error.name}: ${error.message}`;
    error.stack = `${own}\n--- ${caller.call} was called at ---\n${frames}`;
  } catch {
    // A frozen error, or a stack getter that throws: the error goes as it is.
  }
  return error;
}
