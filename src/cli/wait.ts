/**
 * `taskwait wait` and `taskwait get`.
 *
 * @module
 */
import {
  type BaseClient,
  DEFAULT_POLL_OPTIONS,
  encodeState,
  HttpError,
  isTransient,
  NetworkError,
  type PollOptions,
  type PollStep,
  type TaskSnapshot,
  type WaitState,
  WaitTimeoutError,
} from '../index.js';
import { advance, initialState } from '../schedule.js';
import type { GetCommand, WaitCommand } from './args.js';
import { type CommandIo, clientFor } from './client.js';
import { EXIT, exitCodeOf, Stopped, UsageError } from './exit.js';
import { BarReporter, formatDuration, LineReporter, percent, type Reporter, silent } from './progress.js';

const TIMED_OUT = Symbol('timed out');

/** `taskwait wait`: polls until the task ends; returns the exit code. */
export async function waitCommand(cmd: WaitCommand, io: CommandIo): Promise<number> {
  const { vendor } = cmd;
  const delays = {
    ...(cmd.minDelayMs === undefined ? {} : { minDelayMs: cmd.minDelayMs }),
    // A ceiling the user asked for holds for estimates too (they may otherwise wait longer).
    ...(cmd.maxDelayMs === undefined ? {} : { maxDelayMs: cmd.maxDelayMs, maxEstimateDelayMs: cmd.maxDelayMs }),
  };
  // What the client's own poll() uses: the defaults, the vendor's, the command line's.
  // A vendor's own poll defaults hold no undefined.
  const schedule: PollOptions = { ...DEFAULT_POLL_OPTIONS, ...(vendor.vendor.poll as Partial<PollOptions>), ...delays };
  if (schedule.maxDelayMs < schedule.minDelayMs) {
    throw new UsageError(
      `--max-delay ${formatDuration(schedule.maxDelayMs)} is shorter than the min delay ${formatDuration(schedule.minDelayMs)} (${vendor.name}'s default): raise it or pass --min-delay`,
    );
  }
  const jsonLines = cmd.json || !io.out.isTTY;
  // On one terminal, JSON lines (or --verbose's log lines) and a bar redrawn in place would garble each other.
  const reporter: Reporter = cmd.quiet
    ? silent
    : io.err.isTTY && !(jsonLines && io.out.isTTY) && !cmd.verbose
      ? new BarReporter(io.err, io.color)
      : new LineReporter(io.err);
  const client: BaseClient<unknown, TaskSnapshot> = clientFor(vendor.vendor, cmd, io, {
    wait: delays,
    // A request being retried shows on the progress line, with why.
    hooks: { onRetry: (info) => reporter.retry(info.message, info.delayMs, info.attempt + 1) },
  });

  const started = Date.now();
  // One controller that both the deadline and a stop abort, held by this frame and the timer: not
  // AbortSignal.any, whose combined signal Node 20 may collect while the wait still needs it.
  const stop = new AbortController();
  const timer = Number.isFinite(cmd.timeoutMs) ? setTimeout(() => stop.abort(TIMED_OUT), cmd.timeoutMs) : undefined;
  const onStop = () => stop.abort(io.signal.reason);
  if (io.signal.aborted) onStop();
  else io.signal.addEventListener('abort', onStop, { once: true });
  const { signal } = stop;
  let state: WaitState | undefined;
  let polls = 0;
  let last: TaskSnapshot | undefined;
  let lastFault: unknown;
  const what = `${vendor.name} task ${describeRef(cmd.ref)}`;

  reporter.start(`waiting for ${what}`);
  try {
    for await (const seen of observe(client, cmd.ref, schedule, signal)) {
      state = seen.state;
      if ('fault' in seen) {
        lastFault = seen.fault;
        reporter.fault(faultText(seen.fault), seen.delayMs);
        continue;
      }
      polls += 1;
      last = seen.snapshot;
      lastFault = undefined;
      if (jsonLines) await io.out.write(`${JSON.stringify(last)}\n`, signal);
      reporter.snapshot(last, seen.done ? undefined : seen.delayMs);
    }
  } catch (error) {
    reporter.stop();
    if (error === TIMED_OUT) {
      throw new WaitTimeoutError({
        vendor: vendor.name,
        id: last?.id ?? describeRef(cmd.ref),
        snapshot: last,
        elapsedMs: Date.now() - started,
        polls,
        resumeToken: state ? encodeState(state) : '',
        cause: lastFault,
      });
    }
    if (error instanceof Stopped && error.by !== 'EPIPE') {
      const seen = last ? `; last seen ${last.state}${percent(last.progress)}` : '';
      io.err.line(
        `taskwait: ${error.by === 'SIGINT' ? 'interrupted' : 'terminated'}: stopped waiting for ${what} after ${formatDuration(Date.now() - started)}, ${polls} ${polls === 1 ? 'poll' : 'polls'}${seen}. The task itself goes on at ${vendor.name}.`,
      );
    }
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    io.signal.removeEventListener('abort', onStop);
    reporter.stop();
  }

  const end = last as TaskSnapshot;
  const code = exitCodeOf(end.state);
  if (!cmd.quiet || code !== EXIT.ok) {
    const took = `after ${formatDuration(Date.now() - started)}, ${polls} ${polls === 1 ? 'poll' : 'polls'}`;
    const detail = end.error ? `: ${end.error.message}` : end.message ? `: ${end.message}` : '';
    io.err.line(`${vendor.name} task ${end.id} ${end.state} (${end.rawStatus}) ${took}${detail}`);
  }
  return code;
}

