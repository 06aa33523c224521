/**
 * Zod schemas of the Postman API's task models. The seed model `GetStatusOfAnAsyncTask` follows
 * the liblab model tables and the spec's `getStatusOfAnAsyncApiTask`
 * (`postmanlabs/postman-api-sdk-ts`, `tests/integration/openapi.yaml`, API 1.45.0); the other
 * task models follow the same spec and that SDK's generated models. Names are Postman's. Every
 * field is optional, as Postman documents it; date-times are kept as sent (`"2019-02-12 19:34:49"`
 * has no zone) and made ISO in the snapshot.
 *
 * @module
 */
import { z } from 'zod';
import { openEnum } from '../../core/vendor.js';

// ---------------------------------------------------------------------------------------------
// GET /apis/{apiId}/tasks/{taskId}: the seed model.

/** The API task's current status (`GetStatusOfAnAsyncTaskStatus`). Unknown values are accepted. */
export const GetStatusOfAnAsyncTaskStatusSchema = openEnum(['pending', 'failed', 'completed']);
export type GetStatusOfAnAsyncTaskStatus = z.infer<typeof GetStatusOfAnAsyncTaskStatusSchema>;

/** The model the task operates on (`MetaModel`). Open. */
export const MetaModelSchema = openEnum(['collection', 'api-version']);
export type MetaModel = z.infer<typeof MetaModelSchema>;

/** The task's action (`Action`). Open. */
export const ActionSchema = openEnum(['update', 'create']);
export type Action = z.infer<typeof ActionSchema>;

/** The response's non-standard meta information (`GetStatusOfAnAsyncTaskMeta`). */
export const GetStatusOfAnAsyncTaskMetaSchema = z.looseObject({
  /** The endpoint URL that created the task. */
  url: z.string().optional(),
  model: MetaModelSchema.optional(),
  action: ActionSchema.optional(),
});
export type GetStatusOfAnAsyncTaskMeta = z.infer<typeof GetStatusOfAnAsyncTaskMetaSchema>;

/** One resource the task produced or changed (`Details1Resources`). */
export const Details1ResourcesSchema = z.looseObject({
  /** The ID of the assigned resource. */
  id: z.string().optional(),
  /** The task's assigned resource URL. */
  url: z.string().optional(),
});
export type Details1Resources = z.infer<typeof Details1ResourcesSchema>;

/** The task's error (the seed's `Error`; renamed so it does not shadow the global `Error`). */
export const Details2ErrorSchema = z.looseObject({
  /** The task's error message. */
  message: z.string().optional(),
});
export type Details2Error = z.infer<typeof Details2ErrorSchema>;

// Each member rules out the other's key, so a wrong `error` can't slip through as an unknown
// field of Details1, and `details.error !== undefined` narrows to Details2.

/** Information about the task's resources, on success (`Details1`, "Task Resources"). */
export const Details1Schema = z.looseObject({
  resources: z.array(Details1ResourcesSchema).optional(),
  error: z.never().optional(),
});
export type Details1 = z.infer<typeof Details1Schema>;

/** Information about the error that occurred during the task's processing (`Details2`). */
export const Details2Schema = z.looseObject({
  error: Details2ErrorSchema.optional(),
  resources: z.never().optional(),
});
export type Details2 = z.infer<typeof Details2Schema>;

/**
 * `Details`: resources on success, or an error on failure. Narrow with
 * `details.error !== undefined` (or read `details.error?.message` on either member).
 */
export const DetailsSchema = z.union([Details1Schema, Details2Schema]);
export type Details = z.infer<typeof DetailsSchema>;

