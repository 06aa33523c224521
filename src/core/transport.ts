/**
 * The transport of a client: every request it makes (a task read, a vendor's own request, a
 * cancel) goes through here to the HTTP layer, and a task read comes back validated and normalized.
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError, ResponseValidationError, TaskwaitError } from './errors.js';
import { HttpClient } from './http.js';
import type { TaskSnapshot } from './lifecycle.js';
import { normalize, StatusTable } from './normalize.js';
import { REQUEST_ID_HEADERS } from './observe/headers.js';
import type { RequestObserver } from './observe/requests.js';
import type { ResolvedClientOptions } from './options.js';
import type { ResolvedTask } from './refs.js';
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
  /** Told of each attempt and retry. */
  observe?: RequestObserver | undefined;
}

/** Sends one client's requests. */
export class Transport {
  readonly #vendor: Vendor;
  readonly #http: HttpClient;
  readonly #table: StatusTable;

  constructor(vendor: Vendor, options: ResolvedClientOptions) {
    this.#vendor = vendor;
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
      observe: options.observe,
    });
    const snapshot = this.#normalize(task, kind, response.data, response.status);
    if (snapshot.id === '' || snapshot.id === 'undefined') snapshot.id = task.id;
    return { snapshot, hintMs: response.hintMs };
  }

  /** Sends a vendor's own request to `url` (already checked against the trusted origins). */
  async request<Schema extends z.ZodType>(
    url: URL,
    request: VendorRequest<Schema>,
    observe?: RequestObserver,
  ): Promise<VendorResponse<z.output<Schema>>> {
    const response = await this.#http.send({
      method: request.method ?? 'GET',
      url,
      headers: request.headers,
      body: request.body,
      schema: request.schema,
      model: request.model ?? 'response',
      signal: request.signal,
      idempotent: request.idempotent,
      observe,
    });
    return { data: response.data, status: response.status, headers: response.headers, url: response.url };
  }

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
