/**
 * A fake task's life before its outcome: the phases given, or the ones the short options make,
 * checked once when the task is made.
 *
 * @module
 */
import { ConfigError, isTaskState, isTerminal, type TaskState } from '../index.js';

/** A stretch of a task's life in one non-terminal state. */
export interface FakePhase {
  /** A non-terminal state: `queued`, `running`, `blocked`, `canceling` or `unknown`. */
  state: TaskState;
  /**
   * How many polls it lasts. Default: the length of `progress` when that is a list, else 0 when
   * `ms` is given, else 1.
   */
  polls?: number | undefined;
  /**
   * The least time it lasts, in ms (and at least `polls` polls): from the task's first poll for the
   * first phase, else from when the phase before ended. A phase with no `polls` ends on the clock,
   * polled or not; one with `polls` ends at the poll after both are done.
   */
  ms?: number | undefined;
  /**
   * Progress 0..1: one value per poll (the last one repeats), or one value throughout. Omitted on a
   * `running` phase with `ms`: progress rises evenly over `ms`.
   */
  progress?: number | readonly number[] | undefined;
}

/** The options of a fake task that say its phases. */
export interface PhaseOptions {
  phases?: readonly FakePhase[] | undefined;
  queuedPolls?: number | undefined;
  queuedMs?: number | undefined;
  progress?: readonly number[] | undefined;
  runningMs?: number | undefined;
}

/** A phase as the task runs it. */
export interface Phase {
  state: TaskState;
  polls: number;
  ms: number;
  progress: readonly number[] | 'linear' | undefined;
}

/** Checks the phase options and makes the phases; a mistake is a ConfigError naming the option. */
export function compilePhases(options: PhaseOptions): Phase[] {
  const flat = (['queuedPolls', 'queuedMs', 'progress', 'runningMs'] as const).filter((k) => options[k] !== undefined);
  let given: readonly FakePhase[];
  if (options.phases) {
    if (flat.length > 0) {
      throw new ConfigError('phases', `give either phases or ${flat.join(', ')}, not both`);
    }
    given = options.phases;
  } else {
    const running: FakePhase =
      options.progress !== undefined
        ? { state: 'running', progress: options.progress, ms: options.runningMs ?? 0 }
        : options.runningMs !== undefined
          ? { state: 'running', ms: options.runningMs }
          : { state: 'running', progress: [0.5] };
    given = [
      {
        state: 'queued',
        polls: options.queuedPolls ?? (options.queuedMs === undefined ? 1 : 0),
        ms: options.queuedMs ?? 0,
      },
      running,
    ];
  }
  return given.map((phase, i) => {
    const where = options.phases ? `phases[${i}]` : phase.state === 'queued' ? 'queuedPolls' : 'progress';
    if (!isTaskState(phase.state) || isTerminal(phase.state)) {
      throw new ConfigError('phases', `${where}: a phase is a non-terminal state, got ${String(phase.state)}`);
    }
    const list = typeof phase.progress === 'number' ? [phase.progress] : phase.progress;
    if (list?.some((p) => !(p >= 0 && p <= 1))) {
      throw new ConfigError('progress', `${where}: progress values go from 0 to 1`);
    }
    const ms = phase.ms ?? 0;
    const polls = phase.polls ?? (Array.isArray(phase.progress) ? phase.progress.length : ms > 0 ? 0 : 1);
    if (!Number.isInteger(polls) || polls < 0)
      throw new ConfigError('phases', `${where}: polls must be a whole number`);
    if (!(Number.isFinite(ms) && ms >= 0)) throw new ConfigError('phases', `${where}: ms must be a number of ms`);
    const linear = list === undefined && phase.state === 'running' && ms > 0;
    return { state: phase.state, polls, ms, progress: linear ? 'linear' : list };
  });
}
