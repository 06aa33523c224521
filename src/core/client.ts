/**
 * `createClient`: get / wait / watch / poll / resume / cancel for one vendor, assembled from the
 * option checks (`options.ts`), references and origin trust (`refs.ts`), the transport
 * (`transport.ts`) and the poller (`poll/`).
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import type { TaskSnapshot } from './lifecycle.js';
import { type Caller, captureCaller } from './observe/caller.js';
import { checkHooks, type Hooks } from './observe/hooks.js';
import { createObserver, type Observer, type RequestObserver, type TaskInfo } from './observe/observer.js';
import {
  type ClientOptions,
  type PollOverrides,
  type ResolvedWait,
  resolveClientOptions,
  type WaitOptions,
  waitSettings,
} from './options.js';
import { type PagingOptions, paginate } from './paging/paginator.js';
import {
  advance,
  decodeState,
  encodeState,
  initialState,
  pollLoop,
  type WaitShared,
  type WaitState,
  waitFor,
} from './poll/poller.js';
import { createRefs, type ResolvedTask } from './refs.js';
import { Transport } from './transport.js';
import type { MethodsOf, RefOf, SnapshotOf, TaskUrl, Vendor, VendorContext, VendorRequest } from './vendor.js';

/** The result of {@link BaseClient.poll}: one poll, and what to do next. */
export interface PollStep<Snapshot> {
  snapshot: Snapshot;
  /** True when the snapshot is terminal. */
  done: boolean;
  /** Wait this long before the next `poll` (0 when done). */
  delayMs: number;
  /** Pass back as `state` to the next `poll`. */
  state: WaitState;
  /** `state` as JSON text. */
  resumeToken: string;
  /** What decided `delayMs`: `backoff`, `approach`, `aim` or `hint` (absent when done). */
  basis?: 'backoff' | 'approach' | 'aim' | 'hint';
}

/** A client for one vendor. Vendor-specific methods (lists, paging, results) are merged in. */
export interface BaseClient<Ref, Snapshot> {
  /** The vendor's name. */
  readonly vendor: string;
  /** The base URL in use. */
  readonly baseUrl: string;
  /** Fetches the task once (retrying transient faults), validated and normalized. */
  get(ref: Ref | TaskUrl, options?: { signal?: AbortSignal | undefined }): Promise<Snapshot>;
  /**
   * Polls until the task ends. Resolves with the terminal snapshot when it `succeeded`, was
   * `partial` or `skipped`; rejects with {@link TaskFailedError} on `failed` or `canceled`
   * (unless `throwOnFailure: false`), with `WaitTimeoutError` on timeout.
   */
  wait(ref: Ref | TaskUrl, options?: WaitOptions<Snapshot>): Promise<Snapshot>;
  /** Every snapshot observed, ending with the terminal one. `break` stops the polling. */
  watch(
    ref: Ref | TaskUrl,
    options?: Omit<WaitOptions<Snapshot>, 'throwOnFailure' | 'onProgress'>,
  ): AsyncGenerator<Snapshot, void, undefined>;
  /**
   * One poll and the decision that follows, for a job queue or workflow engine that drives the
   * polling itself: call again after `delayMs` with the returned `state`.
   */
  poll(
    ref: Ref | TaskUrl,
    options?: PollOverrides & {
      state?: WaitState | string | undefined;
      signal?: AbortSignal | undefined;
      /** Hooks for this poll alone (every hook but `onSettled`), called after the client's. */
      hooks?: Hooks<Snapshot> | undefined;
    },
  ): Promise<PollStep<Snapshot>>;
  /** Resumes a wait from a resume token alone (the token carries the reference). */
  resume(token: WaitState | string, options?: Omit<WaitOptions<Snapshot>, 'resumeFrom'>): Promise<Snapshot>;
  /** Asks the vendor to cancel the task. A {@link ConfigError} where the vendor can't. */
  cancel(ref: Ref | TaskUrl, options?: { signal?: AbortSignal | undefined }): Promise<void>;
}

