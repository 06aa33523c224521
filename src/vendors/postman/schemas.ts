/**
 * Zod schemas of the Postman API's task models. Names are Postman's. Every field is optional, as
 * Postman documents it; date-times are kept as sent (`"2019-02-12 19:34:49"` has no zone) and made
 * ISO in the snapshot.
 *
 * Where each comes from:
 * - The API task (`GetStatusOfAnAsyncTask`, `GET /apis/{apiId}/tasks/{taskId}`): the model is the
 *   seed's (the liblab-generated Postman SDK's model tables), checked against the schema
 *   `getStatusOfAnAsyncApiTask` that Postman API 1.45.0 still defines among its components
 *   (`postmanlabs/postman-api-sdk-ts`, `tests/integration/openapi.yaml`). The path is not in
 *   1.45.0 (nor 1.44.1), which no longer has an operation that uses that schema: it comes from
 *   the seed and Postman's API reference page "Get status of an async API task".
 * - The collection update, merge and duplication tasks and the element tasks: their paths and
 *   schemas in Postman API 1.45.0 (`getCollectionUpdatesTasks`, `asyncMergePullCollectionTaskStatus`,
 *   `duplicateCollectionResponse`, `getAsyncTaskStatus` and `getAsyncTaskStatusFailed`).
 *
 * @module
 */
import { z } from 'zod';
import { openEnum } from '../../core/vendor.js';

// ---------------------------------------------------------------------------------------------
// GET /apis/{apiId}/tasks/{taskId}: the seed model.

/** The API task's current status (`GetStatusOfAnAsyncTaskStatus`). Unknown values are accepted. */
export const GetStatusOfAnAsyncTaskStatusSchema = openEnum(['pending', 'failed', 'completed']);
/** An API task's `status`: `pending`, `completed`, `failed`, or another string a newer API sends. */
export type GetStatusOfAnAsyncTaskStatus = z.infer<typeof GetStatusOfAnAsyncTaskStatusSchema>;

/** The model the task operates on (`MetaModel`). Open. */
export const MetaModelSchema = openEnum(['collection', 'api-version']);
/** What an API task works on (`meta.model`): `collection` or `api-version`, or another string. */
export type MetaModel = z.infer<typeof MetaModelSchema>;

/** The task's action (`Action`). Open. */
export const ActionSchema = openEnum(['update', 'create']);
/** What an API task does (`meta.action`): `create` or `update`, or another string. */
export type Action = z.infer<typeof ActionSchema>;

/** The response's non-standard meta information (`GetStatusOfAnAsyncTaskMeta`). */
export const GetStatusOfAnAsyncTaskMetaSchema = z.looseObject({
  /** The endpoint URL that created the task. */
  url: z.string().optional(),
  model: MetaModelSchema.optional(),
  action: ActionSchema.optional(),
});
/** An API task's `meta`: the endpoint URL that created it, its `model` and its `action`. */
export type GetStatusOfAnAsyncTaskMeta = z.infer<typeof GetStatusOfAnAsyncTaskMetaSchema>;

/** One resource the task produced or changed (`Details1Resources`). */
export const Details1ResourcesSchema = z.looseObject({
  /** The ID of the assigned resource. */
  id: z.string().optional(),
  /** The task's assigned resource URL. */
  url: z.string().optional(),
});
/** A resource an API task created or changed: its `id` and `url`. */
export type Details1Resources = z.infer<typeof Details1ResourcesSchema>;

/** The task's error (the seed's `Error`; renamed so it does not shadow the global `Error`). */
export const Details2ErrorSchema = z.looseObject({
  /** The task's error message. */
  message: z.string().optional(),
});
/** The error of a failed API task: its `message`. */
export type Details2Error = z.infer<typeof Details2ErrorSchema>;

// The spec's `details` is anyOf two open objects, so each branch lets the other's key through
// with any value. The two documented members rule out each other's key, so that the narrowing
// guards below hold; whatever else the spec allows (both keys, or one of them off its
// documented type) is a third member, DetailsOther, kept as sent and not read.

/** Information about the task's resources, on success (`Details1`, "Task Resources"). */
export const Details1Schema = z.looseObject({
  resources: z.array(Details1ResourcesSchema).optional(),
  error: z.never().optional(),
});
/** The `details` of a successful task: the `resources` it created or changed. */
export type Details1 = z.infer<typeof Details1Schema>;

/** Information about the error that occurred during the task's processing (`Details2`). */
export const Details2Schema = z.looseObject({
  error: Details2ErrorSchema.optional(),
  resources: z.never().optional(),
});
/** The `details` of a failed task: its `error`. */
export type Details2 = z.infer<typeof Details2Schema>;

/**
 * `details` that the spec allows but that is neither documented form alone: it holds both
 * `resources` and `error`, or one of them in a form the other branch lets through (the spec's
 * "Task Resources" and "Task Error Information" are open objects). Kept as sent; the snapshot
 * reads an `error.message` only when it is a string.
 */
export const DetailsOtherSchema = z.looseObject({
  resources: z.unknown().optional(),
  error: z.unknown().optional(),
});
/** `details` with both keys, or one off its documented type: typed `unknown`, narrow it yourself. */
export type DetailsOther = z.infer<typeof DetailsOtherSchema>;

