/**
 * `waitAll`, `waitEach` and `waitAny`: many tasks awaited as one group. Each task keeps its own
 * schedule; the group holds one timer (a {@link DueTimers} with one entry per due time), one
 * deadline, one listener on the caller's signal and the callbacks, however many tasks it has.
 * A task named twice is awaited once and reported for each time it was named.
 *
 * @module
 */
import { ConfigError } from './errors.js';
import type { TaskSnapshot } from './lifecycle.js';
import { type Caller, captureCaller } from './observe/caller.js';
import type { RequestObserver } from './observe/requests.js';
import type { WaitObserver } from './observe/waits.js';
import type { ResolvedWait, WaitDefaults } from './options.js';
import { expire, type PollOrder, startWait, type WaitEvents, type WaitShared } from './poll/driven.js';
import { initialState } from './poll/poller.js';
import type { Stoppable } from './poll/signals.js';
import { DueTimers } from './poll/timers.js';
import type { WakeRegistry } from './poll/wakes.js';
import { type ResolvedTask, taskKey } from './refs.js';
import type { Polled } from './transport.js';

/** Options of `waitAll`, `waitEach` and `waitAny`: one timeout, signal and progress for the whole group. */
export interface GroupOptions<Ref, Snapshot> extends WaitDefaults {
  /** The longest the whole group may take, in ms (default 1 hour); then each task still running ends with `WaitTimeoutError`. */
  timeoutMs?: number | undefined;
  /** Stops every wait of the group at once; the group rejects (or `waitEach` throws) with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called whenever any task's state or progress changes, with the group's counts. */
  onProgress?: ((progress: GroupProgress<Ref, Snapshot>) => void) | undefined;
  /** Called with each task's first snapshot and whenever its state or progress changes. */
  onTaskProgress?: ((snapshot: Snapshot, ref: Ref) => void) | undefined;
  /** A task that ends `failed` or `canceled` counts as an error (`TaskFailedError`). Default true. */
  throwOnFailure?: boolean | undefined;
}

/** Options of `waitAll`. */
export interface WaitAllOptions<Ref, Snapshot> extends GroupOptions<Ref, Snapshot> {
  /**
   * Like `Promise.allSettled`: resolve with every task's outcome instead of rejecting with the
   * first error. Default false.
   */
  settled?: boolean | undefined;
}

/** How one task of a group ended: its terminal snapshot, or the error its wait ended with. */
export type WaitOutcome<Ref, Snapshot> = { ref: Ref; snapshot: Snapshot } | { ref: Ref; error: unknown };

/** The group's counts, and the task that just changed. */
export interface GroupProgress<Ref, Snapshot> {
  /** Tasks in the group (a task named twice counts once). */
  total: number;
  /** Tasks that have ended, whatever their outcome, or whose wait failed. */
  ended: number;
  /** Of those, the ones that ended `failed` or `canceled`, or whose wait failed. */
  failed: number;
  /** The task that changed, as it was named. */
  ref: Ref;
  /** Its latest snapshot; undefined when its wait failed before any. */
  snapshot: Snapshot | undefined;
}

/** What the group methods need from the client. */
export interface GroupDeps {
  vendor: string;
  resolve(ref: unknown): ResolvedTask;
  /** The checked poll settings of a call's options. */
  settings(options: WaitDefaults): ResolvedWait;
  /** How a wait with these settings reads a task. */
  read(
    settings: ResolvedWait,
  ): (task: ResolvedTask, signal: AbortSignal, order: PollOrder, observe?: RequestObserver) => Promise<Polled>;
  /** The observer of one task's wait (logs, hooks, spans), if anything observes. */
  observe?(task: ResolvedTask): WaitObserver | undefined;
  /** The client's pending waits by task, which a push rouses. */
  wakes?: WakeRegistry | undefined;
}

/** The group methods of a client. */
export interface GroupMethods<Ref, Snapshot> {
  waitAll(
    refs: Iterable<Ref>,
    options?: WaitAllOptions<Ref, Snapshot>,
  ): Promise<Snapshot[] | WaitOutcome<Ref, Snapshot>[]>;
  waitEach(
    refs: Iterable<Ref>,
    options?: GroupOptions<Ref, Snapshot>,
  ): AsyncGenerator<WaitOutcome<Ref, Snapshot>, void, undefined>;
  waitAny(refs: Iterable<Ref>, options?: GroupOptions<Ref, Snapshot>): Promise<{ ref: Ref; snapshot: Snapshot }>;
}

/** One distinct task of a group. */
interface Member {
  task: ResolvedTask;
  /** The ref as first named. */
  ref: unknown;
  /** Where it was named in `refs` (more than once for a duplicate). */
  at: number | number[];
  wait: Stoppable | undefined;
  ended: boolean;
}