/** The client `createClient(vendor)` returns. */
export type TaskClient<V extends AnyVendor> = BaseClient<RefOf<V>, SnapshotOf<V>> & MethodsOf<V>;

/** Any vendor {@link defineVendor} made, whatever its statuses, kinds and methods: what {@link createClient} takes. */
// biome-ignore lint/suspicious/noExplicitAny: any vendor, whatever its type parameters
export type AnyVendor = Vendor<string, string, any, any, any>;

/**
 * Creates a client for `vendor`. Every option is checked here, once, with a {@link ConfigError}
 * that names the option.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { mixpeek } from 'taskwait/mixpeek';
 * const client = createClient(mixpeek, { token: process.env.MIXPEEK_TOKEN });
 * const done = await client.wait('task_123', { timeoutMs: 10 * 60_000 });
 * ```
 */
export function createClient<V extends AnyVendor>(vendor: V, options: ClientOptions = {}): TaskClient<V> {
  if (!vendor || typeof vendor !== 'object' || typeof vendor.name !== 'string' || !vendor.tasks) {
    throw new ConfigError(
      'vendor',
      'createClient needs a vendor made by defineVendor (e.g. import { mixpeek } from "taskwait/mixpeek")',
    );
  }
  const resolved = resolveClientOptions(vendor, options);
  const refs = createRefs(vendor, resolved.base, resolved.trusted);
  const transport = new Transport(vendor, resolved);
  const observer = createObserver(vendor, resolved.observe, (text) => transport.redact(text));
  const settingsOf = waitSettings(resolved.wait);
  const sharedOf = waitSharing(vendor.name, transport, resolved.wait);

  // A saved state to go on from, or a fresh one.
  const stateOf = (given: WaitState | string | undefined, task: ResolvedTask): WaitState =>
    isGiven(given) ? decodeState(given, vendor.name) : initialState(vendor.name, task.ref, Date.now());

  // The wait of wait() and resume(), started from `caller`.
  const waitFrom = (ref: unknown, opts: WaitOptions<TaskSnapshot>, caller: Caller | undefined) => {
    try {
      const task = refs.resolve(ref);
      const shared = sharedOf(settingsOf(opts));
      const state = stateOf(opts.resumeFrom, task);
      const hooks = checkHooks(opts.hooks, 'hooks');
      return waitFor({
        shared,
        task,
        id: task.id,
        state,
        signal: opts.signal,
        onProgress: opts.onProgress,
        throwOnFailure: opts.throwOnFailure !== false,
        observer: observer.wait(taskInfo(task), hooks, isGiven(opts.resumeFrom), 'wait'),
        caller,
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const client: BaseClient<unknown, TaskSnapshot> = {
    vendor: vendor.name,
    baseUrl: resolved.base.href,

    async get(ref, opts = {}) {
      const task = refs.resolve(ref);
      const watch = observer.get(taskInfo(task));
      if (watch === undefined) return (await transport.read(task, { signal: opts.signal })).snapshot;
      try {
        const { snapshot } = await transport.read(task, { signal: opts.signal, observe: watch });
        watch.end(snapshot, undefined);
        return snapshot;
      } catch (error) {
        watch.end(undefined, error);
        throw error;
      }
    },

    // Not an async function: a pending wait is one small object driven by timers and callbacks
    // (see waitFor), not a suspended frame and a generator. Errors still come as rejections.
    wait(ref, opts = {}) {
      return waitFrom(ref, opts, captureCaller('wait()', client.wait));
    },

    watch(ref, opts = {}) {
      const caller = captureCaller('watch()', client.watch);
      const task = refs.resolve(ref);
      const settings = settingsOf(opts);
      const state = stateOf(opts.resumeFrom, task);
      const hooks = checkHooks(opts.hooks, 'hooks');
      const read = readWith(transport, settings);
      return pollLoop({
        vendor: vendor.name,
        id: task.id,
        fetch: (signal, watch) => read(task, signal, watch),
        options: settings,
        state,
        timeoutMs: settings.timeoutMs,
        signal: opts.signal,
        observe: () => observer.wait(taskInfo(task), hooks, isGiven(opts.resumeFrom), 'wait'),
        caller,
      });
    },

    // An async function all the way down to the request: V8's async stack trace of an error names
    // the caller's `await client.poll()` at no cost, so no stack is captured per poll.
    async poll(ref, opts = {}) {
      let watch: ReturnType<Observer['wait']>;
      try {
        const task = refs.resolve(ref);
        const settings = settingsOf(opts);
        const state = stateOf(opts.state, task);
        const hooks = checkHooks(opts.hooks, 'hooks');
        watch = observer.wait(taskInfo(task), hooks, isGiven(opts.state), 'poll');
        const { snapshot, hintMs } = await readWith(transport, settings)(task, opts.signal, watch);
        const step = advance(state, { snapshot, hintMs, now: Date.now() }, settings);
        watch?.polled(snapshot, step);
        const result: PollStep<TaskSnapshot> = {
          snapshot,
          done: step.done,
          delayMs: step.delayMs,
          state: step.state,
          resumeToken: encodeState(step.state),
        };
        if (step.basis !== undefined) result.basis = step.basis;
        return result;
      } catch (error) {
        watch?.failed(error);
        throw error;
      }
    },

    resume(token, opts = {}) {
      const caller = captureCaller('resume()', client.resume);
      const state = decodeState(token, vendor.name);
      return waitFrom(state.ref, { ...opts, resumeFrom: state }, caller);
    },

    async cancel(ref, opts = {}) {
      await transport.cancel(refs.resolve(ref), opts.signal, observer.requests());
    },
  };

  const context: VendorContext<unknown, TaskSnapshot> = {
    vendor: vendor.name,
    baseUrl: resolved.base.href,
    get: (ref, opts) => client.get(ref, opts),
    request<Schema extends z.ZodType>(request: VendorRequest<Schema>) {
      let url: URL;
      try {
        url = request.url !== undefined ? refs.trustedUrl(request.url, 'url') : refs.pathUrl(request.path ?? []);
      } catch (error) {
        return Promise.reject(error);
      }
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      return transport.request(url, request, observer.requests());
    },
    paginate: (source, opts?: PagingOptions) => paginate(observer.pages(source), opts),
  };

  const methods = vendor.methods?.(context) ?? {};
  return Object.freeze({ ...methods, ...client }) as unknown as TaskClient<V>;
}

/** A task read with a wait's own settings: its `maxRetryAfterMs` also bounds retries within a request. */
function readWith(transport: Transport, settings: ResolvedWait) {
  return (task: ResolvedTask, signal: AbortSignal | undefined, observe: RequestObserver | undefined) =>
    transport.read(task, { signal, maxRetryAfterMs: settings.maxRetryAfterMs, observe });
}

function taskInfo(task: ResolvedTask): TaskInfo {
  return { id: task.id, kind: task.kindName };
}

/**
 * What every wait() with the same settings shares: one frozen object for the client's defaults and
 * one for the last overrides (a loop of waits with the same options), not these fields in every
 * pending wait.
 */
function waitSharing(
  vendor: string,
  transport: Transport,
  defaults: ResolvedWait,
): (settings: ResolvedWait) => WaitShared<ResolvedTask> {
  const share = (settings: ResolvedWait): WaitShared<ResolvedTask> =>
    Object.freeze({ vendor, fetch: readWith(transport, settings), options: settings, timeoutMs: settings.timeoutMs });
  const byDefault = share(defaults);
  let last = byDefault;
  return (settings) => {
    if (settings === defaults) return byDefault;
    if (last.options !== settings) last = share(settings);
    return last;
  };
}

// An empty resume token is a token that went missing, not "no token": it is refused, not ignored.
function isGiven<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
