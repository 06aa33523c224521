/**
 * Zod schemas of Anaplan's task models, after the community `anaplan-sdk`
 * (`anaplan_sdk/models/_task.py`, camelCase on the wire) and the `setikites/anaplan-openapi`
 * extracts of the Integration API v2 and ALM API. Names are the SDK's; the poll wrappers are its
 * `_TaskStatusPoll`, `_SyncTaskStatusPoll` and `_ReportTaskStatusPoll`. This file holds the
 * Integration API models and the envelopes both APIs share; the ALM models are in
 * `./alm-schemas.ts`.
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
import { taskId, UnlistedStateSchema } from './fields.js';

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
export interface TaskSummary extends z.infer<typeof TaskSummarySchema> {}

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
export interface Meta extends z.infer<typeof MetaSchema> {}

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
export interface TaskStatusPoll extends z.infer<typeof TaskStatusPollSchema> {}

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
