/**
 * Zod schemas of the Layer IQ Public API's task models, after its model pages
 * (https://apidocs.layer-iq.com/models/Task, `TaskIssue`, `IngestRequest`, `WebhookEvent`) and its
 * API introduction. Names are Layer IQ's. `Pagination` and `NormalizedRow` are not documented:
 * their schemas are assumptions, kept loose so a wrong guess never rejects a documented `Task`.
 *
 * Layer IQ publishes no machine-readable spec, so the rule the other vendors' specs get is applied
 * to its model pages: a field is required only where a page marks it "required" (a `Task`'s
 * `taskId`, `status`, `mode`, `progress` and `counts`; a `TaskIssue`'s `code`, `message`,
 * `rowIndex` and `severity`; a `WebhookEvent`'s envelope and `data`), and nullable only where the
 * page gives `| null`. No counter of `counts` is marked required, so none is.
 *
 * @module
 */
import { z } from 'zod';
import { openEnum } from '../../core/vendor.js';

/** A date-time as the docs give it (RFC 3339). Not checked strictly: the core normalizes dates. */
const DateTime = z.string();

/** The status of a task. Unknown values are accepted (they map to `unknown`). */
export const TaskStatusSchema = openEnum(['QUEUED', 'RUNNING', 'COMPLETE', 'FAILED', 'CANCELED']);
/**
 * A Layer IQ task's `status`: `QUEUED`, `RUNNING`, `COMPLETE`, `FAILED`, `CANCELED`, or another string a newer API
 * sends.
 */
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** What a task does: a bulk import, a normalize-only preview, a bulk update or a bulk soft-delete. */
export const TaskModeSchema = openEnum(['INGEST', 'NORMALIZE', 'UPDATE', 'DELETE']);
/**
 * What a Layer IQ task does (`mode`): `INGEST`, `NORMALIZE`, `UPDATE` or `DELETE`, or another string a newer API sends.
 */
export type TaskMode = z.infer<typeof TaskModeSchema>;

/** `DELTA` upserts only the rows sent; `FULL` may soft-retire assets absent from the batch. */
export const SyncModeSchema = openEnum(['DELTA', 'FULL']);
/** How an ingest treats assets absent from the batch: `DELTA` leaves them, `FULL` may soft-retire them. */
export type SyncMode = z.infer<typeof SyncModeSchema>;

/** The severity of a {@link TaskIssue}. */
export const TaskIssueSeveritySchema = openEnum(['ERROR', 'WARNING', 'INFO']);
/** How serious a {@link TaskIssue} is: `ERROR`, `WARNING` or `INFO`. An `ERROR` makes a `COMPLETE` task `partial`. */
export type TaskIssueSeverity = z.infer<typeof TaskIssueSeveritySchema>;

/**
 * Row counters of a task (`TaskCounts`). The model page marks none of them required, and two are
 * mode-specific (`deleted`: DELETE only; `retired`: FULL sync only), so all are optional; a
 * missing `failed` reads as 0.
 */
export const TaskCountsSchema = z.looseObject({
  /** DELETE mode only: assets soft-archived (deleted) by the batch. */
  deleted: z.int().optional(),
  failed: z.int().optional(),
  inserted: z.int().optional(),
  received: z.int().optional(),
  /** FULL sync only: assets soft-retired because they were absent from the batch. */
  retired: z.int().optional(),
  skipped: z.int().optional(),
  updated: z.int().optional(),
});
/**
 * A task's row counters (`received`, `inserted`, `updated`, `skipped`, `failed`, ...), each optional; `failed > 0`
 * makes a `COMPLETE` task `partial`.
 */
export type TaskCounts = z.infer<typeof TaskCountsSchema>;

/**
 * One issue of a task (`TaskIssue`): a per-row outcome, or a run-level notice when `rowIndex` is
 * negative (e.g. `normalization_skipped`, `issues_truncated`).
 */
export const TaskIssueSchema = z.looseObject({
  /** Machine-readable issue code, e.g. `archived_conflict`. */
  code: z.string(),
  message: z.string(),
  /** Index of the row in the submitted batch; below 0 for run-level notices. */
  rowIndex: z.int(),
  severity: TaskIssueSeveritySchema,
  identifier: z.string().nullable().optional(),
});
/**
 * One issue of a Layer IQ task, as `client.issues()` yields it: a row's outcome, or a run-level notice when `rowIndex`
 * is below 0.
 */
