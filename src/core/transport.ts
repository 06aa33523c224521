/**
 * The transport of a client: every request it makes (a task read, a vendor's own request, a
 * cancel) goes through here to the HTTP layer, and a task read comes back validated and normalized.
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError, ResponseValidationError, TaskwaitError } from './errors.js';
import { HttpClient, type RequestPriority } from './http.js';
import type { TaskSnapshot } from './lifecycle.js';
import { applyEnrichment, normalize, StatusTable } from './normalize.js';
import { REQUEST_ID_HEADERS } from './observe/headers.js';
import type { RequestObserver } from './observe/requests.js';
import type { ResolvedClientOptions } from './options.js';
import type { Refs, ResolvedTask } from './refs.js';
import type { TaskKind, Vendor, VendorRequest, VendorResponse } from './vendor.js';

/** One read of a task: its snapshot, and the server's hint for the next poll. */
export interface Polled {
  snapshot: TaskSnapshot;
  hintMs: number | undefined;
}

/** Per-call settings of a task read. */
export interface ReadOptions {
  signal?: AbortSignal | undefined;
  /** The longest server hint a retry within the request obeys; the client's by default. */
  maxRetryAfterMs?: number | undefined;
  /** Where the read stands in the client's request budget (a wait's poll says when it was due). */
  priority?: RequestPriority | undefined;
  /** Told of each attempt and retry. */
  observe?: RequestObserver | undefined;
}

/** How a vendor's own request goes: its place in the budget, its retry bound, its observer. */
export interface RequestVia {
  priority?: RequestPriority | undefined;
  maxRetryAfterMs?: number | undefined;
  observe?: RequestObserver | undefined;
}

// A request of its own (a get, a cancel, a vendor's call): after due polls, before pages.
const SINGLE: RequestPriority = Object.freeze({ kind: 'request' });

/** Sends one client's requests. */
export class Transport {
  readonly #vendor: Vendor;
  readonly #refs: Refs;
  readonly #http: HttpClient;
  readonly #table: StatusTable;

