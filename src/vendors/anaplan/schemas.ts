/**
 * Zod schemas of Anaplan's task models, after the community `anaplan-sdk`
 * (`anaplan_sdk/models/_task.py`, camelCase on the wire) and the `setikites/anaplan-openapi`
 * extracts of the Integration API v2 and ALM API. Names are the SDK's; the poll wrappers are its
 * `_TaskStatusPoll`, `_SyncTaskStatusPoll` and `_ReportTaskStatusPoll`.
 *
 * Where the SDK and Anaplan's own examples disagree the looser rule wins: the Integration API's
 * task examples omit `creationTime` and, before a task starts, `progress`.
 *
 * @module
 */
import { z } from 'zod';
import { openEnum } from '../../core/vendor.js';

/**
 * Every documented `taskState`. The SDK's literals lack `CANCELLING` and `CANCELLED` (the SDK
 * added `CANCELLED` later); Anaplan's docs list all five. Unknown values are accepted.
 */
export const AnaplanTaskStateSchema = openEnum(['NOT_STARTED', 'IN_PROGRESS', 'COMPLETE', 'CANCELLING', 'CANCELLED']);
/**
 * An Anaplan `taskState`: `NOT_STARTED`, `IN_PROGRESS`, `COMPLETE`, `CANCELLING`, `CANCELLED`, or another string a
 * newer API sends. `COMPLETE` alone is not success.
 */
export type AnaplanTaskState = z.infer<typeof AnaplanTaskStateSchema>;

/** When a task was created: epoch milliseconds (Integration API) or a date-time string (ALM API). */
export const CreationTimeSchema = z.union([z.number().int(), z.string()]);

const taskId = z.string().min(1);

// The states a model's members don't list. In the discriminator map this claims CANCELLING and
// CANCELLED; with `unionFallback` any state no member claims reaches it too, and the catch keeps
// that state as it came, so a new state parses (its snapshot state is `unknown`). The specs make
// `taskState` optional, so where the fallback members use it, it may be absent (also `unknown`).
const UNLISTED_STATES = ['CANCELLING', 'CANCELLED'] as const;
type UnlistedState = (typeof UNLISTED_STATES)[number];
const UnlistedStateSchema = z
  .enum(UNLISTED_STATES)
  .catch(({ input }) => input as UnlistedState)
  .pipe(z.custom<UnlistedState>((value) => typeof value === 'string', 'taskState must be a string'));

// ----- Integration API (bulk action tasks) -----

/** One message of a task result (`TaskResultDetail`), e.g. an import's row counts or an error. */
export const TaskResultDetailSchema = z.looseObject({
  /** The message text. */
  localMessageText: z.string().nullable().optional(),
  /** How many times it occurred. SDK default 0. */
  occurrences: z.number().int().optional(),
  /** The kind of message, e.g. `"hierarchyRowsProcessed"`. Optional in the Integration API spec. */
  type: z.string().optional(),
  /** Further information as name/value pairs flattened into one list. SDK default `[]`. */
  values: z.array(z.string().nullable()).optional(),
});
/** One message of a {@link TaskResult}, e.g. an import's row counts or an error text. */
export type TaskResultDetail = z.infer<typeof TaskResultDetailSchema>;

/** The outcome of a completed task (`TaskResult`); a process nests one per action. */
export const TaskResultSchema = z.looseObject({
  /** SDK default `[]`. */
  details: z.array(TaskResultDetailSchema).optional(),
  /** Whether the task did its job. `COMPLETE` alone does not say so. */
  successful: z.boolean(),
  /** Whether a failure dump can be downloaded for this task (or nested action). */
  failureDumpAvailable: z.boolean(),
  /** The results of a process's actions. SDK default `[]`. */
  get nestedResults(): z.ZodOptional<z.ZodArray<typeof TaskResultSchema>> {
    return z.array(TaskResultSchema).optional();
  },
  /** The import, export, process or action this result is for. */
  objectId: z.string().optional(),
  objectName: z.string().optional(),
  startTime: z.string().optional(),
  duration: z.string().optional(),
});
/**
 * What a finished bulk task did (`TaskResult`): check `successful`; a process holds one per action in `nestedResults`.
 */
export type TaskResult = z.infer<typeof TaskResultSchema>;

