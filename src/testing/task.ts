/**
 * `fakeTask`: the scenario engine. A task's life (queued, running with progress, an outcome) and
 * its faults, answered poll by poll in the vendor's own payloads. Knows nothing of msw or sockets:
 * the msw handlers and the loopback server both hand it requests.
 *
 * @module
 */
import { ConfigError, isTaskState, isTerminal, type TaskState, TERMINAL_STATES } from '../index.js';
import type { FakeTaskView, VendorFake } from './fake.js';
import {
  compileFaults,
  errorAnswer,
  type Fault,
  type FaultRule,
  HTML_PAGE,
  pickFault,
  seededRandom,
  truncate,
} from './faults.js';
import { compilePath, type PathMatcher } from './paths.js';
import { compilePhases, type FakePhase } from './phases.js';
import {
  carriesToken,
  type FakeRequest,
  headerRecord,
  type RecordedRequest,
  redactHeaders,
  redactPath,
} from './record.js';

export type { FakePhase } from './phases.js';

/**
 * A token for clients of the fake tasks: `createClient(mixpeek, { token: FAKE_TOKEN })` (a client
 * needs one; the fakes accept any, unless a task is made with its own `token`). A fake server's
 * `clientOptions` carry it.
 */
export const FAKE_TOKEN = 'taskwait-fake-token';

/** How a fake task lives. Every field is optional: the default is queued, running at 50 %, succeeded. */
export interface FakeTaskOptions<Kind extends string = string> {
  /** The task id. Default: one in the vendor's format if its fake has one, else `task-<n>`. */
  id?: string | undefined;
  /** Which of the vendor's task kinds. Default: its first. */
  kind?: Kind | undefined;
  /** Polls answered `queued` before it runs. Default 1 (0 when `queuedMs` is given). */
  queuedPolls?: number | undefined;
  /** The least time it stays queued, from the first poll, in ms. */
  queuedMs?: number | undefined;
  /** Progress of each `running` poll, 0..1. Default `[0.5]` (rising evenly when `runningMs` is given). */
  progress?: readonly number[] | undefined;
  /** The least time it runs, in ms. */
  runningMs?: number | undefined;
  /**
   * The whole non-terminal life, phase by phase, for lives the options above can't say (a `blocked`
   * stretch, a second `queued`). Replaces `queuedPolls`, `queuedMs`, `progress` and `runningMs`.
   */
  phases?: readonly FakePhase[] | undefined;
  /** How it ends: one of the fake's `outcomes`. Default `succeeded`. */
  outcome?: TaskState | undefined;
  /** The failure text of a `failed`, `partial` or `canceled` outcome. */
  error?: string | undefined;
  /** For `partial`: how many items failed (default 1) of `totalItems` (default 10). */
  failedItems?: number | undefined;
  totalItems?: number | undefined;
  /** The task reports an eta this many ms after its first poll, until it ends. */
  etaMs?: number | undefined;
  /** Faults to inject. See {@link FaultRule}. */
  faults?: readonly FaultRule[] | undefined;
  /** The seed of the random source `rate` faults draw from. Default 1. */
  seed?: number | undefined;
  /** Answer 401 (the vendor's own body) unless a request header carries this token. */
  token?: string | undefined;
  /** The clock, in ms since the epoch. Default `Date.now` (so fake timers that fake `Date` work). */
  clock?: (() => number) | undefined;
  /** Reshapes the vendor's payload before it is sent: add fields, embed pages, read the query. */
  payload?: ((body: unknown, view: FakeTaskView, url: URL) => unknown) | undefined;
}

/** An answer for the transport to send. */
export interface FakeResponse {
  status: number;
  /** Names lower-cased. */
  headers: Record<string, string>;
  body: string;
  /** Hold the answer back this long, in ms. */
  delayMs: number;
  /** Close the connection instead of answering. */
  drop: boolean;
  /** Send the headers (with the whole body's `Content-Length`) and half the body, then reset the connection. */
  cut?: boolean | undefined;
  /** Send the body a few bytes at a time, spread over this many ms. */
  trickleMs?: number | undefined;
  /** The fault injected, if any. */
  fault?: string | undefined;
}

