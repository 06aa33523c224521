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

/**
 * `TaskResponse.additional_data`: a free-form object whose common and batch keys Mixpeek documents
 * in prose. Every key is optional, as each applies to some task types only.
 */
export const TaskAdditionalDataSchema = z.looseObject({
  /** Error message if the task failed; "the full error details", so an object is accepted too. */
  error: z
    .union([z.string(), z.looseObject({})])
    .nullable()
    .optional(),
  /** Ray job id of engine tasks. */
  job_id: z.string().nullable().optional(),
  /** True when the task was served from the MongoDB fallback (Redis keeps tasks 24 h). */
  from_mongodb: z.boolean().nullable().optional(),
  batch_id: z.string().nullable().optional(),
  bucket_id: z.string().nullable().optional(),
  namespace_id: z.string().nullable().optional(),
  /** The tier being processed, 0-indexed; null before the batch starts. */
  current_tier: z.number().int().nullable().optional(),
  total_tiers: z.number().int().nullable().optional(),
  collection_ids: z.array(z.string()).nullable().optional(),
  object_count: z.number().int().nullable().optional(),
  /** The first five object ids of a batch. */
  sample_object_ids: z.array(z.string()).nullable().optional(),
});
/**
 * A task's `additional_data`: the failure details (`error`), and batch fields such as `batch_id` and `current_tier` of
 * `total_tiers`.
 */
export type TaskAdditionalData = z.infer<typeof TaskAdditionalDataSchema>;

/**
 * A task (`TaskResponse`), as `GET /v1/tasks/{task_id}` returns it. `task_id`, `task_type` and
 * `status` are required. The failure text is `error` in the schema and `error_message` in
 * Mixpeek's examples; both are accepted.
 */
export const TaskResponseSchema = z.looseObject({
  task_id: z.string(),
  task_type: TaskTypeSchema,
  status: TaskStatusEnumSchema,
  inputs: z.array(TaskResponseInputsInnerSchema).nullable().optional(),
  outputs: z.array(TaskResponseInputsInnerSchema).nullable().optional(),
  additional_data: TaskAdditionalDataSchema.nullable().optional(),
  /** Flattened failure text, from `additional_data.error` (the schema's name). */
  error: z.string().nullable().optional(),
  /** Flattened failure text (the name in Mixpeek's docstring and docs site examples). */
  error_message: z.string().nullable().optional(),
});
/**
 * A Mixpeek task as `GET /v1/tasks/{task_id}` returns it (`TaskResponse`): a snapshot's `raw`, and what
 * `client.tasks()` yields.
 */
export type TaskResponse = z.infer<typeof TaskResponseSchema>;

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
export type PaginationResponse = z.infer<typeof PaginationResponseSchema>;

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
