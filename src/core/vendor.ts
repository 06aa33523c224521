/**
 * `defineVendor`: the single seam between the core and a vendor adapter. Built-in vendors and a
 * user's own vendor are written the same way, with this module and `lifecycle.ts` only.
 *
 * @module
 */
import { z } from 'zod';
import { parseBaseUrl } from './base-url.js';
import { ConfigError, ResponseValidationError } from './errors.js';
import type { TaskError, TaskSnapshot, TaskState } from './lifecycle.js';
import type { PageSource, Paginator, PagingOptions } from './paging/paginator.js';
import type { PollOptions } from './poll/schedule.js';
import { checkRateLimit, type RateLimit } from './ratelimit.js';

/**
 * A string enum that also accepts values it does not know, so that a vendor adding a status or
 * an enum value never breaks validation. The type keeps the known values for autocompletion and
 * exhaustive maps; `.values` lists them.
 *
 * @example
 * ```ts
 * const Status = openEnum(['PENDING', 'DONE']);
 * type Status = z.infer<typeof Status>; // 'PENDING' | 'DONE' | (string & {})
 * ```
 */
export function openEnum<const V extends readonly [string, ...string[]]>(
  values: V,
): z.ZodType<V[number] | (string & {}), V[number] | (string & {})> & { readonly values: V } {
  // The input type too: a filter or a request body typed with it takes the known values, not `unknown`.
  const schema = z.string().meta({ knownValues: values }) as unknown as z.ZodType<
    V[number] | (string & {}),
    V[number] | (string & {})
  >;
  return Object.assign(schema, { values });
}

/** Turns a token into the request headers that carry it. */
export type AuthScheme = (token: string) => Record<string, string>;

/** `Authorization: <scheme> <token>`, e.g. `authorization('Bearer')`. */
export function authorization(scheme: string): AuthScheme {
  return (token) => ({ Authorization: `${scheme} ${token}` });
}

/** The token as the whole value of a header, e.g. `apiKeyHeader('X-API-Key')`. */
export function apiKeyHeader(name: string): AuthScheme {
  return (token) => ({ [name]: token });
}

/** A date as a vendor gives it: ISO 8601 text, epoch milliseconds or a `Date`. */
export type DateInput = string | number | Date | null | undefined;

/** What a vendor says about one payload; the core fills in the rest of the {@link TaskSnapshot}. */
export interface SnapshotFields {
  /** The task id. */
  id: string;
  /**
   * Overrides the status table, for rules a status alone can't say
   * (a `COMPLETE` task with `successful: false` has failed).
   */
  state?: TaskState | undefined;
  /** Progress from 0 to 1; the core clamps it and drops non-numbers. */
  progress?: number | null | undefined;
  message?: string | null | undefined;
  /** Failure text, or `{ message, code }`. Empty text is dropped. */
  error?: TaskError | string | null | undefined;
  createdAt?: DateInput | undefined;
  updatedAt?: DateInput | undefined;
  completedAt?: DateInput | undefined;
  eta?: DateInput | undefined;
}

/** One kind of task a vendor serves: its model, schema and how to read it. */
export interface TaskKind<Schema extends z.ZodType = z.ZodType> {
  /** The vendor's own model name, used in validation errors (e.g. `"TaskResponse"`). */
  model: string;
  /** Validates the body of the task resource. Use loose objects so unknown fields are kept. */
  schema: Schema;
  /** The raw status string of a payload; `undefined` when the payload has none. */
  status(raw: z.output<Schema>): string | null | undefined;
  /** Everything else the snapshot needs from a payload. */
  snapshot(raw: z.output<Schema>): SnapshotFields;
  /** Extra request headers for this kind's requests. */
  headers?: Record<string, string> | undefined;
  /**
   * Completes a terminal snapshot from another resource, for what the task resource itself does not
   * say (SoftwareOne keeps a failure's reason in the task's logs). Called after `snapshot`, on each
   * fetch whose snapshot is terminal, before the snapshot is handed out; an `error` or `message` it
   * returns replaces the snapshot's. It runs under the fetch's signal, and what it throws fails the
   * fetch, so a best-effort lookup catches its own errors.
   */
  enrich?(
    snapshot: TaskSnapshot<z.output<Schema>>,
    context: EnrichContext,
  ): Promise<Pick<SnapshotFields, 'error' | 'message'> | undefined>;
}