/**
 * A fake task of one vendor. Serve it with `taskwaitHandlers` (msw) or `startFakeServer`
 * (loopback), pass `ref` to the vendor's client, then assert on `requests`.
 */
export interface FakeTask<Kind extends string = string, Ref = unknown> {
  /** The vendor's fake that renders it. */
  readonly fake: VendorFake<Kind, Ref>;
  readonly id: string;
  readonly kind: Kind;
  /** What to pass to the vendor client's `get`, `wait` and `watch`. */
  readonly ref: FakeRef<Ref>;
  /** Every request this task received, oldest first; credentials redacted. */
  readonly requests: readonly RecordedRequest[];
  /** How many task payloads it served: the polls its life has counted. */
  readonly polls: number;
  /** The state of the last payload served; undefined before the first. */
  readonly state: TaskState | undefined;
  /**
   * When the task ends (ms since the epoch), once that no longer depends on polls: after its
   * first request, when every phase left lasts a time, not a number of polls (`queuedMs` and
   * `runningMs`, or `phases` with `ms` and no `polls`), and once its end has been served.
   * Undefined otherwise. A fake server times its webhooks by it.
   */
  readonly endsAt: number | undefined;
  /** Whether `path` (below the base URL) names this task. */
  matches(path: string): boolean;
  /** Answers one request: records it, picks a fault or renders the next poll. Sync, so any transport can use it. */
  respond(request: FakeRequest): FakeResponse;
  /**
   * The task as a poll at `now` would find it (its view, and the vendor's payload), without
   * counting a poll, recording a request or injecting a fault: what a webhook reports.
   */
  peek(now?: number): { view: FakeTaskView; body: unknown };
}

/**
 * The reference type of a fake task: the fake's own `Ref`, or `any` when the fake did not say,
 * so that `client.wait(task.ref)` type-checks with the vendor's client.
 */
// biome-ignore lint/suspicious/noExplicitAny: the escape hatch for fakes typed without a Ref
export type FakeRef<Ref> = unknown extends Ref ? any : Ref;

/** Any vendor's fake task. */
// biome-ignore lint/suspicious/noExplicitAny: any kind, any reference
export type AnyFakeTask = FakeTask<any, any>;

/** Where the life stands: the phase the next poll starts from. */
interface Position {
  index: number;
  /** Polls served before the phase began. */
  startPoll: number;
  /** When the phase began (ms). */
  startAt: number;
}

const counters = new Map<string, number>();

/**
 * Describes a task's life for one vendor: queued for some polls (or ms), running with progress
 * steps, then an outcome, with faults on chosen requests.
 *
 * @example
 * ```ts
 * import { fakeTask, mixpeekFake, taskwaitHandlers } from 'taskwait/testing';
 * const task = fakeTask(mixpeekFake, { queuedPolls: 2, progress: [0.3, 0.6], outcome: 'succeeded' });
 * const server = setupServer(...taskwaitHandlers(task));
 * // ... await client.wait(task.ref); expect(task.polls).toBe(5);
 * ```
 */
