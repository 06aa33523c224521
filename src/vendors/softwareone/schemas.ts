/**
 * Zod schemas of the SoftwareOne Marketplace Platform Task API: Task, TaskLog and the references
 * they hold, the Audit object, the RQL list envelope and the Error (problem) object, as
 * `softwareone-platform/docs` documents them (`developer-resources/rest-api/task-api/`,
 * `api-usage-and-reference/`).
 *
 * SoftwareOne publishes no machine-readable spec, so these follow its docs, read with the rule
 * the other vendors' specs get: a field is required only where the SDK cannot work without it.
 * The docs mark no field required (their field table calls some "core", which is not the same),
 * and the RQL guide documents `select=-*,+id,+status`, which trims every other field from a
 * record; so a Task needs only its `id` and `status`, and everything else, at every depth
 * (references, audit events, log records, paging), may be absent.
 *
 * Every object is loose, so fields the docs don't list are kept. Dates stay strings: the docs'
 * own task-log example writes `"2025-09-12 13:40:13.515Z"`, which a strict RFC 3339 check rejects.
 *
 * @module
 */
import { z } from 'zod';
import { openEnum } from '../../core/vendor.js';

/**
 * The documented task id form, `TSK-XXXX-YYYY-YYYY-YYYY` (digits), e.g. `TSK-0001-2474-4798-1266`,
 * where `XXXX` is part of the owner service's `SVC-XXXX`.
 */
export const TASK_ID_PATTERN = /^TSK-\d{4}-\d{4}-\d{4}-\d{4}$/;

/**
 * A task id as a caller passes it: trimmed, then checked against {@link TASK_ID_PATTERN}.
 * Responses are not checked this strictly (see {@link TaskSchema}).
 */
export const TaskIdSchema = z.string().trim().regex(TASK_ID_PATTERN, {
  error:
    'expected a SoftwareOne task id TSK-XXXX-YYYY-YYYY-YYYY (digits), e.g. TSK-0001-2474-4798-1266 (or pass the task URL)',
});

// Responses: a non-empty id, whatever its digits. See TaskSchema for why.
const ResponseTaskId = z
  .string()
  .min(1)
  .meta({ description: 'TSK-XXXX-YYYY-YYYY-YYYY', examples: ['TSK-0001-2474-4798-1266'] });

/**
 * Every known task status: the six the docs list, and `Canceled` from the `TaskStatus` enum of
 * SoftwareOne's own mock extension (`Cancelled`, the other spelling, is taken too). Casing is not
 * settled: the JSON examples are PascalCase, prose and mock server lowercase.
 */
export const TaskStatusSchema = openEnum([
  'Queued',
  'Blocked',
  'Processing',
  'Rescheduled',
  'Completed',
  'Failed',
  'Canceled',
  'Cancelled',
]);
/**
 * A SoftwareOne task's `status`: `Queued`, `Blocked`, `Processing`, `Rescheduled`, `Completed`, `Failed`, `Canceled` or
 * `Cancelled` (any casing), or another string.
 */
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** A `service` reference, e.g. a task's `owner`: `{ id: "SVC-0001", name: "platform", revision: 1 }`. */
export const ServiceReferenceSchema = z.looseObject({
  /** `SVC-XXXX`. */
  id: z.string().optional(),
  name: z.string().optional(),
  revision: z.number().int().optional(),
});
/** A reference to a platform service (`SVC-XXXX`), e.g. a {@link Task}'s `owner`. */
export type ServiceReference = z.infer<typeof ServiceReferenceSchema>;

/** The documented account types. */
export const AccountTypeSchema = openEnum(['Client', 'Vendor', 'Operations']);
/** The documented account statuses. */
export const AccountStatusSchema = openEnum(['Enabled', 'Active', 'Disabled']);

/** An `account` reference, e.g. an item of a task's `access` list. */
export const AccountReferenceSchema = z.looseObject({
  /** `ACC-XXXX-XXXX`. */
  id: z.string().optional(),
  name: z.string().optional(),
  revision: z.number().int().optional(),
  type: AccountTypeSchema.optional(),
  status: AccountStatusSchema.optional(),
  href: z.string().optional(),
  icon: z.string().nullable().optional(),
});
/** A reference to an account (`ACC-XXXX-XXXX`), e.g. one entry of a {@link Task}'s `access`. */
export type AccountReference = z.infer<typeof AccountReferenceSchema>;