/**
 * `Details`: resources on success, an error on failure, or (the spec's branches being open) any
 * other object. Narrow with {@link isTaskResources} and {@link isTaskErrorInformation}.
 */
export const DetailsSchema = z.union([Details1Schema, Details2Schema, DetailsOtherSchema]);
/**
 * A task's `details`: {@link Details1} (resources) on success, {@link Details2} (an error) on failure, or {@link
 * DetailsOther}. Narrow with {@link isTaskResources} and {@link isTaskErrorInformation}.
 */
export type Details = z.infer<typeof DetailsSchema>;

/**
 * Whether `details` is the documented success form ("Task Resources", `Details1`): `resources`, if
 * any, is a list of resources, and there is no `error`.
 *
 * @example `if (isTaskResources(task.details)) for (const r of task.details.resources ?? []) console.log(r.url);`
 */
export function isTaskResources(details: Details | undefined): details is Details1 {
  return details !== undefined && Details1Schema.safeParse(details).success;
}

/**
 * Whether `details` is the documented failure form ("Task Error Information", `Details2`): `error`,
 * if any, is an object whose `message` is text, and there are no `resources`.
 *
 * @example `if (isTaskErrorInformation(task.details)) console.error(task.details.error?.message);`
 */
export function isTaskErrorInformation(details: Details | undefined): details is Details2 {
  return details !== undefined && Details2Schema.safeParse(details).success;
}

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
/**
 * A Postman API task as `GET /apis/{apiId}/tasks/{taskId}` returns it (`GetStatusOfAnAsyncTask`): the `raw` of an
 * `api-task` snapshot.
 */
export interface GetStatusOfAnAsyncTask extends z.infer<typeof GetStatusOfAnAsyncTaskSchema> {}

// ---------------------------------------------------------------------------------------------
// GET /collection-updates-tasks/{taskId}

/** The status of a collection update task. Open. */
export const GetCollectionUpdatesTasksStatusSchema = openEnum(['successful', 'failed', 'in-progress']);
/** A collection update task's `status`: `in-progress`, `successful`, `failed`, or another string a newer API sends. */
export type GetCollectionUpdatesTasksStatus = z.infer<typeof GetCollectionUpdatesTasksStatusSchema>;

/** An asynchronous collection update task (`getCollectionUpdatesTasks`), started by `PUT /collections/{id}` with `Prefer: respond-async`. */
export const GetCollectionUpdatesTasksSchema = z.looseObject({
  /** The task's ID. */
  id: z.string().optional(),
  status: GetCollectionUpdatesTasksStatusSchema.optional(),
});
/**
 * A collection update task as `GET /collection-updates-tasks/{taskId}` returns it: the `raw` of a `collection-update`
 * snapshot.
 */
export interface GetCollectionUpdatesTasks extends z.infer<typeof GetCollectionUpdatesTasksSchema> {}

// ---------------------------------------------------------------------------------------------
// GET /collection-merges-tasks/{taskId} (operation asyncMergePullCollectionTaskStatus)

/** The status of a merge or pull task (`TaskStatusResponseStatus`). Open. */
export const TaskStatusResponseStatusSchema = openEnum(['successful', 'in-progress', 'failed']);
/** A merge or pull task's `status`: `in-progress`, `successful`, `failed`, or another string a newer API sends. */
export type TaskStatusResponseStatus = z.infer<typeof TaskStatusResponseStatusSchema>;

/** Information about a merge's error (`DetailsError`). */
export const DetailsErrorSchema = z.looseObject({
  /** The error message. */
  message: z.string().optional(),
});
/** The error of a failed merge or pull task: its `message`. */
export type DetailsError = z.infer<typeof DetailsErrorSchema>;

/** If the task failed, information about the error (`TaskStatusResponseDetails`). */
export const TaskStatusResponseDetailsSchema = z.looseObject({
  error: DetailsErrorSchema.optional(),
});
/** The `details` of a merge or pull task: its `error`, when it failed. */
export type TaskStatusResponseDetails = z.infer<typeof TaskStatusResponseDetailsSchema>;

/** A collection merge or pull task (`TaskStatusResponse`). Kept 24 hours after it ends; a 404 after. */
export const TaskStatusResponseSchema = z.looseObject({
  /** The task's ID. */
  id: z.string().optional(),
  status: TaskStatusResponseStatusSchema.optional(),
  details: TaskStatusResponseDetailsSchema.optional(),
});
/**
 * A collection merge or pull task as `GET /collection-merges-tasks/{taskId}` returns it (`TaskStatusResponse`): the
 * `raw` of a `collection-merge` snapshot.
 */
export interface TaskStatusResponse extends z.infer<typeof TaskStatusResponseSchema> {}

// ---------------------------------------------------------------------------------------------
// GET /collection-duplicate-tasks/{taskId} (operation getDuplicateCollectionTaskStatus)

