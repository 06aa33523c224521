/**
 * Mixpeek tasks: `GET https://api.mixpeek.com/v1/tasks/{task_id}` with `Authorization: Bearer sk_…`,
 * `DELETE` to kill a task, and `POST /v1/tasks/list` for cursor-paged lists.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { mixpeek } from 'taskwait/mixpeek';
 *
 * const client = createClient(mixpeek, { token: process.env.MIXPEEK_TOKEN });
 * const task = await client.wait('task_abc123'); // or the TaskResponse a submit returned
 * for await (const failed of client.tasks({ status: 'FAILED' })) console.log(failed.task_id);
 * ```
 *
 * @module taskwait/mixpeek
 */
import { z } from 'zod';
import type { TaskSnapshot, TaskState } from '../../core/lifecycle.js';
import {
  authorization,
  ConfigError,
  clip,
  defineTask,
  defineVendor,
  type Paginator,
  type PagingOptions,
  type TaskClient,
  type TaskKind,
  type Vendor,
} from '../../core/vendor.js';
import {
  type ListTasksRequest,
  ListTasksResponseSchema,
  type PaginationResponse,
  readAdditionalData,
  TaskProgressSchema,
  type TaskResponse,
  TaskResponseSchema,
  TaskStatusEnumSchema,
} from './schemas.js';

export * from './schemas.js';

/**
 * How each Mixpeek status maps onto the canonical lifecycle.
 *
 * `ACTIVE`, `ARCHIVED` and `SUSPENDED` describe buckets and collections, not tasks. `SUSPENDED`
 * ("temporarily suspended") waits on something outside the task, so it is `blocked`. Mixpeek's
 * terminal list leaves out `ACTIVE` and `ARCHIVED` and says nothing of an outcome, so they are
 * `unknown`: the wait goes on until the task reaches a documented status or the wait times out.
 */
export const MIXPEEK_STATES = {
  PENDING: 'queued',
  IN_PROGRESS: 'running',
  PROCESSING: 'running',
  COMPLETED: 'succeeded',
  COMPLETED_WITH_ERRORS: 'partial',
  FAILED: 'failed',
  CANCELED: 'canceled',
  SKIPPED: 'skipped',
  DRAFT: 'blocked',
  UNKNOWN: 'unknown',
  ACTIVE: 'unknown',
  ARCHIVED: 'unknown',
  SUSPENDED: 'blocked',
} as const satisfies Record<(typeof TaskStatusEnumSchema.values)[number], TaskState>;

/** A task reference: the task id, or an object carrying it (the `TaskResponse` a submit returns). */
export const MixpeekTaskRef = z.union([
  z.string(),
  z.looseObject({ task_id: z.string() }).transform((task) => task.task_id),
]);
export type MixpeekTaskRef = z.input<typeof MixpeekTaskRef>;

/** Options of the client's `tasks()` list: the list's query parameters plus the walk's options. */
export interface MixpeekTaskListOptions extends PagingOptions {
  /** Tasks per page, 1 to 1000 (query `limit`). Default: Mixpeek's. */
  limit?: number | undefined;
  /** Ask Mixpeek to fill the pagination totals (query `include_total`). Default false. */
  includeTotal?: boolean | undefined;
}

/**
 * A Mixpeek task as a client sees it: `raw` is the {@link TaskResponse}.
 *
 * @group Vendor
 */
export type MixpeekSnapshot = TaskSnapshot<TaskResponse, 'task'>;

/**
 * What a Mixpeek client adds to the methods every client has.
 *
 * @group Vendor
 */
export interface MixpeekMethods {
  /**
   * Lists tasks with `POST /v1/tasks/list`, following `pagination.next_cursor` page by page.
   * Iterate the tasks with `for await`, or whole pages (with their `pagination`) with `.pages()`.
   * A page's `next` (or `cursor`), saved as JSON and passed back as `startAt`, starts a walk again where it stopped.
   *
   * @param filters - the JSON body, e.g. `{ status: 'FAILED', task_type: 'api_buckets_batches_process' }`.
   * @example `for await (const t of client.tasks({ status: 'FAILED' }, { limit: 100 })) console.log(t.task_id);`
   */
  tasks(filters?: ListTasksRequest, options?: MixpeekTaskListOptions): Paginator<TaskResponse, PaginationResponse>;
}

/**
 * The Mixpeek vendor's type: {@link mixpeek}, as `createClient` reads it.
 *
 * @group Vendor
 */
export interface MixpeekVendor
  extends Vendor<
    'mixpeek',
    (typeof TaskStatusEnumSchema.values)[number],
    { task: TaskKind<typeof TaskResponseSchema> },
    typeof MixpeekTaskRef,
    MixpeekMethods,
    MixpeekSnapshot
  > {}