/** What a {@link TaskKind.enrich} gets: the client's request function, and the fetch's signal. */
export interface EnrichContext extends Pick<VendorContext<unknown, unknown>, 'vendor' | 'request'> {
  readonly signal?: AbortSignal | undefined;
}

/** Declares one task kind with full type inference of its payload. */
export function defineTask<Schema extends z.ZodType>(kind: TaskKind<Schema>): TaskKind<Schema> {
  return kind;
}

/** Where a task lives: which kind it is and its path below the base URL, one segment per item. */
export interface Route<K extends string = string> {
  kind: K;
  /** Path segments below the base URL. Each is percent-encoded as one segment. */
  path: readonly string[];
  query?: Record<string, string | number | boolean> | undefined;
}

/** A task reference by URL: an absolute task URL (a 202's `Location`), or one relative to the base URL. */
export type TaskUrl = `https://${string}` | `http://${string}` | { readonly url: string };

/** A request a vendor's own methods make through the client (auth, retry, size cap included). */
export interface VendorRequest<Schema extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | undefined;
  /** Path segments below the base URL, or an absolute URL. */
  path?: readonly string[] | undefined;
  url?: string | undefined;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Validates the response body; omit for an empty or ignored body. */
  schema?: Schema | undefined;
  /** The model name for validation errors. */
  model?: string | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Whether repeating the request is harmless, so transient faults are retried. Default: true for
   * GET, PUT and DELETE; false for POST and PATCH (only a 425, 429 or 503 is retried then). Set it
   * for a POST that only reads, such as a list query.
   */
  idempotent?: boolean | undefined;
}

/** A task as a vendor's batched read sees it. */
export interface BatchTask<Ref = unknown> {
  /** The task id: the last segment of its URL. */
  id: string;
  /** Its kind. */
  kind: string;
  /** The reference as the vendor's `ref` schema parsed it; the URL (or `{ url }`) when the task was named by URL. */
  ref: Ref | string | { url: string };
}

/**
 * How a vendor reads many of its tasks in one request (a list filtered by id, an action's task
 * list): the polls of a client's waits that fall due together become one request. A task the
 * answer leaves out, or can't say enough about, is read with its own GET.
 */
export interface BatchRead<Ref = unknown, Schema extends z.ZodType = z.ZodType> {
  /** The most tasks one request may read (the list's largest page). */
  max: number;
  /** The kinds it reads. Default: every kind. */
  kinds?: readonly string[] | undefined;
  /**
   * Tasks one request can read together share a key (the action whose task list is read).
   * Undefined for a task no list can read. Default: one key for all.
   */
  key?(task: BatchTask<Ref>): string | undefined;
  /** The request that reads `tasks` (one key, at most `max` of them): a path or URL, a query, a schema. */
  list(tasks: readonly BatchTask<Ref>[]): Omit<VendorRequest<Schema>, 'signal'>;
  /**
   * The tasks in the answer: each id with its payload as the task's own GET would answer it
   * (its kind's schema checks it). A payload of undefined means "read this one on its own".
   */
  found(data: z.output<Schema>, tasks: readonly BatchTask<Ref>[]): Iterable<readonly [id: string, payload: unknown]>;
}

/** Declares a vendor's batched read with the list's payload type inferred from its schema. */
export function defineBatch<Schema extends z.ZodType, Ref = unknown>(
  batch: BatchRead<Ref, Schema>,
): BatchRead<Ref, Schema> {
  return batch;
}

