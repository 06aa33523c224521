/**
 * Zod schemas of Mixpeek's task models, after `mixpeek/python-sdk` `openapi.json` (API 0.81) and
 * its generated docs (`docs/TaskResponse.md`, `docs/TaskStatusEnum.md`, ...). Names are Mixpeek's.
 *
 * @module
 */
import { z } from 'zod';
import { openEnum } from '../../core/vendor.js';

/**
 * The status of a task (`TaskStatusEnum`). `ACTIVE`, `ARCHIVED` and `SUSPENDED` are entity
 * lifecycle values that share the enum. Unknown values are accepted.
 */
export const TaskStatusEnumSchema = openEnum([
  'PENDING',
  'IN_PROGRESS',
  'PROCESSING',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'CANCELED',
  'UNKNOWN',
  'SKIPPED',
  'DRAFT',
  'ACTIVE',
  'ARCHIVED',
  'SUSPENDED',
]);
/**
 * A Mixpeek task's `status` (`TaskStatusEnum`), e.g. `'PROCESSING'`, or another string a newer API sends; {@link
 * MIXPEEK_STATES} gives its canonical state.
 */
export type TaskStatusEnum = z.infer<typeof TaskStatusEnumSchema>;

/** The operation a task performs (`TaskType`). Open: Mixpeek adds types, and its list filter examples use upper case. */
export const TaskTypeSchema = openEnum([
  'api_namespaces_create',
  'api_namespaces_delete',
  'api_namespaces_migrations_run',
  'api_buckets_objects_create',
  'api_buckets_delete',
  'api_buckets_batches_process',
  'api_buckets_batches_submit',
  'api_buckets_uploads_create',
  'api_buckets_uploads_confirm',
  'api_buckets_uploads_batch_confirm',
  'api_collections_documents_create',
  'api_collections_extraction_artifacts',
  'api_taxonomies_create',
  'api_taxonomies_execute',
  'api_taxonomies_materialize',
  'api_evaluations_run',
  'api_evaluations_dataset_create',
  'api_retrievers_publish',
  'api_collections_export',
  'engine_feature_extractor_run',
  'engine_inference_run',
  'engine_object_processing',
  'engine_cluster_build',
  'thumbnail',
  'video_segment',
  'audio_segment',
  'materialize',
  'plugin_custom',
  'model_custom',
]);
/** What a Mixpeek task does (`TaskType`), e.g. `'api_buckets_batches_process'`, or another string a newer API sends. */
export type TaskType = z.infer<typeof TaskTypeSchema>;

/** One input or output of a task (`TaskResponseInputsInner`): an id string or a free-form object. */
export const TaskResponseInputsInnerSchema = z.union([z.string(), z.looseObject({})]);
/** One of a task's `inputs` or `outputs`: an id string or a free-form object. */
export type TaskResponseInputsInner = z.infer<typeof TaskResponseInputsInnerSchema>;

/** Progress information for a task (`TaskProgress`). Every field defaults to 0. */
export const TaskProgressSchema = z.looseObject({
  /** Number of documents processed. */
  processed_documents: z.number().int().default(0),
  /** Total documents to process. */
  total_documents: z.number().int().default(0),
  /** Progress percentage, 0 to 100. */
  percentage: z.number().default(0),
});
/** How far a task has got (`TaskProgress`): documents processed of the total, and a percentage 0 to 100. */
export type TaskProgress = z.infer<typeof TaskProgressSchema>;

// A documented key is read only when it has its documented shape; any other value reads as absent.
const shaped = <T extends z.ZodType>(schema: T) => schema.nullable().optional().catch(undefined);

/**
 * The keys of `TaskResponse.additional_data` that Mixpeek documents in prose, with the types its
 * description and examples give them. The schema types `additional_data` as a free-form object, so
 * a task's `raw` keeps it as sent, typed `Record<string, unknown>`; read it through
 * {@link readAdditionalData}, which keeps each documented key only when it has this shape.
 */
export const TaskAdditionalDataSchema = z.looseObject({
  /** Error message if the task failed; "the full error details", so an object is accepted too. */
  error: shaped(z.union([z.string(), z.looseObject({})])),
  /** Ray job id of engine tasks. */
  job_id: shaped(z.string()),
  /** True when the task was served from the MongoDB fallback (Redis keeps tasks 24 h). */
  from_mongodb: shaped(z.boolean()),
  batch_id: shaped(z.string()),
  bucket_id: shaped(z.string()),
  namespace_id: shaped(z.string()),
  /** The tier being processed, 0-indexed; null before the batch starts. */
  current_tier: shaped(z.number().int()),
  total_tiers: shaped(z.number().int()),
  collection_ids: shaped(z.array(z.string())),
  object_count: shaped(z.number().int()),
  /** The first five object ids of a batch. */
  sample_object_ids: shaped(z.array(z.string())),
});
/**
 * A task's `additional_data` as {@link readAdditionalData} reads it: the failure details (`error`), and batch fields
 * such as `batch_id` and `current_tier` of `total_tiers`, each there only when it has its documented type.
 */