/**
 * A Mixpeek client: what `createClient(mixpeek, options)` returns.
 *
 * @group Vendor
 */
export type MixpeekClient = TaskClient<MixpeekVendor>;

const task = defineTask({
  model: 'TaskResponse',
  schema: TaskResponseSchema,
  status: (raw) => raw.status,
  snapshot: (raw) => ({ id: raw.task_id, progress: progressOf(raw), error: errorOf(raw) }),
});

/**
 * The Mixpeek vendor. Pass it to `createClient` with an API key as `token`.
 *
 * References: a task id (`'task_abc123'`), a task's absolute URL, or an object with `task_id`.
 *
 * @group Vendor
 */
export const mixpeek: MixpeekVendor = defineVendor({
  name: 'mixpeek',
  baseUrl: 'https://api.mixpeek.com',
  auth: authorization('Bearer'),
  statuses: TaskStatusEnumSchema.values,
  states: MIXPEEK_STATES,
  tasks: { task },
  ref: MixpeekTaskRef,
  route: (id) => ({ kind: 'task', path: ['v1', 'tasks', id] }),
  // "Kill Task": idempotent, answers a GenericDeleteResponse.
  cancel: { method: 'DELETE' },
  // TaskStatusEnum: "Use exponential backoff (1s → 30s) when polling".
  poll: { minDelayMs: 1000, maxDelayMs: 30_000 },
  methods: (ctx): MixpeekMethods => ({
    tasks(filters = {}, options = {}) {
      const { limit, includeTotal } = options;
      return ctx.paginate<TaskResponse, PaginationResponse>(
        {
          first: null,
          // A saved page cursor: a next_cursor, or null for the first page.
          resume(cursor) {
            if (cursor === null || (typeof cursor === 'string' && cursor !== '')) return cursor;
            throw new ConfigError(
              'startAt',
              `mixpeek: startAt must be a page's cursor (a next_cursor, or null for the first page), got ${shownCursor(cursor)}`,
            );
          },
          async fetch(cursor, pageSignal) {
            const { data } = await ctx.request({
              method: 'POST',
              path: ['v1', 'tasks', 'list'],
              query: {
                limit,
                cursor: typeof cursor === 'string' ? cursor : undefined,
                include_total: includeTotal,
              },
              body: filters,
              schema: ListTasksResponseSchema,
              model: 'ListTasksResponse',
              signal: pageSignal,
              // A query, not a write: safe to retry.
              idempotent: true,
            });
            const next = data.pagination.next_cursor;
            return { items: data.results, meta: data.pagination, next: next ? next : undefined };
          },
        },
        // Every paging option goes as given: the paginator reads its own.
        options,
      );
    },
  }),
});

// The examples' `error_message`, the schema's `error`, then the details in `additional_data.error`.
function errorOf(raw: TaskResponse): string | undefined {
  const details = readAdditionalData(raw).error;
  const candidates = [raw.error_message, raw.error, typeof details === 'string' ? details : messageOf(details)];
  return candidates.find((text): text is string => typeof text === 'string' && text.trim() !== '');
}

function messageOf(details: Record<string, unknown> | null | undefined): string | undefined {
  if (!details) return undefined;
  for (const key of ['message', 'detail', 'error']) {
    if (typeof details[key] === 'string') return details[key];
  }
  return JSON.stringify(details);
}

// Where TaskProgress sits in a task is not documented: `additional_data.progress`, or top-level
// `progress`. Batch tasks also say which tier of how many is being processed.
function progressOf(raw: TaskResponse): number | undefined {
  const parsed = TaskProgressSchema.safeParse(raw.additional_data?.progress ?? raw.progress);
  if (parsed.success) {
    const { percentage, processed_documents: done, total_documents: total } = parsed.data;
    if (percentage === 0 && total > 0) return done / total;
    return percentage / 100;
  }
  const { current_tier: tier, total_tiers: tiers } = readAdditionalData(raw);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the normalizer drops a progress that is not finite (NaN, Infinity)
  if (typeof tier === 'number' && typeof tiers === 'number' && tiers > 0) return tier / tiers;
  return undefined;
}

/** A saved cursor as a message shows it: text quoted (so an empty one shows), anything else by its type. */
function shownCursor(cursor: unknown): string {
  if (typeof cursor === 'string') return clip(JSON.stringify(cursor), 80);
  if (typeof cursor === 'number' || typeof cursor === 'boolean') return String(cursor);
  return typeof cursor;
}