/** A task as task lists give it (`TaskSummary`; the SDK reads `id` from `taskId`). */
export const TaskSummarySchema = z.looseObject({
  taskId,
  taskState: AnaplanTaskStateSchema,
  creationTime: CreationTimeSchema,
});
/** A task as `client.tasks()` and `client.almTasks()` yield it: its `taskId`, `taskState` and `creationTime`. */
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/** A bulk task that has not finished (`Task`). */
export const TaskSchema = z.looseObject({
  taskId,
  taskState: z.enum(['NOT_STARTED', 'IN_PROGRESS']),
  /** The SDK requires it; Anaplan's examples of a polled task omit it. */
  creationTime: CreationTimeSchema.optional(),
  /** 0 to 1. The SDK requires it; a task that has not started may come without it. */
  progress: z.number().optional(),
  currentStep: z.string().nullable().optional(),
  type: z.string().optional(),
});
/** A bulk action task that has not finished (`Task`: `NOT_STARTED` or `IN_PROGRESS`), its `progress` 0 to 1. */
export type Task = z.infer<typeof TaskSchema>;

/** A finished bulk task (`CompletedTask`). Check `result.successful`. */
export const CompletedTaskSchema = z.looseObject({
  taskId,
  taskState: z.literal('COMPLETE'),
  creationTime: CreationTimeSchema.optional(),
  progress: z.number(),
  currentStep: z.string().nullable().optional(),
  type: z.string().optional(),
  result: TaskResultSchema,
});
/** A bulk action task that has finished (`CompletedTask`); whether it did its job is `result.successful`. */
export type CompletedTask = z.infer<typeof CompletedTaskSchema>;

/**
 * A bulk task in a state the SDK's models don't list: `CANCELLING`, `CANCELLED`, or (typed as
 * those two, held as it came) a state this version does not know.
 */
export const OtherStateTaskSchema = z.looseObject({
  taskId,
  taskState: UnlistedStateSchema.optional(),
  creationTime: CreationTimeSchema.optional(),
  progress: z.number().optional(),
  currentStep: z.string().nullable().optional(),
  result: TaskResultSchema.optional(),
});
/** A bulk action task in another state: `CANCELLING`, `CANCELLED`, or one this version does not know. */
export type OtherStateTask = z.infer<typeof OtherStateTaskSchema>;

/** Any bulk task, discriminated on `taskState`. */
export const TaskStatusSchema = z.discriminatedUnion(
  'taskState',
  [TaskSchema, CompletedTaskSchema, OtherStateTaskSchema],
  {
    unionFallback: true,
  },
);
/** Any bulk action task, the `task` of a {@link TaskStatusPoll}; narrow on `taskState` to reach `result`. */
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

// ----- Envelopes -----

/** Paging of a list (`Paging`). */
export const PagingSchema = z.looseObject({
  currentPageSize: z.number().int(),
  totalSize: z.number().int(),
  offset: z.number().int(),
  /** A ready URL of the next page, when there is one. */
  next: z.string().optional(),
  previous: z.string().optional(),
});
/** The offset paging of a list page (`Paging`): `offset`, `currentPageSize` and `totalSize`. */
export type Paging = z.infer<typeof PagingSchema>;

/** Response metadata (`Meta`). */
export const MetaSchema = z.looseObject({
  /** A URL naming the response's schema. */
  schema: z.string(),
  paging: PagingSchema.optional(),
});
/** The `meta` of an Anaplan response: its schema URL and, on a list page, its {@link Paging}. */
export type Meta = z.infer<typeof MetaSchema>;

/** Anaplan's own status of a response (`Status`); `code` is not always the HTTP status. */
export const StatusSchema = z.looseObject({
  code: z.number().int().optional(),
  message: z.string().optional(),
});
/** The `status` object in an Anaplan body: Anaplan's own `code` and `message`. */
export type Status = z.infer<typeof StatusSchema>;

/** Anaplan's error body, e.g. `{ status: { code: 403, message: "Forbidden" }, path, timestamp }`. */
export const ErrorResponseSchema = z.looseObject({
  status: StatusSchema,
  path: z.string().optional(),
  timestamp: z.string().optional(),
});
/**
 * An Anaplan error body, e.g. `{ status: { code: 403, message: 'Forbidden' } }`; an `HttpError` keeps it in
 * `bodyExcerpt`.
 */
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** The body of `GET …/{imports|exports|actions|processes}/{actionId}/tasks/{taskId}` (`_TaskStatusPoll`). */
export const TaskStatusPollSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  task: TaskStatusSchema,
});
/** A bulk action task's status response, `{ meta, status, task }` (`_TaskStatusPoll`): the `raw` of its snapshots. */
export type TaskStatusPoll = z.infer<typeof TaskStatusPollSchema>;

