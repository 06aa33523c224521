/**
 * Zod schemas of Anaplan's task models, after the community `anaplan-sdk`
 * (`anaplan_sdk/models/_task.py`, camelCase on the wire) and the `setikites/anaplan-openapi`
 * extracts of the Integration API v2 and ALM API. Names are the SDK's; the poll wrappers are its
 * `_TaskStatusPoll`, `_SyncTaskStatusPoll` and `_ReportTaskStatusPoll`.
 *
 * Where the two disagree the looser one wins, and the types say so. The SDK's models require
 * `taskId`, `creationTime`, `progress`, `successful`, `failureDumpAvailable`, `reportFileUrl` and
 * both parts of a report error; the published specs require none of them, nor `taskState`, nor
 * even the `task` of a poll answer. So every field here is optional except the few the specs
 * require (`meta.schema`, and the three numbers of `meta.paging`). Where the snapshot needs a
 * missing field it does without: the id comes from the reference, a task without `taskState` is
 * `unknown`, a result without `successful` is "not known to have failed", and a missing
 * `progress` or error text is left out of the snapshot.
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

// No spec requires a task id: a snapshot without one takes the reference's.
const taskId = z.string().optional();

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

/** The outcome of a finished task (`TaskResult`); a process nests one per action. */
export const TaskResultSchema = z.looseObject({
  /** SDK default `[]`. */
  details: z.array(TaskResultDetailSchema).optional(),
  /**
   * Whether the task did its job: `COMPLETE` alone does not say so. `false` is a failure; a result
   * without it (the spec makes it optional, at every level) is not known to have failed.
   */
  successful: z.boolean().optional(),
  /** Whether a failure dump can be downloaded for this task (or nested action). The SDK requires it; the spec does not. */
  failureDumpAvailable: z.boolean().optional(),
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
 * What a finished bulk task did (`TaskResult`): `successful: false` is a failure; a process holds one per action in
 * `nestedResults`. Every field may be absent.
 */
export type TaskResult = z.infer<typeof TaskResultSchema>;

/**
 * A task as task lists give it (`TaskSummary`; the SDK reads `id` from `taskId`). The specs' list
 * items are `Task`, `TaskWithUrl` or `SyncTask`, none of which requires a field, so an item is
 * yielded as it came, whatever it lacks. Only the fields all three define are typed: any other
 * (`progress`, `taskUrl`, `result`, ...) is one that some list leaves undefined, so any value of it
 * is let through there.
 */
export const TaskSummarySchema = z.looseObject({
  taskId,
  taskState: AnaplanTaskStateSchema.optional(),
  creationTime: CreationTimeSchema.optional(),
});
/**
 * A task as `client.tasks()` and `client.almTasks()` yield it: its `taskId`, `taskState` and `creationTime`, each
 * optional as the specs have them.
 */
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/** A bulk task that has not finished (`Task`). */
export const TaskSchema = z.looseObject({
  taskId,
  taskState: z.enum(['NOT_STARTED', 'IN_PROGRESS']),
  /** The SDK requires it; the spec does not, and Anaplan's examples of a polled task omit it. */
  creationTime: CreationTimeSchema.optional(),
  /** 0 to 1. The SDK requires it; the spec does not, and a task that has not started may come without it. */
  progress: z.number().optional(),
  currentStep: z.string().nullable().optional(),
  /** `"taskInformation"` in Anaplan's examples; not in the spec, so any value is let through. */
  type: z.unknown().optional(),
});
/** A bulk action task that has not finished (`Task`: `NOT_STARTED` or `IN_PROGRESS`), its `progress` 0 to 1. */
export type Task = z.infer<typeof TaskSchema>;

/** A finished bulk task (`CompletedTask`). Check `result?.successful`. */
export const CompletedTaskSchema = z.looseObject({
  taskId,
  taskState: z.literal('COMPLETE'),
  creationTime: CreationTimeSchema.optional(),
  /** "Typically 1.0 on completion". The SDK requires it; the spec does not. */
  progress: z.number().optional(),
  currentStep: z.string().nullable().optional(),
  type: z.unknown().optional(),
  /** "Populated after the task reaches a terminal state", yet optional in the spec. */
  result: TaskResultSchema.optional(),
});
/**
 * A bulk action task that has finished (`CompletedTask`); whether it did its job is `result?.successful` (`false` is a
 * failure; an absent one is not).
 */
export type CompletedTask = z.infer<typeof CompletedTaskSchema>;

/**
 * A bulk task in a state the SDK's models don't list: `CANCELLING`, `CANCELLED`, or (typed as
 * those two, held as it came) a state this version does not know, or none.
 */
export const OtherStateTaskSchema = z.looseObject({
  taskId,
  taskState: UnlistedStateSchema.optional(),
  creationTime: CreationTimeSchema.optional(),
  progress: z.number().optional(),
  currentStep: z.string().nullable().optional(),
  type: z.unknown().optional(),
  /** A result is "populated after the task reaches a terminal state (COMPLETE or CANCELLED)". */
  result: TaskResultSchema.optional(),
});
/** A bulk action task in another state: `CANCELLING`, `CANCELLED`, one this version does not know, or none. */
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

/** Paging of a list (`Paging`). The spec requires the three numbers. */
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

/** Response metadata (`Meta`). The spec requires `schema`. */
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
  status: StatusSchema.optional(),
  path: z.string().optional(),
  timestamp: z.string().optional(),
});
/**
 * An Anaplan error body, e.g. `{ status: { code: 403, message: 'Forbidden' } }`; an `HttpError` keeps it in
 * `bodyExcerpt`.
 */
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/**
 * The body of `GET …/{imports|exports|actions|processes}/{actionId}/tasks/{taskId}` (`_TaskStatusPoll`). The spec
 * makes `task` optional too: a body without one is a snapshot in the `unknown` state.
 */