// The errors a vendor's own code may throw (a bad reference, a bad webhook, a page that leads
// nowhere), the bound on server text it quotes, and the bound on an await of a user's code.
export { abortable } from './abort.js';
// What createClient makes of a vendor, for the named client type each vendor exports (types only).
export type { TaskClient } from './client.js';
export { ConfigError, ResponseValidationError, TaskwaitError } from './errors.js';
export {
  type Page,
  type PageContent,
  type PageSource,
  type Paginator,
  PagingError,
  type PagingOptions,
} from './paging/paginator.js';
export type { RateLimit } from './ratelimit.js';
export { clip, describeValue } from './redact.js';

/** A validated response to a {@link VendorRequest}. */
export interface VendorResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  url: string;
}

/** What the client hands a vendor's {@link VendorDefinition.methods}. */
export interface VendorContext<Ref, Snapshot> {
  /** The vendor's name, e.g. `"mixpeek"`. */
  readonly vendor: string;
  /** The client's base URL (the vendor's, or the `baseUrl` option), ending in `/`. */
  readonly baseUrl: string;
  /**
   * Sends a request with the client's auth, headers, timeout, retry and size cap; `schema`
   * validates the body (a {@link ResponseValidationError} when it does not match). An absolute
   * `url` must be on the client's origin or a trusted one, else a {@link ConfigError}.
   */
  request<Schema extends z.ZodType = z.ZodUnknown>(
    request: VendorRequest<Schema>,
  ): Promise<VendorResponse<z.output<Schema>>>;
  /** Fetches a task once and normalizes it: the client's own `get`. */
  get(ref: Ref | TaskUrl, options?: { signal?: AbortSignal | undefined }): Promise<Snapshot>;
  /**
   * Wakes the client's pending waits on a task, for a push the vendor verified (a signed webhook):
   * the client's own `wake`. Returns how many waits were woken.
   */
  wake(ref: Ref | TaskUrl): number;
  /** Walks pages with the client's retry, prefetch and loop guards. */
  paginate<Item, Meta = unknown>(source: PageSource<Item, Meta>, options?: PagingOptions): Paginator<Item, Meta>;
}

/** Where a URL a server gave came from: the response that carried it, and the field. */
export interface ServerUrlSource {
  /** The model of the response that carried the URL, e.g. `"TaskIssue page"`. */
  model: string;
  /** The field that held it, dotted, e.g. `"pagination.next"`. */
  field: string;
  /** The URL of the response that carried it. */
  url: string;
}

/**
 * Sends a request to a URL a server gave (a page's `next` link, a task's `result` URI). A URL the
 * token may not go to is the server's fault, not the caller's: it is refused with a
 * {@link ResponseValidationError} that names the field it came from, where `request` alone would
 * throw a {@link ConfigError}.
 */
export async function requestServerUrl<Schema extends z.ZodType>(
  ctx: Pick<VendorContext<unknown, unknown>, 'vendor' | 'request'>,
  request: VendorRequest<Schema> & { url: string },
  source: ServerUrlSource,
): Promise<VendorResponse<z.output<Schema>>> {
  try {
    return await ctx.request(request);
  } catch (error) {
    if (!(error instanceof ConfigError) || error.field !== 'url') throw error;
    throw new ResponseValidationError({
      vendor: ctx.vendor,
      model: source.model,
      reason: 'schema',
      issues: [{ path: source.field.split('.'), message: `a URL the client does not follow: ${error.message}` }],
      url: source.url,
      status: 200,
    });
  }
}

/** Everything that describes one vendor. See {@link defineVendor}. */
export interface VendorDefinition<
  Name extends string,
  Status extends string,
  Kinds extends Record<string, TaskKind>,
  RefSchema extends z.ZodType,
  Methods extends object,
