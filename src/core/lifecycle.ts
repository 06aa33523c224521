/**
 * The canonical task lifecycle that every vendor's states are mapped onto.
 *
 * @module
 */

/**
 * Every canonical state, non-terminal first.
 *
 * @group Lifecycle
 */
export const TASK_STATES = [
  'queued',
  'running',
  'blocked',
  'canceling',
  'unknown',
  'succeeded',
  'partial',
  'failed',
  'canceled',
  'skipped',
] as const;

/**
 * The canonical state of a task, whatever the vendor calls it.
 *
 * | state | terminal | meaning |
 * |---|---|---|
 * | `queued` | no | accepted, not started |
 * | `running` | no | being worked on |
 * | `blocked` | no | waits on something outside it: a dependency, a suspension, a submission |
 * | `canceling` | no | a cancellation was asked for and is under way |
 * | `unknown` | no | a status this version of taskwait does not know; polling goes on |
 * | `succeeded` | yes | finished, everything done |
 * | `partial` | yes | finished, some items failed |
 * | `failed` | yes | finished without doing its job |
 * | `canceled` | yes | stopped before it finished |
 * | `skipped` | yes | intentionally not run |
 *
 * @group Lifecycle
 */
export type TaskState = (typeof TASK_STATES)[number];

/**
 * The states a task never leaves.
 *
 * @group Lifecycle
 */
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'succeeded',
  'partial',
  'failed',
  'canceled',
  'skipped',
]);

/**
 * Whether a task in `state` has ended and will not change again.
 *
 * @group Lifecycle
 */
export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}

/**
 * Whether `value` is one of the canonical {@link TaskState} strings.
 *
 * @group Lifecycle
 */
export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && (TASK_STATES as readonly string[]).includes(value);
}

/**
 * What went wrong with a task, as the vendor said it.
 *
 * @group Lifecycle
 */
export interface TaskError {
  /** The vendor's failure text. */
  message: string;
  /** A machine-readable code, where the vendor gives one. */
  code?: string | undefined;
}

/**
 * One observation of a task, normalized. Plain data: it survives `JSON.stringify`.
 *
 * @typeParam Raw - the vendor's validated payload type.
 * @typeParam Kind - the vendor's name for this kind of task (most vendors have one).
 *
 * @group Lifecycle
 */
export interface TaskSnapshot<Raw = unknown, Kind extends string = string> {
  /** The vendor's name, e.g. `"mixpeek"`. */
  vendor: string;
  /** Which of the vendor's task kinds this is, e.g. `"syncTask"` for Anaplan ALM. */
  kind: Kind;
  /** The task's id as the vendor gives it. */
  id: string;
  /** The canonical state. */
  state: TaskState;
  /** `isTerminal(state)`. */
  terminal: boolean;
  /** The vendor's own status string, unchanged. */
  rawStatus: string;
  /** Overall progress from 0 to 1, whatever the vendor's scale; absent when the vendor gives none. */
  progress?: number | undefined;
  /** A human-readable step or description, where the vendor gives one. */
  message?: string | undefined;
  /** Present when the task failed (or partly failed) and the vendor said why. */
  error?: TaskError | undefined;
  /** ISO 8601 date-times, where the vendor has them. */
  createdAt?: string | undefined;
  updatedAt?: string | undefined;
  completedAt?: string | undefined;
  /** The vendor's estimate of when the task will end (ISO 8601). */
  eta?: string | undefined;
  /** The validated vendor payload, every field kept (unknown ones too). */
  raw: Raw;
}
