/**
 * Batched reads: the polls of a client's waits that fall due within a short window, for tasks a
 * vendor can read together (its {@link BatchRead} declaration), go as one request that costs one
 * unit of the request budget. Each task's own schedule still decides when it is due (a poll waits
 * at most the window, and a poll after a quiet spell not at all); a task the answer leaves out,
 * or can't say enough about, is read with its own GET.
 *
 * @module
 */
import { HttpError, isTransient } from './errors.js';
import type { RequestPriority } from './http.js';
import type { TaskSnapshot } from './lifecycle.js';
import type { RequestObserver } from './observe/requests.js';
import type { PollOrder } from './poll/driven.js';
import type { ResolvedTask } from './refs.js';
import type { Polled, Transport } from './transport.js';
import type { BatchRead, BatchTask } from './vendor.js';

/** One poll waiting for its batch. */
interface Entry {
  task: ResolvedTask;
  item: BatchTask;
  signal: AbortSignal;
  order: PollOrder;
  maxRetryAfterMs: number;
  /** The wait's own observer: told of the poll's own GET, when it gets one. */
  observe: RequestObserver | undefined;
  resolve: (polled: Polled) => void;
  reject: (reason: unknown) => void;
  onAbort: () => void;
  done: boolean;
}

/** The polls of one batch key collected in a window, and the window's timer. */
interface Window {
  entries: Entry[];
  timer: ReturnType<typeof setTimeout>;
}

// A list that fails this many times in a row (without a throttle) is given up for its key.
const MAX_LIST_FAILURES = 3;

/**
 * Collects the polls of one client and sends them as batched reads. A poll that comes after a
 * quiet spell (no other task of its key read within the window) goes at once, on its own; the
 * polls of other tasks that follow within the window are collected and go together when it
 * closes. A lone wait is never held back; many waits share their reads.
 */
export class Batcher {
  readonly #batch: BatchRead;
  readonly #transport: Transport;
  /** The client's observer of requests that serve many waits (a list), for logs and spans. */
  readonly #listObserver: () => RequestObserver | undefined;
  readonly #windowMs: number;
  readonly #kinds: ReadonlySet<string> | undefined;
  /** The open window of each batch key. */
  readonly #windows = new Map<string, Window>();
  /** When each key last sent a read (ms since the epoch), and which task's it was (none for a list). */
  readonly #sent = new Map<string, { at: number; by: string | undefined }>();
  /** Lists that failed in a row, by key; a key at the limit reads its tasks one by one from then on. */
  readonly #failures = new Map<string, number>();

  constructor(
    batch: BatchRead,
    transport: Transport,
    windowMs: number,
    listObserver: () => RequestObserver | undefined = () => undefined,
  ) {
    this.#batch = batch;
    this.#transport = transport;
    this.#listObserver = listObserver;
    this.#windowMs = windowMs;
    this.#kinds = batch.kinds ? new Set(batch.kinds) : undefined;
  }

  /** Reads `task` for a wait's poll: with the others due within the window when it can be, else with its own GET. */
  read(
    task: ResolvedTask,
    signal: AbortSignal,
    order: PollOrder,
    maxRetryAfterMs: number,
    observe?: RequestObserver,
  ): Promise<Polled> {
    const item: BatchTask = { id: task.id, kind: task.kindName, ref: task.ref as BatchTask['ref'] };
    const key =
      this.#kinds && !this.#kinds.has(task.kindName) ? undefined : this.#batch.key ? this.#batch.key(item) : '';
    const now = Date.now();
    let window = key === undefined ? undefined : this.#windows.get(key);
    if (key === undefined || this.#broken(key) || (!window && this.#quiet(key, task.href, now))) {
      if (key !== undefined) this.#sent.set(key, { at: now, by: task.href });
      return this.#transport.read(task, { signal, maxRetryAfterMs, priority: order, observe });
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    if (!window) {
      window = { entries: [], timer: setTimeout(() => this.#flush(key), this.#windowMs) };
      this.#windows.set(key, window);
    }
    const entries = window.entries;
    return new Promise<Polled>((resolve, reject) => {
      const entry: Entry = {
        task,
        item,
        signal,
        order,
        maxRetryAfterMs,
        observe,
        resolve,
        reject,
        done: false,
        onAbort: () => {
          entry.done = true;
          reject(signal.reason);
          this.#leave(key, entry);
        },
      };
      signal.addEventListener('abort', entry.onAbort, { once: true });
      entries.push(entry);
    });
  }

  /** Whether a poll of `href` may go at once: no other task of `key` was read within the window. */
  #quiet(key: string, href: string, now: number): boolean {
    const last = this.#sent.get(key);
    return last === undefined || last.by === href || now - last.at >= this.#windowMs;
  }

  #broken(key: string): boolean {
    return (this.#failures.get(key) ?? 0) >= MAX_LIST_FAILURES;
  }

  /** A poll stopped before its batch went: it leaves the window, which closes with its last poll. */
  #leave(key: string, entry: Entry): void {
    const window = this.#windows.get(key);
    if (!window) return;
    const at = window.entries.indexOf(entry);
    if (at >= 0) window.entries.splice(at, 1);
    if (window.entries.length === 0) {
      clearTimeout(window.timer);
      this.#windows.delete(key);
    }
  }

  #flush(key: string): void {
    const window = this.#windows.get(key);
    this.#windows.delete(key);
    if (!window) return;
    this.#sent.set(key, { at: Date.now(), by: undefined });
    const { entries } = window;
    // A list of one costs what its own read does, and says less.
    if (entries.length === 1) {
      const only = entries[0] as Entry;
      only.signal.removeEventListener('abort', only.onAbort);
      this.#single(only);
      return;
    }
    for (let at = 0; at < entries.length; at += this.#batch.max) {
      void this.#send(key, entries.slice(at, at + this.#batch.max));
    }
  }