type Report = (member: Member, snapshot: TaskSnapshot | undefined, error: unknown) => void;

// Waits the group itself stops (the consumer left, the group already failed): nobody is told.
const DROPPED = Symbol('dropped by the group');

/** The running group: its members, its timers, its deadline and its signal. */
class Group implements WaitEvents<Member> {
  readonly #members: Member[];
  /** How many refs were named (duplicates included). */
  readonly named: number;
  readonly #shared: WaitShared<Member>;
  readonly #timers = new DueTimers();
  readonly #options: GroupOptions<unknown, TaskSnapshot>;
  readonly #deps: GroupDeps;
  /** Where the group was started: its frames go on the stack of each error it reports. */
  readonly #caller: Caller | undefined;
  #report: Report = () => {};
  #pending: number;
  #ended = 0;
  #failed = 0;
  #onAbort: (() => void) | undefined;
  /** Called once when the caller's signal stops the group. */
  aborted: (reason: unknown) => void = () => {};

  constructor(
    deps: GroupDeps,
    named: { members: Member[]; count: number },
    options: GroupOptions<unknown, TaskSnapshot>,
    caller: Caller | undefined,
  ) {
    const settings = deps.settings(options);
    this.#caller = caller;
    const members = named.members;
    this.#deps = deps;
    this.#members = members;
    this.named = named.count;
    this.#options = options;
    this.#pending = members.length;
    const read = deps.read(settings);
    const deadlineAt = Number.isFinite(settings.timeoutMs) ? Date.now() + settings.timeoutMs : Number.POSITIVE_INFINITY;
    this.#shared = {
      vendor: deps.vendor,
      fetch: (member, signal, order, observer) => read(member.task, signal, order, observer),
      options: settings,
      timeoutMs: settings.timeoutMs,
      timers: this.#timers,
      group: { deadlineAt, events: this },
      wakes: deps.wakes && { registry: deps.wakes, key: (member) => taskKey(member.task.href) },
    };
  }

  get pending(): number {
    return this.#pending;
  }

  /** Starts every wait; `report` hears each task's end. */
  start(report: Report): void {
    this.#report = report;
    const { signal } = this.#options;
    signal?.throwIfAborted();
    if (signal) {
      this.#onAbort = () => {
        this.aborted(signal.reason);
        this.stop();
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    const deadlineAt = this.#shared.group?.deadlineAt ?? Number.POSITIVE_INFINITY;
    if (Number.isFinite(deadlineAt)) this.#timers.add({ wakeAt: deadlineAt, wake: () => this.#expire() });
    const now = Date.now();
    const throwOnFailure = this.#options.throwOnFailure !== false;
    for (const member of this.#members) {
      if (member.ended) continue;
      member.wait = startWait({
        shared: this.#shared,
        task: member,
        id: member.task.id,
        state: initialState(this.#deps.vendor, member.task.ref, now),
        throwOnFailure,
        observer: this.#deps.observe?.(member.task),
        caller: this.#caller,
      });
    }
  }

  /** Stops every wait still running, telling nobody; clears the timer and the listener. */
  stop(): void {
    this.#report = () => {};
    for (const member of this.#members) if (!member.ended) member.wait?.halt(DROPPED);
    this.#finish();
  }

  snapshot(member: Member, snapshot: TaskSnapshot, changed: boolean): void {
    if (!changed) return;
    this.#options.onTaskProgress?.(snapshot, member.ref);
    this.#progress(member, snapshot);
  }

  settled(member: Member, snapshot: TaskSnapshot | undefined, error: unknown): void {
    if (member.ended) return;
    member.ended = true;
    member.wait = undefined;
    this.#pending -= 1;
    this.#ended += 1;
    if (snapshot === undefined || snapshot.state === 'failed' || snapshot.state === 'canceled') this.#failed += 1;
    if (error !== DROPPED) {
      // The counts move when a task ends with an error: progress hears of it too.
      if (snapshot === undefined) this.#progress(member, undefined);
      this.#report(member, snapshot, error);
    }
    if (this.#pending === 0) this.#finish();
  }

  #progress(member: Member, snapshot: TaskSnapshot | undefined): void {
    this.#options.onProgress?.({
      total: this.#members.length,
      ended: this.#ended,
      failed: this.#failed,
      ref: member.ref,
      snapshot,
    });
  }

  /** The group's deadline: every task still running ends with its own `WaitTimeoutError`. */
  #expire(): void {
    for (const member of this.#members) if (!member.ended && member.wait) expire(member.wait);
  }

  #finish(): void {
    this.#timers.clear();
    if (this.#onAbort) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
  }
}