export const TaskStatusPollSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  task: TaskStatusSchema.optional(),
});
/**
 * A bulk action task's status response, `{ meta, status, task }` (`_TaskStatusPoll`): the `raw` of its snapshots.
 * Narrow on `raw.task?.taskState` to reach `result`.
 */
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

/**
 * The task a `POST …/tasks` starts (`TaskWithUrl`). The spec requires no field; `start()` needs the
 * task's id, which it reads from `taskId`, or else from the last segment of `taskUrl`.
 */
export const TaskWithUrlSchema = z.looseObject({
  taskId,
  taskState: AnaplanTaskStateSchema.optional(),
  creationTime: CreationTimeSchema.optional(),
  taskUrl: z.string().optional(),
});
/** The task `client.start()` or `client.startAlm()` created (`TaskWithUrl`): its `taskId` and `taskUrl`, each optional. */
export type TaskWithUrl = z.infer<typeof TaskWithUrlSchema>;

/**
 * The answer to `POST …/tasks`: `{ task: TaskWithUrl }` with or without meta (actions, exports, ALM),
 * or the bare task (imports, processes; Anaplan's own import example has the envelope all the
 * same). A bare task may carry any `meta`, `status` or `task` as unknown fields, so these are
 * typed `unknown` here; `start()` reads `task` when it is a {@link TaskWithUrl}.
 */
export const TaskCreatedResponseSchema = TaskWithUrlSchema.extend({
  meta: z.unknown().optional(),
  status: z.unknown().optional(),
  task: z.unknown().optional(),
});
/** The answer to `POST …/tasks`: `{ task }` with or without `meta`, or the bare {@link TaskWithUrl}. */
export type TaskCreatedResponse = z.infer<typeof TaskCreatedResponseSchema>;

// ----- ALM API (sync, comparison report and summary report tasks) -----

/**
 * The error of a failed ALM task (`ReportTaskError`, the ALM spec's `TaskError`; the SDK reads
 * `message` from `messageText`). The SDK requires both parts; the spec neither.
 */
export const ReportTaskErrorSchema = z.looseObject({
  /** A short title summarising the failure. */
  title: z.string().optional(),
  /** The detailed message. */
  messageText: z.string().optional(),
});
/**
 * Why an ALM task failed (`ReportTaskError`): a `title` and a `messageText`, either of which may be absent; the
 * snapshot's error joins those there are.
 */