export function fakeTask<Kind extends string, Ref>(
  fake: VendorFake<Kind, Ref>,
  options: FakeTaskOptions<NoInfer<Kind>> = {},
): FakeTask<Kind, Ref> {
  if (!fake || typeof fake !== 'object' || !fake.kinds) {
    throw new ConfigError('fake', 'fakeTask needs a vendor fake, e.g. mixpeekFake from taskwait/testing');
  }
  const kinds = Object.keys(fake.kinds) as Kind[];
  const kind = options.kind ?? (kinds[0] as Kind);
  const kindDef = fake.kinds[kind];
  if (!kindDef) {
    throw new ConfigError('kind', `${fake.vendor} has no task kind ${String(kind)}; it has ${kinds.join(', ')}`);
  }
  const n = (counters.get(fake.vendor) ?? 0) + 1;
  counters.set(fake.vendor, n);
  const id = options.id ?? fake.taskId?.(n) ?? `task-${n}`;
  if (typeof id !== 'string' || id === '' || /[/?#\s]/.test(id)) {
    throw new ConfigError('id', `a fake task id must be a non-empty path segment, got ${JSON.stringify(id)}`);
  }
  const outcome = options.outcome ?? 'succeeded';
  if (!isTaskState(outcome) || !isTerminal(outcome)) {
    throw new ConfigError(
      'outcome',
      `outcome must be a terminal state (${[...TERMINAL_STATES].join(', ')}), got ${String(outcome)}`,
    );
  }
  if (!fake.outcomes.includes(outcome)) {
    throw new ConfigError(
      'outcome',
      `${fake.vendor} can't express ${outcome}; its outcomes are ${fake.outcomes.join(', ')}`,
    );
  }
  const phases = compilePhases(options);
  // A dry run of every state the life will show, so a fake that can't render one fails here.
  for (const state of new Set([...phases.map((p) => p.state), outcome])) {
    const at = new Date(0);
    try {
      kindDef.render({
        id,
        state,
        createdAt: at,
        updatedAt: at,
        completedAt: isTerminal(state) ? at : undefined,
        poll: 1,
      });
    } catch (error) {
      throw new ConfigError(
        isTerminal(state) ? 'outcome' : 'phases',
        `${fake.vendor} ${String(kind)} tasks can't be ${state}: ${(error as Error)?.message ?? String(error)}`,
      );
    }
  }
  const faults = compileFaults(options.faults);
  const random = seededRandom(options.seed ?? 1);
  const clock = options.clock ?? Date.now;
  const match: PathMatcher = compilePath(kindDef.path);
  const createdAt = clock();
  const requests: RecordedRequest[] = [];
  let served = 0;
  let firstAt: number | undefined;
  let position: Position | undefined;
  let lastState: TaskState | undefined;
  let lastProgress: number | undefined;
  let completedAt: number | undefined;

  // The phase of the poll after `served` polls, at `now`: skips phases that have run their course.
  const locate = (now: number): Position => {
    let at = position ?? { index: 0, startPoll: 0, startAt: firstAt ?? now };
    for (;;) {
      const phase = phases[at.index];
      if (!phase || served - at.startPoll < phase.polls || now - at.startAt < phase.ms) return at;
      // A phase that counts no polls ends on the clock; one that does, at the poll that ends it.
      at = { index: at.index + 1, startPoll: served, startAt: phase.polls === 0 ? at.startAt + phase.ms : now };
    }
  };

  const viewAt = (now: number, at: Position): FakeTaskView => {
    const phase = phases[at.index];
    const base = { id, createdAt: new Date(createdAt), updatedAt: new Date(now), poll: served + 1 };
    const totalItems = options.totalItems ?? (outcome === 'partial' ? 10 : undefined);
    if (phase) {
      const inPhase = served - at.startPoll;
      const progress =
        phase.progress === 'linear'
          ? Math.min(1, (now - at.startAt) / phase.ms)
          : phase.progress?.[Math.min(inPhase, phase.progress.length - 1)];
      return {
        ...base,
        state: phase.state,
        progress: progress ?? (phase.state === 'queued' ? undefined : lastProgress),
        totalItems,
        eta: options.etaMs === undefined ? undefined : new Date((firstAt ?? now) + options.etaMs),
      };
    }
    const done = completedAt ?? at.startAt;
    const complete = outcome === 'succeeded' || outcome === 'partial';
    return {
      ...base,
      updatedAt: new Date(done),
      completedAt: new Date(done),
      state: outcome,
      progress: complete ? 1 : lastProgress,
      error:
        options.error ??
        (outcome === 'failed'
          ? 'The task failed'
          : outcome === 'partial'
            ? `${options.failedItems ?? 1} of ${totalItems} items failed`
            : undefined),
      failedItems: outcome === 'partial' ? (options.failedItems ?? 1) : undefined,
      totalItems,
    };
  };

  // When the life ends if nothing but time moves it, or undefined when a poll must.
  const endsAt = (): number | undefined => {
    if (completedAt !== undefined) return completedAt;
    if (firstAt === undefined) return undefined;
    const at = position ?? { index: 0, startPoll: 0, startAt: firstAt };
    let end = at.startAt;
    for (const phase of phases.slice(at.index)) {
      if (phase.polls > 0) return undefined;
      end += phase.ms;
    }
    return end;
  };

  const payloadAt = (now: number, url: URL) => {
    const at = locate(now);
    const view = viewAt(now, at);
    let body: unknown = kindDef.render(view);
    if (options.payload) body = options.payload(body, view, url);
    return { at, view, body };
  };

  const render = (now: number, url: URL) => {
    const { at, view, body } = payloadAt(now, url);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(kindDef.headers ?? {})) headers[name.toLowerCase()] = value;
    return { at, view, status: 200, headers, body: JSON.stringify(body) };
  };

  const task: FakeTask<Kind, Ref> = {
    fake,
    id,
    kind,
    ref: fake.ref(kind, id) as FakeRef<Ref>,
    requests,
    get polls() {
      return served;
    },
    get state() {
      return lastState;
    },
    get endsAt() {
      return endsAt();
    },
    matches(path) {
      return match(path)?.taskId === id;
    },
    peek(now = clock()) {
      const { view, body } = payloadAt(
        now,
        new URL(kindDef.path.replace(':taskId', encodeURIComponent(id)), 'http://taskwait.invalid'),
      );
      return { view, body };
    },
    respond(request) {
      const now = clock();
      const url = new URL(request.url);
      const headers = headerRecord(request.headers);
      const number = requests.length + 1;
      firstAt ??= now;
      let fault: Fault | undefined;
      let answer: { status: number; headers: Record<string, string>; body: string };
      let label: string | undefined;
      let drop = false;
      let cut = false;
      if (options.token !== undefined && !carriesToken(headers, options.token)) {
        answer = errorAnswer(fake, 401, 'Invalid or missing credentials');
        label = 'unauthorized';
      } else if (request.method.toUpperCase() !== 'GET') {
        answer = errorAnswer(fake, 405, `${request.method} is not supported by the fake task`);
      } else {
        fault = pickFault(faults, number, random);
        const effect = fault?.effect;
        label = effect?.kind;
        if (effect?.kind === 'status') {
          answer = errorAnswer(fake, effect.status, effect.message);
        } else if (effect?.kind === 'rateLimit') {
          answer = errorAnswer(fake, 429, effect.message, effect);
        } else if (effect?.kind === 'drop') {
          answer = { status: 0, headers: {}, body: '' };
          drop = true;
        } else {
          const rendered = render(now, url);
          answer = rendered;
          if (effect?.kind === 'truncated') {
            answer = { ...rendered, body: truncate(rendered.body) };
          } else if (effect?.kind === 'html') {
            answer = { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: HTML_PAGE };
          } else if (effect?.kind === 'reset') {
            // Cut off by the transport: the client never gets the whole payload.
            cut = true;
          } else {
            // A payload the client gets: the life moves on.
            position = rendered.at;
            served += 1;
            lastState = rendered.view.state;
            if (rendered.view.progress !== undefined && !isTerminal(rendered.view.state)) {
              lastProgress = rendered.view.progress;
            }
            if (isTerminal(rendered.view.state)) completedAt ??= rendered.at.startAt;
          }
        }
      }
      requests.push({
        at: now,
        method: request.method.toUpperCase(),
        path: redactPath(url),
        headers: redactHeaders(headers),
        status: drop ? 'dropped' : answer.status,
        ...(label ? { fault: label } : {}),
      });
      const trickleMs = fault?.effect.kind === 'trickle' ? fault.effect.ms : undefined;
      return {
        ...answer,
        delayMs: fault?.latencyMs ?? 0,
        drop,
        ...(cut ? { cut } : {}),
        ...(trickleMs === undefined ? {} : { trickleMs }),
        ...(label ? { fault: label } : {}),
      };
    },
  };
  return task;
}
