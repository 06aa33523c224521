/**
 * Zod schemas of Anaplan's ALM task models: sync, comparison report and summary report tasks,
 * after the community `anaplan-sdk` and the `setikites/anaplan-openapi` ALM extract. The rules of
 * `./schemas.ts` hold here too: every field optional but what the spec requires, and the fields
 * the SDK has and the spec does not define typed `unknown`.
 *
 * @module
 */
import { z } from 'zod';
import { sdkOnly, taskId, UnlistedStateSchema } from './fields.js';
import { CreationTimeSchema, MetaSchema, StatusSchema, TaskSummarySchema } from './schemas.js';

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
export interface SyncTaskStatusPoll extends z.infer<typeof SyncTaskStatusPollSchema> {}

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
export interface ReportTaskStatusPoll extends z.infer<typeof ReportTaskStatusPollSchema> {}

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