  constructor(vendor: Vendor, options: ResolvedClientOptions, refs: Refs) {
    this.#vendor = vendor;
    this.#refs = refs;
    this.#table = new StatusTable(vendor);
    this.#http = new HttpClient({
      vendor: vendor.name,
      auth: vendor.auth,
      token: options.token,
      headers: options.headers,
      fetch: options.fetch,
      timeoutMs: options.requestTimeoutMs,
      retry: options.retry,
      maxResponseBytes: options.maxResponseBytes,
      retryAfterHeaders: vendor.retryAfterHeaders ?? [],
      maxRetryAfterMs: options.wait.maxRetryAfterMs,
      gate: options.budget?.gate({
        retryAfterHeaders: vendor.retryAfterHeaders ?? [],
        maxRetryAfterMs: options.wait.maxRetryAfterMs,
      }),
      requestIdHeaders: [...(vendor.requestIdHeaders ?? []), ...REQUEST_ID_HEADERS],
    });
  }

  /** Removes this client's secrets, and known token forms, from `text`: for logs, hooks and spans. */
  redact(text: string): string {
    return this.#http.redact(text);
  }

  /** Reads a task once (retrying transient faults), validated and normalized. */
  async read(task: ResolvedTask, options: ReadOptions = {}): Promise<Polled> {
    const { kind } = task;
    const response = await this.#http.send({
      method: 'GET',
      url: new URL(task.href),
      headers: kind.headers,
      schema: kind.schema,
      model: kind.model,
      signal: options.signal,
      maxRetryAfterMs: options.maxRetryAfterMs,
      priority: options.priority ?? SINGLE,
      observe: options.observe,
    });
    const snapshot = this.#snapshot(task, response.data, response.status);
    // Most reads end here: only a terminal snapshot of a kind with an enrich step has more to read.
    if (!snapshot.terminal || !kind.enrich) return { snapshot, hintMs: response.hintMs };
    return { snapshot: await this.finish(task, snapshot, options.signal), hintMs: response.hintMs };
  }

  /**
   * A snapshot made whole: a terminal one goes through its kind's `enrich` step, for what the task
   * resource itself does not say (SoftwareOne keeps a failure's reason in the task's logs).
   */
  async finish(task: ResolvedTask, snapshot: TaskSnapshot, signal: AbortSignal | undefined): Promise<TaskSnapshot> {
    const { enrich } = task.kind;
    if (!snapshot.terminal || !enrich) return snapshot;
    const context = { vendor: this.#vendor.name, request: this.request, signal };
    applyEnrichment(snapshot, await enrich(snapshot, context));
    return snapshot;
  }

  /**
   * A task's payload read some other way (from a batched read's answer), checked against its
   * kind's schema and normalized as a read would; a {@link ResponseValidationError} if it does not fit.
   */
  snapshotOf(task: ResolvedTask, payload: unknown, status = 200): TaskSnapshot {
    const parsed = task.kind.schema.safeParse(payload);
    if (!parsed.success) {
      throw new ResponseValidationError({
        vendor: this.#vendor.name,
        model: task.kind.model,
        reason: 'schema',
        issues: parsed.error.issues.slice(0, 5).map((issue) => ({
          path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
          message: issue.message,
        })),
        url: task.href,
        status,
      });
    }
    return this.#snapshot(task, parsed.data, status);
  }

  #snapshot(task: ResolvedTask, data: unknown, status: number): TaskSnapshot {
    const snapshot = this.#normalize(task, task.kind, data, status);
    if (snapshot.id === '' || snapshot.id === 'undefined') snapshot.id = task.id;
    return snapshot;
  }

  /**
   * Sends a vendor's own request: to `path` below the base URL, or to an absolute `url` on a
   * trusted origin (else a {@link ConfigError}). An arrow function: vendors get it unbound.
   */
  readonly request = async <Schema extends z.ZodType>(
    request: VendorRequest<Schema>,
    via: RequestVia = {},
  ): Promise<VendorResponse<z.output<Schema>>> => {
    const refs = this.#refs;
    const url = request.url !== undefined ? refs.trustedUrl(request.url, 'url') : refs.pathUrl(request.path ?? []);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const response = await this.#http.send({
      method: request.method ?? 'GET',
      url,
      headers: request.headers,
      body: request.body,
      schema: request.schema,
      model: request.model ?? 'response',
      signal: request.signal,
      idempotent: request.idempotent,
      priority: via.priority ?? SINGLE,
      maxRetryAfterMs: via.maxRetryAfterMs,
      observe: via.observe,
    });
    return { data: response.data, status: response.status, headers: response.headers, url: response.url };
  };

  /** Asks the vendor to cancel a task; a {@link ConfigError} where its kind can't be. */
  async cancel(task: ResolvedTask, signal: AbortSignal | undefined, observe?: RequestObserver): Promise<void> {
    const vendor = this.#vendor;
    const cancel = vendor.cancel;
    if (!cancel || (cancel.kinds && !cancel.kinds.includes(task.kindName))) {
      throw new ConfigError('ref', `${vendor.name}: ${task.kindName} tasks can't be canceled through the API`);
    }
    const url = new URL(task.href);
    for (const segment of cancel.suffix ?? []) url.pathname += `/${encodeURIComponent(segment)}`;
    await this.#http.send({ method: cancel.method, url, headers: task.kind.headers, model: 'cancel', signal, observe });
  }

  #normalize(task: ResolvedTask, kind: TaskKind, data: unknown, status: number): TaskSnapshot {
    try {
      return normalize(this.#vendor.name, task.kindName, kind, this.#table, data);
    } catch (error) {
      if (error instanceof TaskwaitError) throw error;
      // A vendor's snapshot() that throws on a payload its schema let through.
      throw new ResponseValidationError({
        vendor: this.#vendor.name,
        model: kind.model,
        reason: 'schema',
        issues: [
          { path: [], message: `could not be normalized: ${error instanceof Error ? error.message : typeof error}` },
        ],
        url: task.href,
        status,
      });
    }
  }
}
