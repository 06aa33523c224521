/**
 * A wait, a `poll()` and a `get()` as logs, hooks, spans and metrics see them: each poll and its
 * decision, each change of state, and the end.
 *
 * @module
 */
import type { TaskSnapshot } from '../lifecycle.js';
import type { DelayPlan } from '../poll/schedule.js';
import { clip } from '../redact.js';
import { compact, endedAt, errorType, frozenCopy, outcomeOf, statusOf } from './describe.js';
import { errorInfo, type Hooks } from './hooks.js';
import type { RecordLevel } from './logger.js';
import { failSpan, guard, MAX_ID, MAX_STATUS, type ObserverCore, type RequestObserver, Watch } from './requests.js';
import { type OtelAttributes, type OtelSpan, SPAN_INTERNAL, STATUS_ERROR, type Telemetry } from './telemetry.js';

/** A poll's decision, as the poller's `Step` carries it. */
export interface StepInfo {
  readonly done: boolean;
  readonly delayMs: number;
  readonly basis?: DelayPlan['basis'] | undefined;
  readonly state: { readonly polls: number };
}

/** What a wait tells, besides its requests: each poll, and its end. */
export interface WaitObserver extends RequestObserver {
  polled(snapshot: TaskSnapshot, step: StepInfo): void;
  faulted(error: unknown, step: StepInfo): void;
  /** `halted`: stopped by the caller's signal, a timeout or a consumer leaving `watch`. */
  settled(snapshot: TaskSnapshot | undefined, error: unknown, halted: boolean): void;
}

/** A task as the observer names it. */
export interface TaskInfo {
  id: string;
  kind: string;
}

/** What a wait watch needs of its client's observer. */
export interface WaitObserverCore extends ObserverCore {
  /** The attributes that name a task. */
  taskAttributes(task: TaskInfo): OtelAttributes;
}

/** One `get()`: a `taskwait.get` span over its requests. */
export class GetWatch extends Watch {
  constructor(observer: ObserverCore, telemetry: Telemetry | undefined, span: OtelSpan | undefined) {
    super(observer, telemetry, undefined, span, undefined);
  }

  /** The get ended with `snapshot`, or failed with `error`. */
  end(snapshot: TaskSnapshot | undefined, error: unknown): void {
    const span = this.span;
    if (span) guard(this.observer, () => this.#end(span, snapshot, error));
  }

  #end(span: OtelSpan, snapshot: TaskSnapshot | undefined, error: unknown): void {
    if (snapshot) {
      span.setAttributes({
        'taskwait.task.state': snapshot.state,
        'taskwait.task.raw_status': clip(this.observer.redact(snapshot.rawStatus), MAX_STATUS),
      });
      span.end();
    } else {
      failSpan(span, error, this.observer.redact);
    }
  }
}

/** One wait (or one `poll()`): its records, hooks, `taskwait.wait` span and metrics. */
export class WaitWatch extends Watch implements WaitObserver {
  readonly #task: TaskInfo;
  readonly #mode: 'wait' | 'poll';
  readonly #started = Date.now();
  #polls = 0;
  #state: string | undefined;
  #copied: { of: TaskSnapshot; copy: TaskSnapshot } | undefined;

  constructor(
    observer: WaitObserverCore,
    telemetry: Telemetry | undefined,
    own: Hooks | undefined,
    task: TaskInfo,
    resumed: boolean,
    mode: 'wait' | 'poll',
  ) {
    const span = telemetry?.start(
      mode === 'wait' ? 'taskwait.wait' : 'taskwait.poll',
      SPAN_INTERNAL,
      { ...observer.taskAttributes(task), 'taskwait.resumed': resumed },
      undefined,
    );
    super(observer, telemetry, own, span, undefined);
    this.#task = task;
    this.#mode = mode;
  }