export interface TaskIssue extends z.infer<typeof TaskIssueSchema> {}

const guessed = <T extends z.ZodType>(schema: T) => schema.nullable().optional().catch(undefined);

/**
 * Paging metadata of an embedded collection (`Pagination`). Its fields are not documented: these
 * are the common shapes, each optional, and a value of another type reads as absent.
 */
export const PaginationSchema = z.looseObject({
  /** The page number (assumed to start at 1). */
  page: guessed(z.number()),
  pageSize: guessed(z.number()),
  /** Items in the whole collection. */
  total: guessed(z.number()),
  totalPages: guessed(z.number()),
  hasMore: guessed(z.boolean()),
  /** An opaque cursor for the next page. */
  nextCursor: guessed(z.string()),
  /** The URL of the next page, absolute or relative. */
  next: guessed(z.string()),
});
/** The paging of a collection embedded in a task. Undocumented by Layer IQ: every field is a guess and optional. */
export interface Pagination extends z.infer<typeof PaginationSchema> {}

/** One asset row of an ingest (`IngestAssetInput`). Only `identifier` is required. */
export const IngestAssetInputSchema = z.looseObject({
  identifier: z.string(),
  category: z.string().optional(),
  categoryType: z.string().optional(),
  chipModel: z.string().optional(),
  condition: z.string().optional(),
  conditionGrade: z.string().optional(),
  countryCode: z.string().optional(),
  locationName: z.string().optional(),
  manufacturer: z.string().optional(),
  memory: z.int().optional(),
  model: z.string().optional(),
  mpn: z.string().optional(),
  productNumber: z.string().optional(),
  quantity: z.int().optional(),
  reviveArchived: z.boolean().optional(),
  serialNumber: z.string().optional(),
  sku: z.string().optional(),
  storageCapacity: z.string().optional(),
  storageType: z.string().optional(),
  type: z.string().optional(),
  vendor: z.string().optional(),
  weight: z.number().optional(),
  weightUnit: z.string().optional(),
  year: z.int().optional(),
});
/** One asset row to import with `client.ingest()` (`IngestAssetInput`); only `identifier` is required. */
export type IngestAssetInput = z.infer<typeof IngestAssetInputSchema>;

/**
 * A cleaned row of a NORMALIZE task (`NormalizedRow`). Not documented beyond "cleaned rows (with
 * inline issues), re-submittable to /assets/ingest": assumed to be an {@link IngestAssetInput}
 * (every field optional, `identifier` too) plus its inline `issues` and maybe its `rowIndex`.
 */
export const NormalizedRowSchema = IngestAssetInputSchema.partial().extend({
  /** The row's own problems. Assumed to be `TaskIssue`s whose `rowIndex` may be left out. */
  issues: z.array(TaskIssueSchema.partial({ rowIndex: true })).optional(),
  /** The row's index in the submitted batch, if the server says. */
  rowIndex: z.int().optional(),
});
/**
 * A cleaned row of a NORMALIZE task, as `client.normalizedRows()` yields it, with its inline `issues`; it can be passed
 * back to `ingest()`.
 */
export interface NormalizedRow extends z.infer<typeof NormalizedRowSchema> {}

/** A collection as the API wraps it: `{ data, pagination }`. */
export const collectionOf = <Item extends z.ZodType>(item: Item) =>
  z.looseObject({ data: z.array(item).optional(), pagination: PaginationSchema.nullable().optional() });

/** The embedded `issues` collection of a task. */
export const TaskIssueCollectionSchema = collectionOf(TaskIssueSchema);
/**
 * The first page of a task's `issues`, embedded in the {@link Task} as `{ data, pagination }`; `client.issues()` walks
 * them all.
 */
export type TaskIssueCollection = z.infer<typeof TaskIssueCollectionSchema>;

/** The embedded `normalizedRows` collection of a NORMALIZE task. */
export const NormalizedRowCollectionSchema = collectionOf(NormalizedRowSchema);
/**
 * The first page of a NORMALIZE task's `normalizedRows`, embedded as `{ data, pagination }`; `client.normalizedRows()`
 * walks them all.
 */