/** `waitAll`, `waitEach` and `waitAny` for a client. */
export function groupMethods<Ref, Snapshot>(deps: GroupDeps): GroupMethods<Ref, Snapshot> {
  const make = (
    method: string,
    refs: Iterable<Ref>,
    options: GroupOptions<Ref, Snapshot>,
    above: (...args: never[]) => unknown,
  ) =>
    new Group(
      deps,
      membersOf(deps, method, refs),
      options as GroupOptions<unknown, TaskSnapshot>,
      captureCaller(`${method}()`, above),
    );

  const methods: GroupMethods<Ref, Snapshot> = {
    waitAll(refs, options = {}) {
      let group: Group;
      try {
        group = make('waitAll', refs, options, methods.waitAll);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        const results: unknown[] = [];
        let over = false;
        group.aborted = (reason) => {
          over = true;
          reject(reason);
        };
        const report: Report = (member, snapshot, error) => {
          if (over) return;
          if (snapshot === undefined && !options.settled) {
            over = true;
            group.stop();
            reject(error);
            return;
          }
          for (const at of positions(member)) {
            results[at] = options.settled
              ? snapshot === undefined
                ? { ref: member.ref, error }
                : { ref: member.ref, snapshot }
              : snapshot;
          }
          if (group.pending === 0) {
            over = true;
            resolve(results as Snapshot[]);
          }
        };
        try {
          group.start(report);
        } catch (error) {
          reject(error);
        }
      });
    },

    waitEach(refs, options = {}) {
      const group = make('waitEach', refs, options, methods.waitEach);
      return each<Ref, Snapshot>(group);
    },

    waitAny(refs, options = {}) {
      let group: Group;
      try {
        group = make('waitAny', refs, options, methods.waitAny);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        let over = false;
        group.aborted = (reason) => {
          over = true;
          reject(reason);
        };
        try {
          group.start((member, snapshot, error) => {
            if (over) return;
            over = true;
            group.stop();
            if (snapshot === undefined) reject(error);
            else resolve({ ref: member.ref as Ref, snapshot: snapshot as Snapshot });
          });
        } catch (error) {
          reject(error);
        }
      });
    },
  };
  return methods;
}

/** The outcomes of `group` as its tasks end, one per ref named; leaving the loop stops the rest. */
async function* each<Ref, Snapshot>(group: Group): AsyncGenerator<WaitOutcome<Ref, Snapshot>, void, undefined> {
  const ready: WaitOutcome<Ref, Snapshot>[] = [];
  let notify: (() => void) | undefined;
  let stopped: { reason: unknown } | undefined;
  group.aborted = (reason) => {
    stopped = { reason };
    notify?.();
  };
  try {
    group.start((member, snapshot, error) => {
      for (const _ of positions(member)) {
        ready.push(
          snapshot === undefined
            ? { ref: member.ref as Ref, error }
            : { ref: member.ref as Ref, snapshot: snapshot as Snapshot },
        );
      }
      notify?.();
    });
    for (let owed = group.named; owed > 0; ) {
      if (stopped) throw stopped.reason;
      const next = ready.shift();
      if (next) {
        owed -= 1;
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        notify = resolve;
      });
      notify = undefined;
    }
  } finally {
    group.stop();
  }
}

function positions(member: Member): readonly number[] {
  return typeof member.at === 'number' ? [member.at] : member.at;
}

/** The distinct tasks of `refs`, each with where it was named; a {@link ConfigError} naming `refs` for bad input. */
function membersOf(deps: GroupDeps, method: string, refs: Iterable<unknown>): { members: Member[]; count: number } {
  if (refs === null || typeof refs !== 'object' || typeof (refs as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new ConfigError('refs', `${method} takes an array (or iterable) of task refs`);
  }
  const byUrl = new Map<string, Member>();
  const members: Member[] = [];
  let index = 0;
  for (const ref of refs) {
    let task: ResolvedTask;
    try {
      task = deps.resolve(ref);
    } catch (error) {
      throw new ConfigError('refs', `refs[${index}]: ${(error as Error).message}`, { cause: error });
    }
    const known = byUrl.get(task.href);
    if (known) {
      known.at = typeof known.at === 'number' ? [known.at, index] : [...known.at, index];
    } else {
      const member: Member = { task, ref, at: index, wait: undefined, ended: false };
      byUrl.set(task.href, member);
      members.push(member);
    }
    index += 1;
  }
  if (members.length === 0) throw new ConfigError('refs', `${method} needs at least one task ref; refs is empty`);
  return { members, count: index };
}
