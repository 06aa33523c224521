/**
 * Anaplan tasks: bulk actions of the Integration API v2
 * (`GET https://api.anaplan.com/2/0/workspaces/{ws}/models/{m}/{imports|exports|actions|processes}/{actionId}/tasks/{taskId}`)
 * and ALM tasks (`GET /models/{m}/alm/{syncTasks|comparisonReportTasks|summaryReportTasks}/{taskId}`),
 * with `Authorization: AnaplanAuthToken <token>`.
 *
 * `COMPLETE` is not success: a task whose `result.successful` is false has `failed`, and a process
 * whose `nestedResults` hold a failure is `partial`. A result, or a nested one, without
 * `successful` is not known to have failed. Anaplan asks for one status check per 5 s at most, so
 * that is the default minimum delay.
 *
 * Every field of a task is optional, as in the published specs: a task without `taskId` takes the
 * reference's id, one without `taskState` (or without a `task` at all) is `unknown`, and a missing
 * `progress` or error text is left out of the snapshot.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { anaplan } from 'taskwait/anaplan';
 *
 * const client = createClient(anaplan, { token: anaplanAuthToken });
 * const ref = await client.start({ workspaceId, modelId, actionId: '118000000002' });
 * const done = await client.wait(ref); // or { workspaceId, modelId, actionId, taskId }
 * const sync = await client.wait({ modelId, kind: 'syncTasks', taskId });
 * ```
 *
 * @module taskwait/anaplan
 */
import type { TaskSnapshot, TaskState } from '../../core/lifecycle.js';
import {
  authorization,
  defineBatch,
  defineTask,
  defineVendor,
  type SnapshotFields,
  type TaskClient,
  type TaskKind,
  type Vendor,
} from '../../core/vendor.js';
import {
  type ReportTask,
  type ReportTaskStatusPoll,
  ReportTaskStatusPollSchema,
  type SyncTask,
  type SyncTaskStatusPoll,
  SyncTaskStatusPollSchema,
} from './alm-schemas.js';
import { type AnaplanMethods, anaplanMethods } from './methods.js';
import {
  ACTION_TYPES,
  type ActionType,
  type AlmKind,
  AnaplanActionTaskRef,
  AnaplanTaskRef,
  actionPath,
  actionTypeFor,
} from './refs.js';
import {
  AnaplanTaskStateSchema,
  TaskListResponseSchema,
  type TaskResult,
  type TaskStatus,
  type TaskStatusPoll,
  TaskStatusPollSchema,
  type TaskSummary,
} from './schemas.js';

export * from './alm-schemas.js';
export type {
  AnaplanAlmTaskRequest,
  AnaplanMethods,
  AnaplanStartedTask,
  AnaplanTaskListOptions,
} from './methods.js';
export {
  ACTION_TYPES,
  type ActionType,
  ALM_KINDS,
  type AlmKind,
  AnaplanActionRef,
  AnaplanActionTaskRef,
  AnaplanAlmTaskRef,
  AnaplanTaskRef,
  actionTypeOf,
} from './refs.js';
export * from './schemas.js';

/**
 * How each `taskState` maps onto the canonical lifecycle. `COMPLETE` is `succeeded` only when
 * the result says so: see the payload rules in the module's docs.
 */
export const ANAPLAN_STATES = {
  NOT_STARTED: 'queued',
  IN_PROGRESS: 'running',
  COMPLETE: 'succeeded',
  CANCELLING: 'canceling',
  CANCELLED: 'canceled',
} as const satisfies Record<(typeof AnaplanTaskStateSchema.values)[number], TaskState>;

/**
 * An Anaplan task as a client sees it, told apart by `kind`: a bulk action's task (`raw` is a
 * {@link TaskStatusPoll}), an ALM sync task ({@link SyncTaskStatusPoll}) or an ALM report task
 * ({@link ReportTaskStatusPoll}).
 *
 * @group Vendor
 */
export type AnaplanSnapshot =
  | TaskSnapshot<TaskStatusPoll, 'imports'>
  | TaskSnapshot<TaskStatusPoll, 'exports'>
  | TaskSnapshot<TaskStatusPoll, 'actions'>
  | TaskSnapshot<TaskStatusPoll, 'processes'>
  | TaskSnapshot<SyncTaskStatusPoll, 'syncTasks'>
  | TaskSnapshot<ReportTaskStatusPoll, 'comparisonReportTasks'>
  | TaskSnapshot<ReportTaskStatusPoll, 'summaryReportTasks'>;