/**
 * A bulk task list page. Other lists carry `tasks`; listing import tasks answers `task`, and
 * Anaplan's example there holds one task, not an array.
 */
export const TaskListResponseSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  tasks: z.array(TaskSummarySchema).optional(),
  task: z.union([z.array(TaskSummarySchema), TaskSummarySchema]).optional(),
});
/** One page of a bulk action's tasks (`GET …/{actionId}/tasks`), in `tasks`, or in `task` for imports. */
export type TaskListResponse = z.infer<typeof TaskListResponseSchema>;

/** The task a `POST …/tasks` starts (`TaskWithUrl`): at least its id. */
export const TaskWithUrlSchema = z.looseObject({
  taskId,
  taskState: AnaplanTaskStateSchema.optional(),
  creationTime: CreationTimeSchema.optional(),
  taskUrl: z.string().optional(),
});
/** The task `client.start()` or `client.startAlm()` created (`TaskWithUrl`): its `taskId`, and maybe its `taskUrl`. */
export type TaskWithUrl = z.infer<typeof TaskWithUrlSchema>;

/** The answer to `POST …/tasks`: `{ task: TaskWithUrl }` with or without meta, or the bare task. */
export const TaskCreatedResponseSchema = z.union([
  z.looseObject({ meta: MetaSchema.optional(), status: StatusSchema.optional(), task: TaskWithUrlSchema }),
  TaskWithUrlSchema,
]);
/** The answer to `POST …/tasks`: `{ task }` with or without `meta`, or the bare {@link TaskWithUrl}. */
export type TaskCreatedResponse = z.infer<typeof TaskCreatedResponseSchema>;

// ----- ALM API (sync, comparison report and summary report tasks) -----

/** The error of a failed ALM task (`ReportTaskError`; the SDK reads `message` from `messageText`). */
export const ReportTaskErrorSchema = z.looseObject({
  title: z.string(),
  messageText: z.string(),
});
/** Why an ALM task failed (`ReportTaskError`): a `title` and a `messageText`, which the snapshot's error joins. */
export type ReportTaskError = z.infer<typeof ReportTaskErrorSchema>;

/**
 * The outcome of a sync task (`SyncTaskResult`); `error` is in the ALM spec, not the SDK. The
 * revision ids are the SDK's; the ALM spec's `TaskResult` has none, so they are optional.
 */
export const SyncTaskResultSchema = z.looseObject({
  sourceRevisionId: z.string().optional(),
  targetRevisionId: z.string().optional(),
  successful: z.boolean(),
  error: ReportTaskErrorSchema.optional(),
});
/** What a finished ALM sync did (`SyncTaskResult`): `successful`, the revisions, and the `error` when it failed. */
export type SyncTaskResult = z.infer<typeof SyncTaskResultSchema>;

/**
 * An ALM task that has not finished (`PendingTask`). The ALM spec documents only `IN_PROGRESS`.
 * `creationTime` and `currentStep` are the SDK's; the ALM spec has no `currentStep`, and no
 * `creationTime` on report tasks, so both are optional on every ALM task.
 */
export const PendingTaskSchema = z.looseObject({
  taskId,
  taskState: z.enum(['NOT_STARTED', 'IN_PROGRESS']),
  creationTime: CreationTimeSchema.optional(),
  currentStep: z.string().optional(),
  taskUrl: z.string().optional(),
});
/** An ALM sync or report task that has not finished (`PendingTask`: `NOT_STARTED` or `IN_PROGRESS`). */
export type PendingTask = z.infer<typeof PendingTaskSchema>;

/** A finished sync task (`CompletedSyncTask`). Check `result.successful`. */
export const CompletedSyncTaskSchema = z.looseObject({
  taskId,
  taskState: z.literal('COMPLETE'),
  creationTime: CreationTimeSchema.optional(),
  currentStep: z.string().optional(),
  taskUrl: z.string().optional(),
  result: SyncTaskResultSchema,
});
/** An ALM sync task that has finished (`CompletedSyncTask`); whether it synced is `result.successful`. */
export type CompletedSyncTask = z.infer<typeof CompletedSyncTaskSchema>;