/** The user, token or service that caused an audit event (`by`). */
export const AuditActorSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  icon: z.string().nullable().optional(),
  revision: z.number().int().optional(),
});
/** Who caused an audit event (`by`): a user, a token or a service. */
export type AuditActor = z.infer<typeof AuditActorSchema>;

/** One audit event: when it last happened (`at`), by whom, on behalf of which account. */
export const AuditEventSchema = z.looseObject({
  /** ISO 8601 date-time. */
  at: z.string().optional(),
  by: AuditActorSchema.optional(),
  of: AccountReferenceSchema.optional(),
});
/** One audit event: when it last happened (`at`, ISO 8601), by whom, and for which account. */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/**
 * The Audit object: the latest occurrence of each event; an event that has not happened is
 * absent. Other events than these are kept too.
 */
export const AuditSchema = z.looseObject({
  created: AuditEventSchema.optional(),
  updated: AuditEventSchema.optional(),
  started: AuditEventSchema.optional(),
  completed: AuditEventSchema.optional(),
  /** Not documented for tasks: assumed from the platform's one-event-per-transition convention. */
  failed: AuditEventSchema.optional(),
});
/**
 * A task's audit trail: the latest `created`, `updated`, `started`, `completed` and `failed` event, each absent until
 * it happens.
 */
export type Audit = z.infer<typeof AuditSchema>;

/** A reference to the business object a task is about, e.g. `{ id: "BUY-1190-0394" }`. */
export const ObjectReferenceSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
});
/** The business object a task is about, e.g. `{ id: 'BUY-1190-0394' }`. */
export type ObjectReference = z.infer<typeof ObjectReferenceSchema>;

/**
 * A `task` reference: a task's `parent` (`{ id, name }`) or a log's `task`
 * (`{ id, name, revision, status, code }`).
 */
export const TaskReferenceSchema = z.looseObject({
  id: ResponseTaskId.optional(),
  name: z.string().optional(),
  revision: z.number().int().optional(),
  status: TaskStatusSchema.optional(),
  code: z.string().optional(),
});
/** A reference to a task: a task's `parent`, or the `task` of a {@link TaskLog}. */
export type TaskReference = z.infer<typeof TaskReferenceSchema>;

/**
 * The Task object: an asynchronous, usually long-running operation (a buyer transfer, a bulk
 * migration, ...).
 *
 * Required are only `id` and `status`, which the SDK cannot work without. The docs call `code`
 * and `name` "core" too, but not required, and `select=-*,+id,+status` (the RQL guide's own
 * example) leaves them out, so they may be absent like the rest. `id` is any non-empty string here, not checked against
 * {@link TASK_ID_PATTERN}: the docs' own ids already differ in their digit groups
 * (`TSK-1234-1234-1234` in the `result` example), and a format change on the vendor's side
 * must not turn every poll of a healthy task into a validation error. Caller input is checked
 * strictly instead ({@link TaskIdSchema}).
 */
export const TaskSchema = z.looseObject({
  /** `TSK-XXXX-YYYY-YYYY-YYYY`. */
  id: ResponseTaskId,
  /** Created `Queued` (default) or `Blocked`. */
  status: TaskStatusSchema,
  /** The workflow, prefixed with the service namespace, e.g. `platform.accounts.buyers.transfer`. */
  code: z.string().optional(),
  /** The operation's name, e.g. "Moving the buyer to a different account". */
  name: z.string().optional(),
  /** Not in the field table, but in every example. */
  revision: z.number().int().optional(),
  /** The execution queue, e.g. `marketplace/platform/internal/buyers/commands`. */
  queue: z.string().optional(),
  /** The business object the task is about. */
  object: ObjectReferenceSchema.optional(),
  description: z.string().optional(),
  /** The parent task, if any. */
  parent: TaskReferenceSchema.nullable().optional(),
  /**
   * Percent, 0 to 100 (a float, e.g. 21.3); not defined before the task starts. The range is
   * not enforced: the core clamps, and a stray 100.0001 should not fail a poll.
   */
  progress: z.number().nullable().optional(),
  /** The estimated completion time, ISO 8601. */
  eta: z.string().nullable().optional(),
  audit: AuditSchema.optional(),
  /** Task-specific metadata. */
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Where the result is: a platform URI (often relative, e.g. `/public/v1/accounts/buyers/BUY-…`). */
  result: z.string().nullable().optional(),
  /** The service that owns the task. */
  owner: ServiceReferenceSchema.optional(),
  /** The accounts with access to the task and its result. */
  access: z.array(AccountReferenceSchema).optional(),
});
/**
 * A SoftwareOne task as `GET /v1/system/tasks/{id}` returns it: a snapshot's `raw`, and what `client.tasks()` yields.
 * `progress` is a percent.
 */