/**
 * The task kinds of {@link anaplan}: the four bulk action types, and the three ALM task kinds. (A
 * type, not an interface: a vendor's kinds are a record of task kinds.)
 */
export type AnaplanKinds = {
  imports: TaskKind<typeof TaskStatusPollSchema>;
  exports: TaskKind<typeof TaskStatusPollSchema>;
  actions: TaskKind<typeof TaskStatusPollSchema>;
  processes: TaskKind<typeof TaskStatusPollSchema>;
  syncTasks: TaskKind<typeof SyncTaskStatusPollSchema>;
  comparisonReportTasks: TaskKind<typeof ReportTaskStatusPollSchema>;
  summaryReportTasks: TaskKind<typeof ReportTaskStatusPollSchema>;
};

/**
 * The Anaplan vendor's type: {@link anaplan}, as `createClient` reads it.
 *
 * @group Vendor
 */
export interface AnaplanVendor
  extends Vendor<
    'anaplan',
    (typeof AnaplanTaskStateSchema.values)[number],
    AnaplanKinds,
    typeof AnaplanTaskRef,
    AnaplanMethods,
    AnaplanSnapshot
  > {}

/**
 * An Anaplan client: what `createClient(anaplan, options)` returns.
 *
 * @group Vendor
 */
export type AnaplanClient = TaskClient<AnaplanVendor>;

// Anaplan's default page size of a list, and its ceiling.
const LIST_PAGE = 5000;

// One definition for the four bulk kinds: they share the Task model and differ by URL only.
const bulkTask = defineTask({
  model: 'Task',
  schema: TaskStatusPollSchema,
  status: (raw) => raw.task?.taskState,
  snapshot: (raw) => bulkSnapshot(raw.task),
});

const syncTask = defineTask({
  model: 'SyncTask',
  schema: SyncTaskStatusPollSchema,
  status: (raw) => raw.task?.taskState,
  snapshot: (raw) => almSnapshot(raw.task),
});

const reportTask = defineTask({
  model: 'ReportTask',
  schema: ReportTaskStatusPollSchema,
  status: (raw) => raw.task?.taskState,
  snapshot: (raw) => almSnapshot(raw.task),
});

/**
 * The Anaplan vendor. Pass it to `createClient` with an Anaplan auth token as `token` (from
 * `POST https://auth.anaplan.com/token/authenticate`; a function can hand out a refreshed one).
 *
 * References: `{ workspaceId, modelId, actionId, taskId }` for a bulk action's task (the action's
 * kind read from its id, or given as `actionType`), `{ modelId, kind, taskId }` for an ALM task,
 * or the task's absolute URL.
 *
 * @group Vendor
 */
export const anaplan: AnaplanVendor = defineVendor({
  name: 'anaplan',
  baseUrl: 'https://api.anaplan.com/2/0',
  auth: authorization('AnaplanAuthToken'),
  statuses: AnaplanTaskStateSchema.values,
  states: ANAPLAN_STATES,
  tasks: {
    imports: bulkTask,
    exports: bulkTask,
    actions: bulkTask,
    processes: bulkTask,
    syncTasks: syncTask,
    comparisonReportTasks: reportTask,
    summaryReportTasks: reportTask,
  },
  ref: AnaplanTaskRef,
  route: (ref) =>
    ref.kind === undefined
      ? { kind: actionTypeFor(ref), path: [...actionPath(ref), ref.taskId] }
      : { kind: ref.kind, path: ['models', ref.modelId, 'alm', ref.kind, ref.taskId] },
  routeUrl: (url) => {
    const alm = /\/alm\/(syncTasks|comparisonReportTasks|summaryReportTasks)\/[^/]+\/?$/.exec(url.pathname);
    if (alm) return alm[1] as AlmKind;
    const bulk = /\/(imports|exports|actions|processes)\/[^/]+\/tasks\/[^/]+\/?$/.exec(url.pathname);
    return (bulk?.[1] as ActionType | undefined) ?? 'actions';
  },
  // "You can cancel an ongoing … task if you make the same call using the DELETE verb." ALM has no cancel.
  cancel: { method: 'DELETE', kinds: ACTION_TYPES },
  // "Check the status of an ongoing process no more than once every 5 seconds."
  poll: { minDelayMs: 5000 },
  batch: defineBatch({
    kinds: ACTION_TYPES,
    // Anaplan's default page and ceiling: one page of the action's tasks, newest first.
    max: LIST_PAGE,
    key: (task) => actionOf(task.ref)?.join('/'),
    list: (tasks) => ({
      path: actionOf(tasks[0]?.ref) ?? [],
      query: { sort: '-creationDate', limit: LIST_PAGE },
      schema: TaskListResponseSchema,
      model: 'TaskListResponse',
    }),
    // A list entry that says COMPLETE without its `result` can't tell success from failure, and
    // one without its `taskId` names no task: those tasks are read on their own.
    found: (list) =>
      [list.tasks ?? [], list.task ?? []]
        .flat()
        .flatMap((task) => (typeof task.taskId === 'string' ? [[task.taskId, listed(task)] as const] : [])),
  }),
  methods: anaplanMethods,
});