/** What one poll gave: a snapshot, or a transient fault to be retried after `delayMs`. */
type Seen =
  | { snapshot: TaskSnapshot; done: boolean; delayMs: number; state: WaitState }
  | { fault: unknown; delayMs: number; state: WaitState };

/**
 * The wait loop, driven through the client's public `poll()` (as README's "Driving the polls
 * yourself" shows) so that the delay before each poll is known and can be shown. Like the
 * library's own wait, it retries transient faults on the same schedule until `signal` ends it,
 * with one exception: no answer at all before the first snapshot (a wrong --base-url or host,
 * most likely) ends it at once.
 */
async function* observe(
  client: BaseClient<unknown, TaskSnapshot>,
  ref: unknown,
  schedule: PollOptions,
  signal: AbortSignal,
): AsyncGenerator<Seen, void, undefined> {
  let state: WaitState | undefined;
  let answered = false;
  for (;;) {
    let step: PollStep<TaskSnapshot>;
    try {
      step = await client.poll(ref, { ...(state ? { state } : {}), signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (!isTransient(error) || (!answered && error instanceof NetworkError)) throw error;
      // The request layer has retried it already; this is the wait's own backoff.
      const hintMs = error instanceof HttpError ? error.retryAfterMs : undefined;
      const now = Date.now();
      const next = advance(state ?? initialState(client.vendor, ref, now), { error, hintMs, now }, schedule);
      state = next.state;
      yield { fault: error, delayMs: next.delayMs, state };
      await sleep(next.delayMs, signal);
      continue;
    }
    answered = true;
    state = step.state;
    yield { snapshot: step.snapshot, done: step.done, delayMs: step.delayMs, state };
    if (step.done) return;
    await sleep(step.delayMs, signal);
  }
}

/** `taskwait get`: one fetch; prints the snapshot. */
export async function getCommand(cmd: GetCommand, io: CommandIo): Promise<number> {
  const client: BaseClient<unknown, TaskSnapshot> = clientFor(cmd.vendor.vendor, cmd, io);
  const snapshot = await client.get(cmd.ref, { signal: io.signal });
  const pretty = !cmd.json && io.out.isTTY;
  await io.out.write(`${JSON.stringify(snapshot, null, pretty ? 2 : undefined)}\n`);
  return EXIT.ok;
}

function faultText(error: unknown): string {
  if (error instanceof HttpError) return `the server answered ${error.status}`;
  if (error instanceof NetworkError) return error.timedOut ? 'the request timed out' : 'no answer from the server';
  return 'a garbled answer';
}

/** The task, as the user named it, for messages. */
export function describeRef(ref: unknown): string {
  const text = typeof ref === 'string' ? ref : JSON.stringify(ref);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Resolves after `ms`, or rejects with the signal's reason; leaves no timer or listener behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