/** The status of an asynchronous API task (`GetStatusOfAnAsyncTask`, spec `getStatusOfAnAsyncApiTask`). */
export const GetStatusOfAnAsyncTaskSchema = z.looseObject({
  /** The task's ID. */
  id: z.string().optional(),
  meta: GetStatusOfAnAsyncTaskMetaSchema.optional(),
  status: GetStatusOfAnAsyncTaskStatusSchema.optional(),
  details: DetailsSchema.optional(),
  /** When the task was created, e.g. `"2023-08-22 14:21:57+00:00"`. */
  createdAt: z.string().optional(),
  /** When the task was last updated. */
  updatedAt: z.string().optional(),
});
export type GetStatusOfAnAsyncTask = z.infer<typeof GetStatusOfAnAsyncTaskSchema>;

// ---------------------------------------------------------------------------------------------
// GET /collection-updates-tasks/{taskId}

/** The status of a collection update task. Open. */
export const GetCollectionUpdatesTasksStatusSchema = openEnum(['successful', 'failed', 'in-progress']);
export type GetCollectionUpdatesTasksStatus = z.infer<typeof GetCollectionUpdatesTasksStatusSchema>;

/** An asynchronous collection update task (`getCollectionUpdatesTasks`), started by `PUT /collections/{id}` with `Prefer: respond-async`. */
export const GetCollectionUpdatesTasksSchema = z.looseObject({
  /** The task's ID. */
  id: z.string().optional(),
  status: GetCollectionUpdatesTasksStatusSchema.optional(),
});
export type GetCollectionUpdatesTasks = z.infer<typeof GetCollectionUpdatesTasksSchema>;

// ---------------------------------------------------------------------------------------------
// GET /collection-merges-tasks/{taskId} (operation asyncMergePullCollectionTaskStatus)

/** The status of a merge or pull task (`TaskStatusResponseStatus`). Open. */
export const TaskStatusResponseStatusSchema = openEnum(['successful', 'in-progress', 'failed']);
export type TaskStatusResponseStatus = z.infer<typeof TaskStatusResponseStatusSchema>;

/** Information about a merge's error (`DetailsError`). */
export const DetailsErrorSchema = z.looseObject({
  /** The error message. */
  message: z.string().optional(),
});
export type DetailsError = z.infer<typeof DetailsErrorSchema>;

/** If the task failed, information about the error (`TaskStatusResponseDetails`). */
export const TaskStatusResponseDetailsSchema = z.looseObject({
  error: DetailsErrorSchema.optional(),
});
export type TaskStatusResponseDetails = z.infer<typeof TaskStatusResponseDetailsSchema>;

/** A collection merge or pull task (`TaskStatusResponse`). Kept 24 hours after it ends; a 404 after. */
export const TaskStatusResponseSchema = z.looseObject({
  /** The task's ID. */
  id: z.string().optional(),
  status: TaskStatusResponseStatusSchema.optional(),
  details: TaskStatusResponseDetailsSchema.optional(),
});
export type TaskStatusResponse = z.infer<typeof TaskStatusResponseSchema>;

// ---------------------------------------------------------------------------------------------
// GET /collection-duplicate-tasks/{taskId} (operation getDuplicateCollectionTaskStatus)

/** The status of a collection duplication task (`TaskStatus`). Open. */
export const TaskStatusSchema = openEnum(['processing', 'completed', 'failed']);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** Information about the duplication task (`DuplicateCollectionResponseTask`). */
export const DuplicateCollectionResponseTaskSchema = z.looseObject({
  /** The duplication task's ID. */
  id: z.string().optional(),
  status: TaskStatusSchema.optional(),
  /** If the task failed, the reason why it failed to complete. */
  reason: z.string().nullable().optional(),
});
export type DuplicateCollectionResponseTask = z.infer<typeof DuplicateCollectionResponseTaskSchema>;

/** A collection duplication task (`DuplicateCollectionResponse`): the task sits under `task`. */
export const DuplicateCollectionResponseSchema = z.looseObject({
  task: DuplicateCollectionResponseTaskSchema.optional(),
});
export type DuplicateCollectionResponse = z.infer<typeof DuplicateCollectionResponseSchema>;

// ---------------------------------------------------------------------------------------------
// GET /{elementType}/{elementId}/tasks/{taskId} (operation getAsyncSpecTaskStatus)