export type TaskAdditionalData = z.infer<typeof TaskAdditionalDataSchema>;

/**
 * The documented keys of a task's `additional_data`, each kept only when it has the shape Mixpeek
 * documents (`current_tier` an integer, `job_id` a string, ...): a key of another type reads as
 * absent, and the undocumented keys come through as they are. An absent or null `additional_data`
 * reads as `{}`.
 *
 * @example `const { current_tier, total_tiers } = readAdditionalData(snapshot.raw);`
 */
export function readAdditionalData(task: { additional_data?: unknown }): TaskAdditionalData {
  const parsed = TaskAdditionalDataSchema.safeParse(task.additional_data ?? {});
  return parsed.success ? parsed.data : {};
}

/**
 * A task (`TaskResponse`), as `GET /v1/tasks/{task_id}` returns it. `task_id`, `task_type` and
 * `status` are required, as in the schema. The failure text is `error` in the schema and
 * `error_message` in Mixpeek's examples; both are read.
 */
export const TaskResponseSchema = z.looseObject({
  task_id: z.string(),
  task_type: TaskTypeSchema,
  status: TaskStatusEnumSchema,
  inputs: z.array(TaskResponseInputsInnerSchema).nullable().optional(),
  outputs: z.array(TaskResponseInputsInnerSchema).nullable().optional(),
  /**
   * A free-form object in the schema; its documented keys (`error`, `job_id`, `batch_id`,
   * `current_tier`, ...) are described in prose only. Read them with {@link readAdditionalData}.
   */
  additional_data: z.looseObject({}).nullable().optional(),
  /** Flattened failure text, from `additional_data.error` (the schema's name). */
  error: z.string().nullable().optional(),
  /**
   * Flattened failure text under the name Mixpeek's docstring and docs site examples use. Not in
   * the schema, so any value is let through; the snapshot reads it only when it is text.
   */
  error_message: z.unknown().optional(),
});
/**
 * A Mixpeek task as `GET /v1/tasks/{task_id}` returns it (`TaskResponse`): a snapshot's `raw`, and what
 * `client.tasks()` yields.
 */
export interface TaskResponse extends z.infer<typeof TaskResponseSchema> {}

/** Pagination of a list (`PaginationResponse`): use `next_cursor`; totals only with `include_total=true`. */
export const PaginationResponseSchema = z.looseObject({
  total: z.number().int().nullable().optional(),
  page: z.number().int().nullable().optional(),
  page_size: z.number().int().nullable().optional(),
  total_pages: z.number().int().nullable().optional(),
  next_page: z.string().nullable().optional(),
  previous_page: z.string().nullable().optional(),
  next_cursor: z.string().nullable().optional(),
});
/** The `pagination` of a task list page: `next_cursor` leads on; the totals are filled only with `includeTotal`. */
export interface PaginationResponse extends z.infer<typeof PaginationResponseSchema> {}

/**
 * The JSON body of `POST /v1/tasks/list` (`ListTasksRequest`), e.g. `{}` or `{ status: 'FAILED' }`.
 * `filters` (`LogicalOperator`) and `sort` (`SortOption`) are passed through as given.
 */
export const ListTasksRequestSchema = z.looseObject({
  status: TaskStatusEnumSchema.nullable().optional(),
  task_type: TaskTypeSchema.nullable().optional(),
  filters: z.looseObject({}).nullable().optional(),
  sort: z.looseObject({}).nullable().optional(),
  search: z.string().nullable().optional(),
});
/**
 * The filters `client.tasks()` sends as the `POST /v1/tasks/list` body (`ListTasksRequest`), e.g. `{ status: 'FAILED'
 * }`.
 */
export type ListTasksRequest = z.input<typeof ListTasksRequestSchema>;

/** One page of `POST /v1/tasks/list` (`ListTasksResponse`). */
export const ListTasksResponseSchema = z.looseObject({
  results: z.array(TaskResponseSchema),
  pagination: PaginationResponseSchema,
});
/** One page of `POST /v1/tasks/list` (`ListTasksResponse`): the tasks in `results`, and its `pagination`. */
export type ListTasksResponse = z.infer<typeof ListTasksResponseSchema>;

/** The answer to `DELETE /v1/tasks/{task_id}` (`GenericDeleteResponse`). */
export const GenericDeleteResponseSchema = z.looseObject({
  message: z.string().default('Successfully deleted'),
  success: z.boolean().default(true),
});
/** Mixpeek's answer to killing a task with `DELETE /v1/tasks/{task_id}`: `{ success, message }`. */
export type GenericDeleteResponse = z.infer<typeof GenericDeleteResponseSchema>;