export interface Task extends z.infer<typeof TaskSchema> {}

/**
 * A task log record: a step, a start, a failure, ... of one task's execution. No field is required:
 * the SDK only yields records, and reads `severity` and `message` where they are there.
 */
export const TaskLogSchema = z.looseObject({
  /** `TLR-XXXX-XXXX-XXXX-XXXX`. */
  id: z.string().optional(),
  /** The task the record belongs to. */
  task: TaskReferenceSchema.optional(),
  /** e.g. `Info` or `Error`. A string in the docs, not an enum. */
  severity: z.string().optional(),
  /** A template with `{{Param}}` placeholders filled from `parameters`. */
  message: z.string().optional(),
  /** When the record was written, ISO 8601. */
  timestamp: z.string().optional(),
  /** The task's progress then, percent. */
  progress: z.number().nullable().optional(),
  /** ISO 8601, though the docs' own example has a space as date separator. */
  eta: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  revision: z.number().int().optional(),
  audit: AuditSchema.optional(),
});
/**
 * A task log record, as `client.logs()` yields it: one step of the task's run, with its `message`, `severity` and
 * `progress`.
 */
export interface TaskLog extends z.infer<typeof TaskLogSchema> {}

/**
 * RQL paging: `total` is the number of records that match, whatever the page. A page without a
 * `total` is the last: there is no telling how many more there are.
 */
export const PaginationSchema = z.looseObject({
  offset: z.number().int().optional(),
  limit: z.number().int().optional(),
  total: z.number().int().optional(),
});
/** RQL paging of a list page: its `offset` and `limit`, and the `total` of matching records; each optional. */
export type Pagination = z.infer<typeof PaginationSchema>;

/** The `$meta` of a list: paging, and the query parts or fields the server ignored or left out. */
export const ListMetaSchema = z.looseObject({
  pagination: PaginationSchema.optional(),
  ignored: z.array(z.string()).optional(),
  omitted: z.array(z.string()).optional(),
});
/** The `$meta` of a list page: its {@link Pagination}, and the query parts `ignored` or fields `omitted`. */
export interface ListMeta extends z.infer<typeof ListMetaSchema> {}

/**
 * The RQL list envelope `{ $meta, data }` around items of `item`. A page without `$meta` (as
 * SoftwareOne's own python client reads one) is a single, last page.
 */
export function listSchema<Item extends z.ZodType>(item: Item) {
  return z.looseObject({ $meta: ListMetaSchema.optional(), data: z.array(item) });
}

/** The envelope of `GET /v1/system/tasks`. */
export const TaskListSchema = listSchema(TaskSchema);
/** One page of `GET /v1/system/tasks`: `{ $meta, data }` with {@link Task}s in `data`; `$meta` may be absent. */
export type TaskList = z.infer<typeof TaskListSchema>;
/** The envelope of `GET /v1/system/tasks/{id}/logs`. */
export const TaskLogListSchema = listSchema(TaskLogSchema);
/** One page of `GET /v1/system/tasks/{id}/logs`: `{ $meta, data }` with {@link TaskLog}s in `data`; `$meta` may be absent. */
export type TaskLogList = z.infer<typeof TaskLogListSchema>;

/** One validation error of an {@link PlatformErrorSchema} in its list form. */
export const ErrorDetailSchema = z.looseObject({
  message: z.string(),
  properties: z.array(z.string()).optional(),
  id: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});
/** One validation error of a {@link PlatformError} whose `errors` is a list. */
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/**
 * The platform's Error object, an RFC 9110 problem document. `errors` comes as a map of field
 * to messages (errors-handling page) or as a list (Error object page); `details` is how the
 * Error object page's table spells `detail`. Every member is optional, as in RFC 9457.
 */
export const PlatformErrorSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int().optional(),
  detail: z.string().optional(),
  details: z.string().optional(),
  instance: z.string().optional(),
  traceId: z.string().optional(),
  errors: z
    .union([z.record(z.string(), z.union([z.array(z.string()), z.string()])), z.array(ErrorDetailSchema)])
    .optional(),
});
/** The platform's error body, an RFC 9110 problem document; an `HttpError` holds it as `problem`. */
export type PlatformError = z.infer<typeof PlatformErrorSchema>;