> {
  /** A short, stable name, e.g. `"mixpeek"`. */
  readonly name: Name;
  /** The production base URL; clients may override it. */
  readonly baseUrl: string;
  /** How a token becomes headers. */
  readonly auth: AuthScheme;
  /** Headers every request carries (e.g. a versioned `Accept`). */
  readonly headers?: Record<string, string> | undefined;
  /**
   * Other origins the vendor itself serves task URLs from (besides the base URL's), to which the
   * token may go. A client adds its own with its `trustedOrigins` option.
   */
  readonly trustedOrigins?: readonly string[] | undefined;
  /** Every documented raw status. */
  readonly statuses: readonly Status[];
  /** The canonical state of each raw status. Exhaustive: the compiler rejects a missing one. */
  readonly states: { [S in NoInfer<Status>]: TaskState };
  /** `"ignoreCase"` when the vendor's casing is not settled. Default `"exact"`. */
  readonly statusMatch?: 'exact' | 'ignoreCase' | undefined;
  /** The kinds of task this vendor serves. */
  readonly tasks: Kinds;
  /** Validates a task reference given by a caller (an id, or an object of ids). */
  readonly ref: RefSchema;
  /** Where the task a reference names lives. */
  route(ref: z.output<RefSchema>): Route<Extract<keyof Kinds, string>>;
  /** Which kind an absolute task URL points at. Default: the first kind. */
  routeUrl?(url: URL): Extract<keyof Kinds, string>;
  /** How to cancel a task, when the vendor can: the method sent to the task's own URL. */
  readonly cancel?:
    | {
        method: 'DELETE' | 'POST';
        /** Segments appended to the task path, e.g. `['cancel']`. */
        suffix?: readonly string[] | undefined;
        /** The kinds that can be canceled. Default: all. */
        kinds?: readonly Extract<keyof Kinds, string>[] | undefined;
      }
    | undefined;
  /** The vendor's default poll options (e.g. a larger minimum delay). */
  readonly poll?: { [K in keyof PollOptions]?: PollOptions[K] | undefined } | undefined;
  /** Vendor-specific headers that carry a retry delay in seconds, read besides `Retry-After`. */
  readonly retryAfterHeaders?: readonly string[] | undefined;
  /** The vendor's documented rate limit: every client's request budget starts from it. */
  readonly rateLimit?: RateLimit | undefined;
  /** How to read many tasks in one request, when the vendor can. See {@link BatchRead}. */
  // biome-ignore lint/suspicious/noExplicitAny: any list schema; defineBatch types each declaration
  readonly batch?: BatchRead<z.output<RefSchema>, any> | undefined;
  /**
   * The headers the vendor documents for its request id, read before the common ones
   * (`x-request-id`, `request-id`, `x-amzn-requestid`) for `HttpError.requestId` and the logs.
   */
  readonly requestIdHeaders?: readonly string[] | undefined;
  /** Methods the vendor adds to its client (list, paging, result, ...). */
  methods?(context: VendorContext<z.output<RefSchema>, SnapshotOfKinds<Kinds>>): Methods;
}

/** The snapshot union of a set of task kinds, discriminated on `kind`. */
export type SnapshotOfKinds<Kinds extends Record<string, TaskKind>> = {
  [K in Extract<keyof Kinds, string>]: TaskSnapshot<z.output<Kinds[K]['schema']>, K>;
}[Extract<keyof Kinds, string>];

declare const vendorBrand: unique symbol;
declare const snapshotType: unique symbol;

/**
 * A vendor as {@link defineVendor} returns it; pass it to `createClient`.
 *
 * `Snapshot` is the snapshot type its clients produce: by default the one its task kinds make. A
 * vendor declared with a named type (`export const mixpeek: MixpeekVendor = defineVendor(…)`, where
 * `MixpeekVendor` extends this with `MixpeekSnapshot`) names it, so that editors show
 * `TaskClient<MixpeekVendor>` and `MixpeekSnapshot` rather than the schemas' types in full.
 */
export type Vendor<
  Name extends string = string,
  Status extends string = string,
  Kinds extends Record<string, TaskKind> = Record<string, TaskKind>,
  RefSchema extends z.ZodType = z.ZodType,
  Methods extends object = object,
  Snapshot extends TaskSnapshot = SnapshotOfKinds<Kinds>,