  /** One batched read for `chunk`; each poll gets its snapshot, the fault, or its own GET. */
  async #send(key: string, chunk: Entry[]): Promise<void> {
    const controller = new AbortController();
    let live = chunk.length;
    for (const entry of chunk) {
      // From now on a poll that stops only leaves the batch; the last one to leave ends the request.
      entry.signal.removeEventListener('abort', entry.onAbort);
      entry.onAbort = () => {
        entry.done = true;
        entry.reject(entry.signal.reason);
        live -= 1;
        if (live === 0) controller.abort();
      };
      entry.signal.addEventListener('abort', entry.onAbort, { once: true });
    }
    const priority: RequestPriority = {
      kind: 'poll',
      dueAt: Math.min(...chunk.map((e) => e.order.dueAt)),
      lateMs: Math.max(...chunk.map((e) => e.order.lateMs)),
    };
    let data: unknown;
    let fault: unknown;
    let single = false;
    try {
      const request = this.#batch.list(chunk.map((e) => e.item));
      const maxRetryAfterMs = Math.min(...chunk.map((e) => e.maxRetryAfterMs));
      data = (
        await this.#transport.request(
          { ...request, signal: controller.signal },
          { priority, maxRetryAfterMs, observe: this.#listObserver() },
        )
      ).data;
    } catch (error) {
      if (controller.signal.aborted) {
        single = true;
      } else if (isThrottle(error)) {
        // The server asks for less: each poll backs off, and the list is asked again next round.
        fault = error;
      } else {
        // Anything else: this round's tasks are read one by one; a list that keeps failing is
        // given up at once when it refuses (not transient), or after a few faults in a row.
        single = true;
        const failures = isTransient(error) ? (this.#failures.get(key) ?? 0) + 1 : MAX_LIST_FAILURES;
        this.#failures.set(key, failures);
      }
    }
    if (!single && fault === undefined) this.#failures.delete(key);
    const waiting: Entry[] = [];
    for (const entry of chunk) {
      entry.signal.removeEventListener('abort', entry.onAbort);
      if (entry.done) continue;
      entry.order.sentAt ??= priority.sentAt;
      waiting.push(entry);
    }
    if (fault !== undefined) {
      for (const entry of waiting) entry.reject(fault);
      return;
    }
    const found = single ? new Map<string, unknown>() : this.#found(data, chunk);
    for (const entry of waiting) {
      const payload = found.get(entry.task.id);
      if (payload === undefined) {
        this.#single(entry);
        continue;
      }
      let snapshot: TaskSnapshot;
      try {
        snapshot = this.#transport.snapshotOf(entry.task, payload);
      } catch {
        // Not what the task's own read answers: that read says what is wrong, if anything.
        this.#single(entry);
        continue;
      }
      this.#transport
        .finish(entry.task, snapshot, entry.signal)
        .then((finished) => entry.resolve({ snapshot: finished, hintMs: undefined }), entry.reject);
    }
  }

  #found(data: unknown, chunk: readonly Entry[]): Map<string, unknown> {
    const found = new Map<string, unknown>();
    try {
      for (const [id, payload] of this.#batch.found(
        data,
        chunk.map((e) => e.item),
      )) {
        if (payload !== undefined && !found.has(id)) found.set(id, payload);
      }
    } catch {
      found.clear();
    }
    return found;
  }

  #single(entry: Entry): void {
    this.#transport
      .read(entry.task, {
        signal: entry.signal,
        maxRetryAfterMs: entry.maxRetryAfterMs,
        priority: entry.order,
        observe: entry.observe,
      })
      .then(entry.resolve, entry.reject);
  }
}

function isThrottle(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 429 || error.status === 503);
}