/** The status of a collection duplication task (`TaskStatus`). Open. */
export const TaskStatusSchema = openEnum(['processing', 'completed', 'failed']);
/**
 * A collection duplication task's `status`: `processing`, `completed`, `failed`, or another string a newer API sends.
 */
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** Information about the duplication task (`DuplicateCollectionResponseTask`). */
export const DuplicateCollectionResponseTaskSchema = z.looseObject({
  /** The duplication task's ID. */
  id: z.string().optional(),
  status: TaskStatusSchema.optional(),
  /** If the task failed, the reason why it failed to complete. */
  reason: z.string().nullable().optional(),
});
/** A collection duplication task: its `id`, `status` and, when it failed, the `reason`. */
export type DuplicateCollectionResponseTask = z.infer<typeof DuplicateCollectionResponseTaskSchema>;

/** A collection duplication task (`DuplicateCollectionResponse`): the task sits under `task`. */
export const DuplicateCollectionResponseSchema = z.looseObject({
  task: DuplicateCollectionResponseTaskSchema.optional(),
});
/**
 * A collection duplication task as `GET /collection-duplicate-tasks/{taskId}` returns it, the task under `task`: the
 * `raw` of a `collection-duplicate` snapshot.
 */
export interface DuplicateCollectionResponse extends z.infer<typeof DuplicateCollectionResponseSchema> {}

// ---------------------------------------------------------------------------------------------
// GET /{elementType}/{elementId}/tasks/{taskId} (operation getAsyncSpecTaskStatus)

/** The kind of element whose task it is (`ElementType`). Open. */
export const ElementTypeSchema = openEnum(['collections', 'specs']);
/** Whose task an element task is: `collections` or `specs` (the first segment of its URL), or another string. */
export type ElementType = z.infer<typeof ElementTypeSchema>;

/** The model a spec or collection task operates on (`GetAsyncTaskStatusMetaModel`). Open. */
export const GetAsyncTaskStatusMetaModelSchema = openEnum(['collection', 'spec']);
/** What an element task works on (`meta.model`): `collection` or `spec`, or another string. */
export type GetAsyncTaskStatusMetaModel = z.infer<typeof GetAsyncTaskStatusMetaModelSchema>;

/** The response's non-standard meta information (`GetAsyncTaskStatusMeta`, `AsyncTaskFailedMeta`). */
export const GetAsyncTaskStatusMetaSchema = z.looseObject({
  /** The task's action. */
  action: z.string().optional(),
  model: GetAsyncTaskStatusMetaModelSchema.optional(),
});
/** An element task's `meta`: its `action` and `model`. */
export type GetAsyncTaskStatusMeta = z.infer<typeof GetAsyncTaskStatusMetaSchema>;

/** A spec or collection generation task that is pending, done or failed (`GetAsyncCollectionTaskStatus1`, "Get Async Task Status"). */
export const GetAsyncCollectionTaskStatus1Schema = z.looseObject({
  meta: GetAsyncTaskStatusMetaSchema.optional(),
  /**
   * "Task Resources" in the spec (an open object, so an `error` is let through); read with the
   * same {@link DetailsSchema} as an API task's.
   */
  details: DetailsSchema.optional(),
  status: GetStatusOfAnAsyncTaskStatusSchema.optional(),
});
/** An element task, pending, done or failed, whose `details` is an object (`GetAsyncCollectionTaskStatus1`). */
export interface GetAsyncCollectionTaskStatus1 extends z.infer<typeof GetAsyncCollectionTaskStatus1Schema> {}

/** The status of a failed task (`AsyncTaskFailedStatus`): only `failed` is documented. Open. */
export const AsyncTaskFailedStatusSchema = openEnum(['failed']);
/** The `status` of an {@link AsyncTaskFailed}: `failed`, or another string. */
export type AsyncTaskFailedStatus = z.infer<typeof AsyncTaskFailedStatusSchema>;

/** A failed spec or collection generation task (`AsyncTaskFailed`): `details` is the error text. */
export const AsyncTaskFailedSchema = z.looseObject({
  /** Details about the generation error. */
  details: z.string().optional(),
  meta: GetAsyncTaskStatusMetaSchema.optional(),
  status: AsyncTaskFailedStatusSchema.optional(),
});
/** A failed element task whose `details` is the error text (`AsyncTaskFailed`); it always means failure. */
export interface AsyncTaskFailed extends z.infer<typeof AsyncTaskFailedSchema> {}

/** The status of a spec's or collection's async task (`GetAsyncCollectionTaskStatus`): either form. */
export const GetAsyncCollectionTaskStatusSchema = z.union([GetAsyncCollectionTaskStatus1Schema, AsyncTaskFailedSchema]);
/**
 * A spec or collection generation task as `GET /{elementType}/{elementId}/tasks/{taskId}` returns it, in either form:
 * the `raw` of an `element-task` snapshot.
 */
export type GetAsyncCollectionTaskStatus = GetAsyncCollectionTaskStatus1 | AsyncTaskFailed;

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
/**
 * How `client.wait()`, `get()` and the rest name a Postman task: `{ apiId, taskId }`, `{ kind, taskId }` or `{
 * elementType, elementId, taskId }`.
 */
export type PostmanTaskRef = z.input<typeof PostmanTaskRefSchema>;