/** An ALM task in a state the ALM API does not document (it has no cancel). */
export const OtherStateAlmTaskSchema = z.looseObject({
  taskId,
  taskState: UnlistedStateSchema.optional(),
  creationTime: CreationTimeSchema.optional(),
  currentStep: z.string().optional(),
  taskUrl: z.string().optional(),
});
/** An ALM task in a state the ALM API does not document, e.g. `CANCELLED`, or one this version does not know. */
export type OtherStateAlmTask = z.infer<typeof OtherStateAlmTaskSchema>;

/** Any sync task, discriminated on `taskState` (the SDK's `SyncTask`). */
export const SyncTaskSchema = z.discriminatedUnion(
  'taskState',
  [PendingTaskSchema, CompletedSyncTaskSchema, OtherStateAlmTaskSchema],
  { unionFallback: true },
);
/**
 * Any ALM sync task (`SyncTask`), the `task` of a {@link SyncTaskStatusPoll}; narrow on `taskState` to reach `result`.
 */
export type SyncTask = z.infer<typeof SyncTaskSchema>;

/** A report that was made (`ReportTaskResult`). */
export const ReportTaskResultSchema = z.looseObject({
  sourceRevisionId: z.string().optional(),
  targetRevisionId: z.string().optional(),
  successful: z.literal(true),
  /** Where to download the report. */
  reportFileUrl: z.string(),
});
/** A comparison or summary report that was made (`ReportTaskResult`): download it from `reportFileUrl`. */
export type ReportTaskResult = z.infer<typeof ReportTaskResultSchema>;

/** A report that could not be made (`ReportTaskFailureResult`). */
export const ReportTaskFailureResultSchema = z.looseObject({
  sourceRevisionId: z.string().optional(),
  targetRevisionId: z.string().optional(),
  successful: z.literal(false),
  error: ReportTaskErrorSchema,
});
/** A comparison or summary report that could not be made (`ReportTaskFailureResult`): see `error`. */
export type ReportTaskFailureResult = z.infer<typeof ReportTaskFailureResultSchema>;

/** A finished comparison or summary report task (`CompletedReportTask`), its result discriminated on `successful`. */
export const CompletedReportTaskSchema = z.looseObject({
  taskId,
  taskState: z.literal('COMPLETE'),
  creationTime: CreationTimeSchema.optional(),
  currentStep: z.string().optional(),
  taskUrl: z.string().optional(),
  result: z.discriminatedUnion('successful', [ReportTaskResultSchema, ReportTaskFailureResultSchema], {
    error: 'successful must be true or false',
  }),
});
/**
 * A comparison or summary report task that has finished (`CompletedReportTask`); narrow its `result` on `successful`.
 */
export type CompletedReportTask = z.infer<typeof CompletedReportTaskSchema>;

/** Any report task, discriminated on `taskState` (the SDK's `ReportTask`). */
export const ReportTaskSchema = z.discriminatedUnion(
  'taskState',
  [PendingTaskSchema, CompletedReportTaskSchema, OtherStateAlmTaskSchema],
  { unionFallback: true },
);
/** Any comparison or summary report task (`ReportTask`); narrow on `taskState`, then on `result.successful`. */
export type ReportTask = z.infer<typeof ReportTaskSchema>;

/** The body of `GET /models/{modelId}/alm/syncTasks/{taskId}` (`_SyncTaskStatusPoll`). */
export const SyncTaskStatusPollSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  task: SyncTaskSchema,
});
/** An ALM sync task's status response, `{ meta, status, task }` (`_SyncTaskStatusPoll`): the `raw` of its snapshots. */
export type SyncTaskStatusPoll = z.infer<typeof SyncTaskStatusPollSchema>;

/** The body of `GET /models/{modelId}/alm/{comparisonReportTasks|summaryReportTasks}/{taskId}` (`_ReportTaskStatusPoll`). */
export const ReportTaskStatusPollSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  task: ReportTaskSchema,
});
/**
 * A comparison or summary report task's status response, `{ meta, status, task }` (`_ReportTaskStatusPoll`): the `raw`
 * of its snapshots.
 */
export type ReportTaskStatusPoll = z.infer<typeof ReportTaskStatusPollSchema>;

/** `GET /models/{modelId}/alm/syncTasks`. With no task in the last 48 hours `tasks` is left out. */
export const SyncTaskListResponseSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  tasks: z.array(TaskSummarySchema).optional(),
});
/**
 * One page of a model's ALM sync tasks (`GET /models/{modelId}/alm/syncTasks`); `tasks` is absent when none ran in 48
 * hours.
 */
export type SyncTaskListResponse = z.infer<typeof SyncTaskListResponseSchema>;
