/**
 * How a wait shows itself on stderr: a live bar redrawn in place on a terminal, a line per change
 * otherwise, or nothing with `--quiet`.
 *
 * @module
 */
import { isTerminal, type TaskSnapshot, type TaskState } from '../index.js';
import type { MessageOut } from './output.js';

/** What a wait tells its reporter. */
export interface Reporter {
  /**
   * The wait begins. The heading (`what`) is shown with the first answer or fault, so that a
   * reference the client refuses before any request ends with the error alone.
   */
  start(what: string): void;
  /** A snapshot arrived; the next poll is `nextPollMs` away (undefined when it was the last). */
  snapshot(snapshot: TaskSnapshot, nextPollMs: number | undefined): void;
  /** A poll failed with a transient fault; the next try is `retryInMs` away. */
  fault(message: string, retryInMs: number): void;
  /** A request of the poll under way failed; attempt number `attempt` goes in `retryInMs`. */
  retry(message: string, retryInMs: number, attempt: number): void;
  /** Removes anything live (the bar) before the final message. Idempotent. */
  stop(): void;
}

/** Everything one frame of the bar shows. */
export interface BarView {
  /** Undefined before the first answer. */
  state: TaskState | undefined;
  /** 0..1, or undefined when the vendor gives none. */
  progress: number | undefined;
  /** The vendor's own status word (`PROCESSING`), shown after the state. */
  rawStatus?: string | undefined;
  elapsedMs: number;
  /**
   * Until the next poll; 0 or less while a poll is under way (minus how long it has taken);
   * undefined before the first answer.
   */
  nextPollMs: number | undefined;
  /** A transient fault being retried, if any. */
  note?: string | undefined;
  /** Animation frame counter. */
  frame: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const COLORS: Partial<Record<TaskState, number>> = {
  running: 36,
  succeeded: 32,
  skipped: 32,
  partial: 33,
  blocked: 33,
  canceling: 33,
  failed: 31,
  canceled: 31,
};

/** One frame of the bar, at most `columns - 1` characters wide (so it never wraps). Pure. */
export function renderBar(view: BarView, columns: number, color = false): string {
  const width = Math.max(20, columns - 1);
  const spinner = SPINNER[view.frame % SPINNER.length] as string;
  const pct = view.progress === undefined ? ' --%' : `${String(Math.floor(clamp01(view.progress) * 100)).padStart(3)}%`;
  const state = view.state ?? 'starting';
  const next =
    view.state && isTerminal(view.state)
      ? ''
      : view.nextPollMs === undefined || view.nextPollMs <= 0
        ? // A poll under way; a slow one (the request layer retrying) says for how long.
          `polling…${view.nextPollMs !== undefined && view.nextPollMs <= -1000 ? ` ${formatDuration(-view.nextPollMs)}` : ''}`
        : `next poll in ${formatDuration(view.nextPollMs)}`;
  const tail = [pct, clock(view.elapsedMs), next, view.note].filter(Boolean).join('  ');
  const raw = view.rawStatus === undefined ? '' : ` (${statusWord(view.rawStatus)})`;
  const head = `${spinner} ${`${state}${raw}`.padEnd(9)}`;
  const room = width - head.length - tail.length - 6; // two separators and the brackets
  const barWidth = Math.min(30, room);
  let bar = '';
  if (barWidth >= 5) {
    const filled = view.progress === undefined ? 0 : Math.round(clamp01(view.progress) * barWidth);
    bar = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]`;
  }
  const plain = [head, bar, tail].filter(Boolean).join('  ');
  if (plain.length > width) return plain.slice(0, width);
  const code = view.state && COLORS[view.state];
  return color && code ? plain.replace(state, `\x1b[${code}m${state}\x1b[0m`) : plain;
}

// Server text on a terminal: no control characters, and short enough to leave room for the bar.
const MAX_STATUS = 24;
function statusWord(raw: string): string {
  const printable = raw.replace(/\p{Cc}/gu, '?');
  return printable.length > MAX_STATUS ? `${printable.slice(0, MAX_STATUS - 1)}…` : printable;
}

/** `0:42`, `12:03`, `1:02:03`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `250ms`, `4s`, `1m 5s`, `2h 3m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m${total % 60 ? ` ${total % 60}s` : ''}`;
  const m = Math.floor((total % 3600) / 60);
  return `${Math.floor(total / 3600)}h${m ? ` ${m}m` : ''}`;
}

/** A percentage for messages: ` 42%`, or nothing. */
export function percent(progress: number | undefined): string {
  return progress === undefined ? '' : ` ${Math.floor(clamp01(progress) * 100)}%`;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

const FRAME_MS = 100;

/** The live bar: redrawn in place every 100 ms (the clock runs between polls), cleared at the end. */
export class BarReporter implements Reporter {
  readonly #err: MessageOut;
  readonly #color: boolean;
  readonly #started = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;
  #state: TaskState | undefined;
  #progress: number | undefined;
  #rawStatus: string | undefined;
  #nextAt: number | undefined;
  #note: string | undefined;
  #heading: string | undefined;
  #drawn = false;

  constructor(err: MessageOut, color: boolean) {
    this.#err = err;
    this.#color = color;
  }

  start(what: string): void {
    this.#heading = `${what} (Ctrl-C stops waiting)`;
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), FRAME_MS);
    // The wait's own timers keep the process alive; the bar never should.
    this.#timer.unref();
  }

  snapshot(snapshot: TaskSnapshot, nextPollMs: number | undefined): void {
    this.#head();
    this.#state = snapshot.state;
    this.#progress = snapshot.progress;
    this.#rawStatus = snapshot.rawStatus;
    this.#note = undefined;
    this.#nextAt = nextPollMs === undefined ? undefined : Date.now() + nextPollMs;
    this.#draw();
  }

  fault(message: string, retryInMs: number): void {
    this.#head();
    this.#note = message;
    this.#nextAt = Date.now() + retryInMs;
    this.#draw();
  }

  retry(message: string, retryInMs: number, attempt: number): void {
    this.#head();
    // The poll is still under way: the clock keeps counting it, the note says why it is slow.
    this.#note = `${message}: retrying (attempt ${attempt}) in ${formatDuration(retryInMs)}`;
    this.#draw();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#err.raw('\r\x1b[2K');
    this.#drawn = false;
  }

  #head(): void {
    if (this.#heading === undefined) return;
    this.#err.raw(`\r\x1b[2K${this.#heading}\n`);
    this.#heading = undefined;
  }

  #draw(): void {
    const now = Date.now();
    const line = renderBar(
      {
        state: this.#state,
        progress: this.#progress,
        rawStatus: this.#rawStatus,
        elapsedMs: now - this.#started,
        nextPollMs: this.#nextAt === undefined ? undefined : this.#nextAt - now,
        note: this.#note,
        frame: this.#frame++,
      },
      this.#err.columns,
      this.#color,
    );
    this.#err.raw(`\r\x1b[2K${line}`);
    this.#drawn = true;
  }
}

/** Without a terminal: one line per change of state or whole percent, for CI logs. */
export class LineReporter implements Reporter {
  readonly #err: MessageOut;
  readonly #started = Date.now();
  #heading: string | undefined;
  #last: string | undefined;

  constructor(err: MessageOut) {
    this.#err = err;
  }

  start(what: string): void {
    this.#heading = what;
  }

  snapshot(snapshot: TaskSnapshot, nextPollMs: number | undefined): void {
    this.#head();
    const text = `${snapshot.state}${percent(snapshot.progress)} (${snapshot.rawStatus})`;
    if (text === this.#last || nextPollMs === undefined) return;
    this.#last = text;
    this.#err.line(`  ${clock(Date.now() - this.#started)}  ${text}`);
  }

  fault(message: string, retryInMs: number): void {
    this.#head();
    this.#last = undefined;
    this.#err.line(`  ${clock(Date.now() - this.#started)}  ${message}; retrying in ${formatDuration(retryInMs)}`);
  }

  retry(message: string, retryInMs: number, attempt: number): void {
    this.#head();
    this.#last = undefined;
    this.#err.line(
      `  ${clock(Date.now() - this.#started)}  ${message}; retrying the request (attempt ${attempt}) in ${formatDuration(retryInMs)}`,
    );
  }

  stop(): void {}

  #head(): void {
    if (this.#heading !== undefined) this.#err.line(this.#heading);
    this.#heading = undefined;
  }
}

/** `--quiet`. */
export const silent: Reporter = { start() {}, snapshot() {}, fault() {}, retry() {}, stop() {} };
