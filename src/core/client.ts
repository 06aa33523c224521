/**
 * `createClient`: get / wait / watch / poll / resume / cancel and the group waits for one vendor,
 * assembled from the option checks (`options.ts`), references and origin trust (`refs.ts`), the
 * transport (`transport.ts`) with its request budget (`budget.ts`), batched reads (`batch.ts`),
 * the groups (`group.ts`) and the poller (`poll/`).
 *
 * @module
 */
import type { z } from 'zod';
import { Batcher } from './batch.js';
import {
  ConfigError,
  TaskFailedError,
  type TaskFailedErrorOf,
  WaitTimeoutError,
  type WaitTimeoutErrorOf,
} from './errors.js';
import { type GroupOptions, groupMethods, type WaitAllOptions, type WaitOutcome } from './group.js';
import type { TaskSnapshot } from './lifecycle.js';
import { type Caller, captureCaller, withCaller } from './observe/caller.js';
import { checkHooks, type Hooks } from './observe/hooks.js';
import { createObserver, type Observer, type TaskInfo } from './observe/observer.js';
import {
  type ClientOptions,
  type PollOverrides,
  type ResolvedWait,
  resolveClientOptions,
  type WaitOptions,
  waitSettings,
} from './options.js';
import { type PageSource, type PagingOptions, paginate } from './paging/paginator.js';
import { waitFor } from './poll/driven.js';
import { pollLoop } from './poll/loop.js';
import { advance, decodeState, encodeState, initialState, type WaitState } from './poll/poller.js';
import type { PollOptions } from './poll/schedule.js';
import { readWith, waitSharing } from './poll/shared.js';
import { DueTimers } from './poll/timers.js';
import { WakeRegistry } from './poll/wakes.js';
import { createRefs, type ResolvedTask, taskKey } from './refs.js';
import { Transport } from './transport.js';
import type { MethodsOf, RefOf, SnapshotOf, TaskUrl, Vendor, VendorContext, VendorRequest } from './vendor.js';

/**
 * The result of {@link BaseClient.poll}: one poll, and what to do next.
 *
 * @group Client
 */
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
  basis?: 'backoff' | 'approach' | 'aim' | 'hint' | undefined;
}

/**
 * A client for one vendor. Vendor-specific methods (lists, paging, results) are merged in.
 *
 * @group Client
 */