export type ReportTaskError = z.infer<typeof ReportTaskErrorSchema>;

// Fields the SDK's ALM models have and the ALM spec does not define: any value is let through,
// and the snapshot reads one only when it has the SDK's type.
const sdkOnly = z.unknown().optional();

/**
 * The outcome of a sync task (`SyncTaskResult`); `error` is in the ALM spec, not the SDK. The
 * revision ids are the SDK's; the ALM spec's `TaskResult` has none, so any value of them is let
 * through (typed `unknown`).
 */
export const SyncTaskResultSchema = z.looseObject({
  sourceRevisionId: sdkOnly,
  targetRevisionId: sdkOnly,
  /** `false` is a failure; a result without it is not known to have failed. */
  successful: z.boolean().optional(),
  error: ReportTaskErrorSchema.optional(),
  /** In the ALM spec's `TaskResult`, which sync and report tasks share. */
  reportFileUrl: z.string().optional(),
});
/**
 * What a finished ALM sync did (`SyncTaskResult`): `successful`, the revisions, and the `error` when it failed; each
 * optional.
 */
export type SyncTaskResult = z.infer<typeof SyncTaskResultSchema>;

// What every ALM task has. `currentStep` is the SDK's only; `creationTime` is a date-time in the
// ALM spec's SyncTask (epoch milliseconds are taken too) and not defined for report tasks.
const almFields = { taskId, taskUrl: z.string().optional(), currentStep: sdkOnly };

/**
 * An ALM sync task that has not finished (`PendingTask`). The ALM spec documents only
 * `IN_PROGRESS`; `NOT_STARTED` is the SDK's.
 */
export const PendingTaskSchema = z.looseObject({
  ...almFields,
  taskState: z.enum(['NOT_STARTED', 'IN_PROGRESS']),
  creationTime: CreationTimeSchema.optional(),
});
/** An ALM sync task that has not finished (`PendingTask`: `NOT_STARTED` or `IN_PROGRESS`). */
export type PendingTask = z.infer<typeof PendingTaskSchema>;

/** A finished sync task (`CompletedSyncTask`). Check `result?.successful`. */
export const CompletedSyncTaskSchema = z.looseObject({
  ...almFields,
  taskState: z.literal('COMPLETE'),
  creationTime: CreationTimeSchema.optional(),
  /** Optional in the spec: a COMPLETE task without one is not known to have failed. */
  result: SyncTaskResultSchema.optional(),
});
/** An ALM sync task that has finished (`CompletedSyncTask`); whether it synced is `result?.successful`. */
export type CompletedSyncTask = z.infer<typeof CompletedSyncTaskSchema>;

/** An ALM sync task in a state the ALM API does not document (it has no cancel), or with none. */
export const OtherStateAlmTaskSchema = z.looseObject({
  ...almFields,
  taskState: UnlistedStateSchema.optional(),
  creationTime: CreationTimeSchema.optional(),
});
/** An ALM sync task in a state the ALM API does not document, e.g. `CANCELLED`, one this version does not know, or none. */
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

// The ALM spec's TaskResult, which sync and report tasks share: `error` and `reportFileUrl` may
// come whatever `successful` says.
const reportResultFields = {
  sourceRevisionId: sdkOnly,
  targetRevisionId: sdkOnly,
  /** Where to download the report. The SDK requires it on success; the spec only says it is "populated" then. */
  reportFileUrl: z.string().optional(),
  /** Why the report could not be made. The SDK requires it on failure; the spec does not. */
  error: ReportTaskErrorSchema.optional(),
};

/** A report that was made (`ReportTaskResult`). */
export const ReportTaskResultSchema = z.looseObject({ ...reportResultFields, successful: z.literal(true) });
/** A comparison or summary report that was made (`ReportTaskResult`): download it from `reportFileUrl`, when given. */
export type ReportTaskResult = z.infer<typeof ReportTaskResultSchema>;