/** The task list path of a bulk action task named by its ids; undefined for an ALM task or a URL. */
function actionOf(ref: unknown): string[] | undefined {
  const parsed = AnaplanActionTaskRef.safeParse(ref);
  return parsed.success ? actionPath(parsed.data) : undefined;
}

function listed(task: TaskSummary): { task: TaskSummary } | undefined {
  const result = (task as { result?: unknown }).result;
  if (task.taskState === 'COMPLETE' && (typeof result !== 'object' || result === null)) return undefined;
  return { task };
}

// An empty id makes the client use the reference's.
function bulkSnapshot(task: TaskStatus | undefined): SnapshotFields {
  if (!task) return { id: '' };
  const fields: SnapshotFields = {
    id: task.taskId ?? '',
    // Progress is 0..1; a negative value means "no step running", not progress.
    progress: typeof task.progress === 'number' && task.progress >= 0 ? task.progress : undefined,
    message: task.currentStep,
    createdAt: task.creationTime,
  };
  return task.taskState === 'COMPLETE' ? { ...fields, ...outcomeOf(task.result) } : fields;
}

function almSnapshot(task: SyncTask | ReportTask | undefined): SnapshotFields {
  if (!task) return { id: '' };
  // `currentStep`, and a report task's `creationTime`, are the SDK's: read only when of its type.
  const step = task.currentStep;
  const created = task.creationTime;
  const fields: SnapshotFields = {
    id: task.taskId ?? '',
    message: typeof step === 'string' ? step : undefined,
    createdAt: typeof created === 'string' || typeof created === 'number' ? created : undefined,
  };
  if (task.taskState !== 'COMPLETE' || task.result?.successful !== false) return fields;
  const error = task.result.error;
  const text = error ? [error.title, error.messageText].filter((t) => t?.trim()).join(': ') : '';
  return { ...fields, state: 'failed', error: text || 'the task completed with result.successful false' };
}

// COMPLETE says only that the task ended: `successful` says whether it did its job, and a
// process's nested results whether each of its actions did. Only `false` is a failure: a result
// without `successful` is not known to have failed.
function outcomeOf(result: TaskResult | undefined): Pick<SnapshotFields, 'state' | 'error'> {
  if (!result) return {};
  if (result.successful === false) {
    const texts = [...messagesOf(result), ...failedNested(result).flatMap(messagesOf)];
    const code = result.details?.find((d) => d.localMessageText)?.type;
    const message = unique(texts).join('; ') || 'the task completed with result.successful false';
    return { state: 'failed', error: code ? { message, code } : message };
  }
  const failed = failedNested(result);
  if (failed.length === 0) return {};
  const total = countNested(result);
  const each = failed.map((r) => [r.objectId, unique(messagesOf(r)).join('; ')].filter(Boolean).join(': '));
  return { state: 'partial', error: `${failed.length} of ${total} nested results failed: ${each.join('; ')}` };
}

function messagesOf(result: TaskResult): string[] {
  return (result.details ?? []).flatMap((d) => (d.localMessageText?.trim() ? [d.localMessageText.trim()] : []));
}

function failedNested(result: TaskResult): TaskResult[] {
  return (result.nestedResults ?? []).flatMap((r) => (r.successful === false ? [r] : failedNested(r)));
}

function countNested(result: TaskResult): number {
  return (result.nestedResults ?? []).reduce((n, r) => n + 1 + countNested(r), 0);
}

function unique(texts: string[]): string[] {
  return [...new Set(texts)];
}