export interface BaseClient<Ref, Snapshot extends TaskSnapshot = TaskSnapshot> {
  /** The vendor's name. */
  readonly vendor: string;
  /** The base URL in use. */
  readonly baseUrl: string;
  /**
   * The poll options and timeout every wait, watch and poll of this client starts from (the
   * vendor's and the client's `wait` options over the defaults), checked. A job queue that drives
   * {@link BaseClient.poll} itself reads its deadline and its backoff after a fault here.
   */
  readonly waitDefaults: Readonly<PollOptions & { timeoutMs: number }>;
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
  /**
   * Waits for every task: resolves with their terminal snapshots, in the order of `refs`. Rejects
   * with the first error (a `TaskFailedError` unless `throwOnFailure: false`) and stops the rest;
   * with `settled: true`, resolves with each task's outcome instead, like `Promise.allSettled`.
   * One timeout, signal and progress callback serve the whole group, which holds one timer
   * however many tasks it has. A ref named twice is awaited once and reported for each.
   */
  waitAll(
    refs: Iterable<Ref | TaskUrl>,
    options: WaitAllOptions<Ref | TaskUrl, Snapshot> & { settled: true },
  ): Promise<WaitOutcome<Ref | TaskUrl, Snapshot>[]>;
  /** Waits for every task: their terminal snapshots in the order of `refs`; rejects with the first error. */
  waitAll(
    refs: Iterable<Ref | TaskUrl>,
    options?: WaitAllOptions<Ref | TaskUrl, Snapshot> & { settled?: false | undefined },
  ): Promise<Snapshot[]>;
  /**
   * Each task's outcome as it ends (`{ ref, snapshot }` or `{ ref, error }`), one per ref named.
   * Leaving the loop (`break`) stops every wait, timer and request of the group.
   */
  waitEach(
    refs: Iterable<Ref | TaskUrl>,
    options?: GroupOptions<Ref | TaskUrl, Snapshot>,
  ): AsyncGenerator<WaitOutcome<Ref | TaskUrl, Snapshot>, void, undefined>;
  /**
   * Resolves with the first task to end and stops the rest. Rejects with its error when the first
   * to end failed (a `TaskFailedError` unless `throwOnFailure: false`).
   */
  waitAny(
    refs: Iterable<Ref | TaskUrl>,
    options?: GroupOptions<Ref | TaskUrl, Snapshot>,
  ): Promise<{ ref: Ref | TaskUrl; snapshot: Snapshot }>;
  /**
   * Whether `error` is a {@link TaskFailedError} about a task of this client's vendor. In a
   * `catch`, it narrows `error.snapshot` to the vendor's own snapshot type, where `instanceof`
   * gives the plain {@link TaskSnapshot}.
   *
   * @example
   * ```ts
   * try {
   *   await client.wait(ref);
   * } catch (error) {
   *   if (client.isTaskFailed(error)) console.error(error.snapshot.raw.error_message); // typed raw
   *   else throw error;
   * }
   * ```
   */
  isTaskFailed(error: unknown): error is TaskFailedErrorOf<Snapshot>;
  /**
   * Whether `error` is a {@link WaitTimeoutError} about a task of this client's vendor; narrows
   * `error.snapshot` (the last one seen, if any) to the vendor's own snapshot type.
   */
  isWaitTimeout(error: unknown): error is WaitTimeoutErrorOf<Snapshot>;
  /**
   * Tells the client that a task may have changed, from a webhook handler or any other push:
   * every pending wait of this client on the task (`wait`, `watch`, `resume`, and a group's wait
   * that holds it) polls it at once, through the request budget and batched reads like any poll.
   * A wait that has a request in flight lets that answer be the check, and polls at once after it
   * only if it did not end the wait. A wake never polls sooner than a server's `Retry-After`
   * allows, and never ends a wait by itself: only what the poll reads does.
   *
   * Tasks are matched by the URL the client reads them at, so `wake('t1')` and
   * `wake({ url: 'https://…/tasks/t1' })` reach the same waits.
   *
   * @returns how many waits were woken: 0 when none awaits the task (then it does nothing).
   * @throws {@link ConfigError} for a reference the client can't resolve, as every method does.
   * @example
   * ```ts
   * app.post('/hooks/acme', (req, res) => {
   *   // Check the delivery's signature first, then:
   *   client.wake(req.body.jobId);
   *   res.sendStatus(204);
   * });
   * ```
   */
  wake(ref: Ref | TaskUrl): number;
}

/**
 * The client `createClient(vendor)` returns.
 *
 * @group Client
 */
export type TaskClient<V extends AnyVendor> = BaseClient<RefOf<V>, SnapshotOf<V>> & MethodsOf<V>;

/**
 * Any vendor {@link defineVendor} made, whatever its statuses, kinds and methods: what {@link createClient} takes.
 *
 * @group Client
 */