/** A report that could not be made (`ReportTaskFailureResult`). */
export const ReportTaskFailureResultSchema = z.looseObject({ ...reportResultFields, successful: z.literal(false) });
/** A comparison or summary report that could not be made (`ReportTaskFailureResult`): see `error`, when given. */
export type ReportTaskFailureResult = z.infer<typeof ReportTaskFailureResultSchema>;

/**
 * A report task's result without `successful`, which the ALM spec's `TaskResult` makes optional:
 * not known to have failed. Not one of the SDK's models.
 */
export const ReportTaskOpenResultSchema = z.looseObject({
  ...reportResultFields,
  successful: z.undefined().optional(),
});
/** A report task's result that does not say whether the report was made (no `successful`): read as not failed. */
export type ReportTaskOpenResult = z.infer<typeof ReportTaskOpenResultSchema>;

/** A report task's result, discriminated on `successful`: `true`, `false`, or absent. */
export const ReportResultSchema = z.discriminatedUnion(
  'successful',
  [ReportTaskResultSchema, ReportTaskFailureResultSchema, ReportTaskOpenResultSchema],
  { error: 'successful must be true or false' },
);
/**
 * A report task's result: narrow on `successful` (`true` is a {@link ReportTaskResult}, `false` a {@link
 * ReportTaskFailureResult}).
 */
export type ReportResult = z.infer<typeof ReportResultSchema>;

/** A comparison or summary report task that has not finished. Its `creationTime` is not in the spec. */
export const PendingReportTaskSchema = PendingTaskSchema.extend({ creationTime: sdkOnly });
/** A comparison or summary report task that has not finished (`PendingTask`: `NOT_STARTED` or `IN_PROGRESS`). */
export type PendingReportTask = z.infer<typeof PendingReportTaskSchema>;

/** A finished comparison or summary report task (`CompletedReportTask`), its result discriminated on `successful`. */
export const CompletedReportTaskSchema = z.looseObject({
  ...almFields,
  taskState: z.literal('COMPLETE'),
  creationTime: sdkOnly,
  /** Optional in the spec. */
  result: ReportResultSchema.optional(),
});
/**
 * A comparison or summary report task that has finished (`CompletedReportTask`); narrow on `result?.successful`.
 */
export type CompletedReportTask = z.infer<typeof CompletedReportTaskSchema>;

/** A report task in a state the ALM API does not document, or with none. */
export const OtherStateReportTaskSchema = OtherStateAlmTaskSchema.extend({ creationTime: sdkOnly });
/** A comparison or summary report task in a state the ALM API does not document, or with none. */
export type OtherStateReportTask = z.infer<typeof OtherStateReportTaskSchema>;

/** Any report task, discriminated on `taskState` (the SDK's `ReportTask`). */
export const ReportTaskSchema = z.discriminatedUnion(
  'taskState',
  [PendingReportTaskSchema, CompletedReportTaskSchema, OtherStateReportTaskSchema],
  { unionFallback: true },
);
/** Any comparison or summary report task (`ReportTask`); narrow on `taskState`, then on `result?.successful`. */
export type ReportTask = z.infer<typeof ReportTaskSchema>;

/** The body of `GET /models/{modelId}/alm/syncTasks/{taskId}` (`_SyncTaskStatusPoll`). */
export const SyncTaskStatusPollSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  /** Optional in the spec: a body without it is a snapshot in the `unknown` state. */
  task: SyncTaskSchema.optional(),
});
/** An ALM sync task's status response, `{ meta, status, task }` (`_SyncTaskStatusPoll`): the `raw` of its snapshots. */
export type SyncTaskStatusPoll = z.infer<typeof SyncTaskStatusPollSchema>;

/** The body of `GET /models/{modelId}/alm/{comparisonReportTasks|summaryReportTasks}/{taskId}` (`_ReportTaskStatusPoll`). */
export const ReportTaskStatusPollSchema = z.looseObject({
  meta: MetaSchema.optional(),
  status: StatusSchema.optional(),
  /** Optional in the spec: a body without it is a snapshot in the `unknown` state. */
  task: ReportTaskSchema.optional(),
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