  polled(snapshot: TaskSnapshot, step: StepInfo): void {
    guard(this.observer, () => this.#polled(snapshot, step));
  }

  faulted(error: unknown, step: StepInfo): void {
    guard(this.observer, () => this.#faulted(error, step));
  }

  settled(snapshot: TaskSnapshot | undefined, error: unknown, halted: boolean): void {
    guard(this.observer, () => this.#settled(snapshot, error, halted));
  }

  /** The end of a `poll()` that failed. */
  failed(error: unknown): void {
    const span = this.span;
    if (span) guard(this.observer, () => failSpan(span, error, this.observer.redact));
  }

  #polled(snapshot: TaskSnapshot, step: StepInfo): void {
    const { vendor, redact } = this.observer;
    const shownId = clip(redact(this.#task.id), MAX_ID);
    const { state, progress } = snapshot;
    const rawStatus = clip(redact(snapshot.rawStatus), MAX_STATUS);
    const previous = this.#state;
    this.#state = state;
    if (previous !== state) {
      this.log('info', 'taskwait: the task changed state', () =>
        compact({ event: 'state', vendor, id: shownId, from: previous, to: state, rawStatus, progress }),
      );
      this.span?.addEvent(
        'taskwait.state_change',
        compact({
          'taskwait.task.previous_state': previous,
          'taskwait.task.state': state,
          'taskwait.task.raw_status': rawStatus,
          'taskwait.task.progress': progress,
        }),
      );
    }
    const decision = this.#decision(step);
    this.log('debug', 'taskwait: polled', () => ({
      event: 'poll',
      vendor,
      id: shownId,
      ...compact({ polls: decision.polls, state, rawStatus, progress }),
      ...decision,
    }));
    if (this.wants('onPoll')) {
      this.hook('onPoll', Object.freeze({ vendor, id: this.#task.id, snapshot: this.#copy(snapshot), ...decision }));
    }
    if (this.telemetry) {
      const attributes = { 'taskwait.vendor': vendor, 'taskwait.task.kind': this.#task.kind };
      const { instruments } = this.telemetry;
      instruments.polls.add(1, attributes);
      const ended = endedAt(snapshot);
      if (ended !== undefined) instruments.detectionDelay.record(Math.max(0, Date.now() - ended) / 1000, attributes);
      if (this.#mode === 'poll') this.#endSpan(snapshot, undefined, step);
    }
  }

  #faulted(error: unknown, step: StepInfo): void {
    const { vendor, redact } = this.observer;
    const info = errorInfo(error, redact);
    const decision = this.#decision(step);
    this.log('warn', 'taskwait: a poll failed; polling again', () => ({
      event: 'poll',
      vendor,
      id: clip(redact(this.#task.id), MAX_ID),
      error: info,
      ...decision,
    }));
    if (this.wants('onPoll')) {
      this.hook('onPoll', Object.freeze({ vendor, id: this.#task.id, error: info, ...decision }));
    }
    if (this.telemetry) {
      this.telemetry.instruments.polls.add(1, { 'taskwait.vendor': vendor, 'taskwait.task.kind': this.#task.kind });
      this.span?.addEvent('taskwait.poll_failed', {
        'error.type': errorType(statusOf(error), error),
        'taskwait.poll.delay_ms': step.delayMs,
      });
    }
  }

  /** What a poll decided, as records and hooks show it; counts the poll. */
  #decision(step: StepInfo): { polls: number; done: boolean; delayMs: number; basis?: StepInfo['basis'] | undefined } {
    this.#polls = step.state.polls;
    return compact({ polls: step.state.polls, done: step.done, delayMs: step.delayMs, basis: step.basis });
  }

  #settled(snapshot: TaskSnapshot | undefined, error: unknown, halted: boolean): void {
    const { vendor, redact } = this.observer;
    const outcome = outcomeOf(snapshot, error, halted);
    const durationMs = Date.now() - this.#started;
    const shownError = error === undefined ? undefined : errorInfo(error, redact);
    const level: RecordLevel =
      outcome === 'completed' || outcome === 'aborted' ? 'info' : outcome === 'error' ? 'error' : 'warn';
    this.log(level, 'taskwait: the wait ended', () => ({
      event: 'settled',
      vendor,
      id: clip(redact(this.#task.id), MAX_ID),
      outcome,
      ...(snapshot ? { state: snapshot.state, rawStatus: clip(redact(snapshot.rawStatus), MAX_STATUS) } : {}),
      polls: this.#polls,
      durationMs,
      ...(shownError ? { error: shownError } : {}),
    }));
    if (this.wants('onSettled')) {
      this.hook(
        'onSettled',
        Object.freeze({
          vendor,
          id: this.#task.id,
          outcome,
          polls: this.#polls,
          durationMs,
          ...(snapshot ? { snapshot: this.#copy(snapshot) } : {}),
          ...(shownError ? { error: shownError } : {}),
        }),
      );
    }
    if (this.telemetry) {
      this.telemetry.instruments.waitDuration.record(durationMs / 1000, {
        'taskwait.vendor': vendor,
        'taskwait.task.kind': this.#task.kind,
        'taskwait.outcome': outcome,
      });
      if (this.span) {
        this.span.setAttributes({ 'taskwait.polls': this.#polls, 'taskwait.outcome': outcome });
        this.#endSpan(snapshot, outcome === 'aborted' ? undefined : error, undefined, outcome === 'failed');
      }
    }
  }

  #endSpan(snapshot: TaskSnapshot | undefined, error: unknown, step: StepInfo | undefined, taskFailed = false): void {
    const span = this.span;
    if (!span) return;
    const { redact } = this.observer;
    if (snapshot) {
      span.setAttributes({
        'taskwait.task.state': snapshot.state,
        'taskwait.task.raw_status': clip(redact(snapshot.rawStatus), MAX_STATUS),
      });
    }
    if (step) {
      span.setAttributes({
        'taskwait.polls': step.state.polls,
        'taskwait.poll.delay_ms': step.delayMs,
        ...(step.basis === undefined ? {} : { 'taskwait.poll.basis': step.basis }),
      });
    }
    if (error !== undefined) {
      failSpan(span, error, redact);
      return;
    }
    if (taskFailed) span.setStatus({ code: STATUS_ERROR, message: `the task ended ${snapshot?.state}` });
    span.end();
  }

  /** The frozen, redacted copy of `snapshot` hooks get; one per snapshot. */
  #copy(snapshot: TaskSnapshot): TaskSnapshot {
    if (this.#copied?.of !== snapshot)
      this.#copied = { of: snapshot, copy: frozenCopy(snapshot, this.observer.redact) };
    return this.#copied.copy;
  }
}