/** The kind of element whose task it is (`ElementType`). Open. */
export const ElementTypeSchema = openEnum(['collections', 'specs']);
export type ElementType = z.infer<typeof ElementTypeSchema>;

/** The model a spec or collection task operates on (`GetAsyncTaskStatusMetaModel`). Open. */
export const GetAsyncTaskStatusMetaModelSchema = openEnum(['collection', 'spec']);
export type GetAsyncTaskStatusMetaModel = z.infer<typeof GetAsyncTaskStatusMetaModelSchema>;

/** The response's non-standard meta information (`GetAsyncTaskStatusMeta`, `AsyncTaskFailedMeta`). */
export const GetAsyncTaskStatusMetaSchema = z.looseObject({
  /** The task's action. */
  action: z.string().optional(),
  model: GetAsyncTaskStatusMetaModelSchema.optional(),
});
export type GetAsyncTaskStatusMeta = z.infer<typeof GetAsyncTaskStatusMetaSchema>;

/** A spec or collection generation task that is pending, done or failed (`GetAsyncCollectionTaskStatus1`, "Get Async Task Status"). */
export const GetAsyncCollectionTaskStatus1Schema = z.looseObject({
  meta: GetAsyncTaskStatusMetaSchema.optional(),
  /** Resources on success; the error form of {@link DetailsSchema} is accepted too. */
  details: DetailsSchema.optional(),
  status: GetStatusOfAnAsyncTaskStatusSchema.optional(),
});
export type GetAsyncCollectionTaskStatus1 = z.infer<typeof GetAsyncCollectionTaskStatus1Schema>;

/** The status of a failed task (`AsyncTaskFailedStatus`): only `failed` is documented. Open. */
export const AsyncTaskFailedStatusSchema = openEnum(['failed']);
export type AsyncTaskFailedStatus = z.infer<typeof AsyncTaskFailedStatusSchema>;

/** A failed spec or collection generation task (`AsyncTaskFailed`): `details` is the error text. */
export const AsyncTaskFailedSchema = z.looseObject({
  /** Details about the generation error. */
  details: z.string().optional(),
  meta: GetAsyncTaskStatusMetaSchema.optional(),
  status: AsyncTaskFailedStatusSchema.optional(),
});
export type AsyncTaskFailed = z.infer<typeof AsyncTaskFailedSchema>;

/** The status of a spec's or collection's async task (`GetAsyncCollectionTaskStatus`): either form. */
export const GetAsyncCollectionTaskStatusSchema = z.union([GetAsyncCollectionTaskStatus1Schema, AsyncTaskFailedSchema]);
export type GetAsyncCollectionTaskStatus = z.infer<typeof GetAsyncCollectionTaskStatusSchema>;

// ---------------------------------------------------------------------------------------------
// Task references

const Id = z.string().min(1);

/** Names an API task: `{ apiId, taskId }`. */
export const ApiTaskRefSchema = z.strictObject({ kind: z.literal('api-task').optional(), apiId: Id, taskId: Id });
/** Names a collection update, merge or duplication task: `{ kind, taskId }`. */
export const CollectionTaskRefSchema = z.strictObject({
  kind: z.enum(['collection-update', 'collection-merge', 'collection-duplicate']),
  taskId: Id,
});
/** Names a spec's or collection's task: `{ elementType, elementId, taskId }`. */
export const ElementTaskRefSchema = z.strictObject({
  kind: z.literal('element-task').optional(),
  elementType: ElementTypeSchema,
  elementId: Id,
  taskId: Id,
});

/** Any Postman task reference. An absolute task URL (a 202's `Location`) works too. */
export const PostmanTaskRefSchema = z.union([ApiTaskRefSchema, CollectionTaskRefSchema, ElementTaskRefSchema], {
  error: () =>
    'expected { apiId, taskId }, { kind: "collection-update" | "collection-merge" | "collection-duplicate", taskId } or { elementType, elementId, taskId }',
});
export type PostmanTaskRef = z.input<typeof PostmanTaskRefSchema>;