// biome-ignore lint/suspicious/noExplicitAny: any vendor, whatever its type parameters
export type AnyVendor = Vendor<string, string, any, any, any, any>;

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
 *
 * @group Client
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
  // The pending waits by task, for wake(): an entry lives as long as its wait.
  const wakes = new WakeRegistry();
  const transport = new Transport(vendor, resolved, refs);
  const observer = createObserver(vendor, resolved.observe, (text) => transport.redact(text));
  const batcher =
    vendor.batch && resolved.batchWindowMs !== undefined
      ? new Batcher(vendor.batch, transport, resolved.batchWindowMs, () => observer.requests())
      : undefined;
  const readerOf = (settings: ResolvedWait) => readWith(transport, batcher, settings);
  const settingsOf = waitSettings(resolved.wait);
  // One timer for every sleeping wait and watch of the client, not one each.
  const timers = new DueTimers();
  const sharedOf = waitSharing(vendor.name, readerOf, resolved.wait, wakes, timers);
  const groups = groupMethods<unknown, TaskSnapshot>({
    vendor: vendor.name,
    resolve: (ref) => refs.resolve(ref),
    settings: settingsOf,
    read: readerOf,
    observe: (task) => observer.wait(taskInfo(task), undefined, false, 'wait'),
    wakes,
  });
  // The signals a paginator hands its source: a request made with one is a page, and goes after polls.
  const pageSignals = new WeakSet<AbortSignal>();

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
    waitDefaults: resolved.wait,

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
      const read = readerOf(settings);
      return pollLoop({
        vendor: vendor.name,
        id: task.id,
        fetch: (signal, order, watch) =>
          read(task, signal, order ?? { kind: 'poll', dueAt: Date.now(), lateMs: 0 }, watch),
        options: settings,
        state,
        timeoutMs: settings.timeoutMs,
        signal: opts.signal,
        observe: () => observer.wait(taskInfo(task), hooks, isGiven(opts.resumeFrom), 'wait'),
        caller,
        wakes: { registry: wakes, key: taskKey(task.href) },
        timers,
      });
    },

    // V8's async stack trace of an error is cut at Error.stackTraceLimit frames, most of them the
    // request's own. The caller's frames are captured in the catch below, only when a poll fails:
    // there the stack is this frame and the async frames of whoever awaits poll(). A capture at the
    // start would cost every poll about 3 µs, 2 % of its own work (bench/observe.ts).
    async poll(ref, opts = {}) {
      let watch: ReturnType<Observer['wait']>;
      try {
        const task = refs.resolve(ref);
        const settings = settingsOf(opts);
        const state = stateOf(opts.state, task);
        const hooks = checkHooks(opts.hooks, 'hooks');
        watch = observer.wait(taskInfo(task), hooks, isGiven(opts.state), 'poll');
        const { snapshot, hintMs } = await transport.read(task, {
          signal: opts.signal,
          maxRetryAfterMs: settings.maxRetryAfterMs,
          observe: watch,
        });
        const step = advance(state, { snapshot, hintMs, now: Date.now() }, settings);
        watch?.polled(snapshot, step);
        // Made when first read: a loop that passes `state` back never pays for the JSON (2 % of a poll).
        let token: string | undefined;
        const result: PollStep<TaskSnapshot> = {
          snapshot,
          done: step.done,
          delayMs: step.delayMs,
          state: step.state,
          get resumeToken() {
            token ??= encodeState(step.state);
            return token;
          },
        };
        if (step.basis !== undefined) result.basis = step.basis;
        return result;
      } catch (error) {
        watch?.failed(error);
        throw withCaller(error, captureCaller('poll()', client.poll));
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

    ...(groups as Pick<BaseClient<unknown, TaskSnapshot>, 'waitAll' | 'waitEach' | 'waitAny'>),

    isTaskFailed: (error): error is TaskFailedError =>
      error instanceof TaskFailedError && error.snapshot.vendor === vendor.name,

    isWaitTimeout: (error): error is WaitTimeoutError =>
      error instanceof WaitTimeoutError && error.vendor === vendor.name,

    wake(ref) {
      return wakes.wake(taskKey(refs.resolve(ref).href));
    },
  };

  const context: VendorContext<unknown, TaskSnapshot> = {
    vendor: vendor.name,
    baseUrl: resolved.base.href,
    get: (ref, opts) => client.get(ref, opts),
    wake: (ref) => client.wake(ref),
    request<Schema extends z.ZodType>(request: VendorRequest<Schema>) {
      const page = request.signal !== undefined && pageSignals.has(request.signal);
      return transport.request(request, { priority: page ? PAGE : undefined, observe: observer.requests() });
    },
    paginate: <Item, Meta>(source: PageSource<Item, Meta>, opts?: PagingOptions) => {
      const observed = observer.pages(source);
      return paginate<Item, Meta>(
        {
          first: observed.first,
          resume: observed.resume,
          fetch(cursor, signal) {
            pageSignals.add(signal);
            return observed.fetch(cursor, signal);
          },
        },
        opts,
      );
    },
  };

  const methods = vendor.methods?.(context) ?? {};
  return Object.freeze({ ...methods, ...client }) as unknown as TaskClient<V>;
}

const PAGE = Object.freeze({ kind: 'page' }) as { kind: 'page' };

function taskInfo(task: ResolvedTask): TaskInfo {
  return { id: task.id, kind: task.kindName };
}

// An empty resume token is a token that went missing, not "no token": it is refused, not ignored.
function isGiven<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