> = VendorDefinition<Name, Status, Kinds, RefSchema, Methods> & {
  readonly [vendorBrand]: true;
  /** Types only, never set: the snapshot type of the vendor's clients. */
  readonly [snapshotType]?: Snapshot;
};

/** The task reference type a vendor accepts (besides a {@link TaskUrl}). */
// biome-ignore lint/suspicious/noExplicitAny: any vendor, whatever its other type parameters
export type RefOf<V> = V extends Vendor<string, string, any, infer R, any, any> ? z.input<R> : never;
/** The snapshot type a vendor produces. */
// biome-ignore lint/suspicious/noExplicitAny: any vendor, whatever its other type parameters
export type SnapshotOf<V> = V extends Vendor<string, string, any, any, any, infer S extends TaskSnapshot> ? S : never;
/** The extra methods a vendor adds to its client. */
// biome-ignore lint/suspicious/noExplicitAny: any vendor, whatever its other type parameters
export type MethodsOf<V> = V extends Vendor<string, string, any, any, infer M, any> ? M : never;

/**
 * Describes a vendor's task API in one place: schemas, an exhaustive status table, routes, auth
 * and poll defaults. The result is passed to `createClient`.
 *
 * @example
 * ```ts
 * const Job = z.looseObject({ id: z.string(), state: openEnum(['waiting', 'done', 'broken']) });
 * export const acme = defineVendor({
 *   name: 'acme',
 *   baseUrl: 'https://api.acme.example/v2',
 *   auth: authorization('Bearer'),
 *   statuses: Job.shape.state.values,
 *   states: { waiting: 'queued', done: 'succeeded', broken: 'failed' },
 *   tasks: { job: defineTask({ model: 'Job', schema: Job, status: (j) => j.state, snapshot: (j) => ({ id: j.id }) }) },
 *   ref: z.string(),
 *   route: (id) => ({ kind: 'job', path: ['jobs', id] }),
 * });
 * ```
 */
export function defineVendor<
  const Name extends string,
  const Status extends string,
  Kinds extends Record<string, TaskKind>,
  RefSchema extends z.ZodType,
  Methods extends object = object,
>(
  definition: VendorDefinition<Name, Status, Kinds, RefSchema, Methods>,
): Vendor<Name, Status, Kinds, RefSchema, Methods> {
  const missing = definition.statuses.filter((s) => !Object.hasOwn(definition.states, s));
  if (missing.length > 0) {
    throw new ConfigError('states', `defineVendor(${definition.name}): no state for status ${missing.join(', ')}`);
  }
  if (Object.keys(definition.tasks).length === 0) {
    throw new ConfigError('tasks', `defineVendor(${definition.name}): define at least one task kind`);
  }
  parseBaseUrl(definition.baseUrl, `defineVendor(${definition.name}).baseUrl`);
  if (definition.rateLimit !== undefined) checkRateLimit(definition.rateLimit);
  if (definition.batch !== undefined) checkBatch(definition.name, definition.batch, Object.keys(definition.tasks));
  return Object.freeze({ ...definition }) as Vendor<Name, Status, Kinds, RefSchema, Methods>;
}

function checkBatch(vendor: string, batch: BatchRead, kinds: readonly string[]): void {
  const where = `defineVendor(${vendor}).batch`;
  if (typeof batch !== 'object' || batch === null) throw new ConfigError('batch', `${where} must be an object`);
  if (typeof batch.list !== 'function') {
    throw new ConfigError('batch', `${where} needs a list: the function that builds the request reading many tasks`);
  }
  if (typeof batch.found !== 'function') {
    throw new ConfigError('batch', `${where} needs found: the function that picks each task out of the list's answer`);
  }
  if (typeof batch.max !== 'number' || !(batch.max >= 1)) {
    throw new ConfigError('batch', `${where}.max must be at least 1: the most tasks one request reads`);
  }
  const unknown = (batch.kinds ?? []).filter((kind) => !kinds.includes(kind));
  if (unknown.length > 0) throw new ConfigError('batch', `${where}.kinds names unknown kinds: ${unknown.join(', ')}`);
}