export type NormalizedRowCollection = z.infer<typeof NormalizedRowCollectionSchema>;

/** An asynchronous task (`Task`): an ingest, normalize, bulk update or bulk delete run. */
export const TaskSchema = z.looseObject({
  counts: TaskCountsSchema,
  mode: TaskModeSchema,
  /** Overall progress, 0..1. */
  progress: z.number(),
  status: TaskStatusSchema,
  taskId: z.string(),
  completedAt: DateTime.nullable().optional(),
  createdAt: DateTime.optional(),
  updatedAt: DateTime.optional(),
  error: z.string().nullable().optional(),
  /** INGEST / UPDATE / DELETE: per-row outcomes. NORMALIZE: run-level notices only. */
  issues: TaskIssueCollectionSchema.optional(),
  /** NORMALIZE only: the cleaned rows, with inline issues. */
  normalizedRows: NormalizedRowCollectionSchema.optional(),
  progressPercent: z.int().optional(),
  syncMode: SyncModeSchema.nullable().optional(),
});
/**
 * A Layer IQ task (`Task`) as its status URL returns it: a snapshot's `raw`, with its `counts`, `progress` (0 to 1) and
 * embedded issues.
 */
export interface Task extends z.infer<typeof TaskSchema> {}

/** The body of a bulk import (`IngestRequest`). */
export const IngestRequestSchema = z.looseObject({
  assets: z.array(IngestAssetInputSchema).min(1).max(10_000),
  /** Clean and enrich rows before upserting. */
  normalize: z.boolean().optional(),
  /** Revive archived assets whose identifier matches (default false). */
  reviveArchived: z.boolean().optional(),
  syncMode: SyncModeSchema.optional(),
});
/**
 * The body of `POST /assets/ingest` (`IngestRequest`): 1 to 10,000 assets and the sync options. `client.ingest()`
 * builds it.
 */
export type IngestRequest = z.infer<typeof IngestRequestSchema>;

/** The body of a 202 Accepted answer to an asynchronous operation. */
export const TaskAcceptedSchema = z.looseObject({ taskId: z.string().min(1) });
/** The body of the 202 that starts a task: `{ taskId }`; the status URL comes in its `Location` header. */
export type TaskAccepted = z.infer<typeof TaskAcceptedSchema>;

/** The `type` of a webhook delivery. */
export const WebhookEventTypeSchema = openEnum([
  'asset.ingest.completed',
  'asset.ingest.failed',
  'asset.normalize.completed',
  'asset.normalize.failed',
  'asset.bulk_update.completed',
  'asset.bulk_update.failed',
  'asset.bulk_delete.completed',
  'asset.bulk_delete.failed',
]);
/**
 * What a webhook delivery reports, e.g. `asset.ingest.completed` or `asset.bulk_delete.failed`, or another string a
 * newer API sends.
 */
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;

/** The `data` of a webhook delivery: the task as it ended. */
export const WebhookEventDataSchema = z.looseObject({
  counts: TaskCountsSchema,
  mode: TaskModeSchema,
  /** Only terminal statuses are delivered. */
  status: openEnum(['COMPLETE', 'FAILED']),
  /** The AssetIngestRun id; poll `taskUrl` for full detail. */
  taskId: z.string(),
  /** The relative task status URL. */
  taskUrl: z.string(),
  error: z.string().nullable().optional(),
});
/**
 * The task a webhook delivery reports, as it ended (`COMPLETE` or `FAILED`); `client.webhookRef(data)` names it for
 * `wait()`.
 */
export type WebhookEventData = z.infer<typeof WebhookEventDataSchema>;

/** The JSON body POSTed to a webhook endpoint when a task reaches a terminal state (`WebhookEvent`). */
export const WebhookEventSchema = z.looseObject({
  /** The delivery id: dedupe on it (failed deliveries are retried). */
  id: z.string(),
  type: WebhookEventTypeSchema,
  createdAt: DateTime,
  data: WebhookEventDataSchema,
});
/**
 * A webhook delivery (`WebhookEvent`), as {@link verifyWebhook} returns it once its signature checks out; dedupe on
 * `id`.
 */
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
