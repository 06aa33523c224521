/**
 * Batched reads: the polls of a client's waits that fall due within a short window, for tasks a
 * vendor can read together (its {@link BatchRead} declaration), go as one request that costs one
 * unit of the request budget. Each task's own schedule still decides when it is due; a task the
 * answer leaves out, or can't say enough about, is read with its own GET.
 *
 * @module
 */
import { isTransient } from './errors.js';
import type { RequestPriority } from './http.js';
import type { PollOrder } from './poll/driven.js';
import type { ResolvedTask } from './refs.js';
import type { Polled, Transport } from './transport.js';
import type { BatchRead, BatchTask, VendorRequest } from './vendor.js';

/** One poll waiting for its batch. */
interface Entry {
  task: ResolvedTask;
  item: BatchTask;
  signal: AbortSignal;
  order: PollOrder;
  maxRetryAfterMs: number;
  resolve: (polled: Polled) => void;
  reject: (reason: unknown) => void;
  onAbort: () => void;
  done: boolean;
}

/** Builds the URL of a vendor's request: its path below the base URL, or a URL the client trusts. */
export type UrlOf = (request: Omit<VendorRequest<never>, 'signal'>) => URL;

/** Collects the polls of one client and sends them as batched reads. */
export class Batcher {
  readonly #batch: BatchRead;
  readonly #transport: Transport;
  readonly #urlOf: UrlOf;
  readonly #windowMs: number;
  readonly #kinds: ReadonlySet<string> | undefined;
  /** The polls collected in the current window, by batch key. */
  readonly #pending = new Map<string, Entry[]>();
  /** Keys whose list refused a read (not transiently): their tasks are read one by one from now on. */
  readonly #broken = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(batch: BatchRead, transport: Transport, urlOf: UrlOf, windowMs: number) {
    this.#batch = batch;
    this.#transport = transport;
    this.#urlOf = urlOf;
    this.#windowMs = windowMs;
    this.#kinds = batch.kinds ? new Set(batch.kinds) : undefined;
  }

  /** Reads `task` for a wait's poll: in the next batch when it can be, else with its own GET. */
  read(task: ResolvedTask, signal: AbortSignal, order: PollOrder, maxRetryAfterMs: number): Promise<Polled> {
    const item: BatchTask = { id: task.id, kind: task.kindName, ref: task.ref as BatchTask['ref'] };
    const key =
      this.#kinds && !this.#kinds.has(task.kindName) ? undefined : this.#batch.key ? this.#batch.key(item) : '';
    if (key === undefined || this.#broken.has(key)) {
      return this.#transport.read(task, { signal, maxRetryAfterMs, priority: order });
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Polled>((resolve, reject) => {
      const entry: Entry = {
        task,
        item,
        signal,
        order,
        maxRetryAfterMs,
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
      const list = this.#pending.get(key);
      if (list) list.push(entry);
      else this.#pending.set(key, [entry]);
      this.#timer ??= setTimeout(() => this.#flush(), this.#windowMs);
    });
  }

  /** A poll stopped before its batch went: it leaves the window (and the timer, when it was the last). */
  #leave(key: string, entry: Entry): void {
    const list = this.#pending.get(key);
    if (!list) return;
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.#pending.delete(key);
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #flush(): void {
    this.#timer = undefined;
    const batches = [...this.#pending];
    this.#pending.clear();
    for (const [key, entries] of batches) {
      for (let at = 0; at < entries.length; at += this.#batch.max) {
        void this.#send(key, entries.slice(at, at + this.#batch.max));
      }
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
      const url = this.#urlOf(request as Omit<VendorRequest<never>, 'signal'>);
      const maxRetryAfterMs = Math.min(...chunk.map((e) => e.maxRetryAfterMs));
      data = (await this.#transport.request(url, { ...request, signal: controller.signal }, priority, maxRetryAfterMs))
        .data;
    } catch (error) {
      if (isTransient(error)) {
        fault = error;
      } else {
        single = true;
        if (!controller.signal.aborted) this.#broken.add(key);
      }
    }
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
      try {
        entry.resolve({ snapshot: this.#transport.snapshotOf(entry.task, payload), hintMs: undefined });
      } catch {
        // Not what the task's own read answers: that read says what is wrong, if anything.
        this.#single(entry);
      }
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
      .read(entry.task, { signal: entry.signal, maxRetryAfterMs: entry.maxRetryAfterMs, priority: entry.order })
      .then(entry.resolve, entry.reject);
  }
}
