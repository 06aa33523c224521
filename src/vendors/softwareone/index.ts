/**
 * SoftwareOne Marketplace Platform, Task API: `GET /v1/system/tasks/{id}` below
 * `https://api.platform.softwareone.com/public`, with `Authorization: Bearer <token>`.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { softwareOne } from 'taskwait/softwareone';
 * const client = createClient(softwareOne, { token: process.env.SOFTWAREONE_TOKEN });
 * const done = await client.wait('TSK-0001-2474-4798-1266');
 * const buyer = await client.result(done);
 *
 * // An ops or svc token may read task logs: a failed task then says why.
 * const ops = createClient(softwareOneVendor({ errorFromLogs: true }), { token: process.env.SWO_OPS_TOKEN });
 * ```
 *
 * SoftwareOne publishes no machine-readable spec. What this adapter assumes from the docs:
 * - A Task needs only `id` and `status`; every other field, at every depth, may be absent (RQL's
 *   `select=-*,+id,+status` trims them). Log records and paging need no field at all.
 * - Statuses are matched in any casing. `Canceled` (SoftwareOne's own mock extension) and
 *   `Cancelled` are `canceled`; `Rescheduled` is `queued`, `Blocked` `blocked`.
 * - A list page without `$meta`, or without a `total`, is the last page.
 * - A failed Task has no error text: the reason is in its logs (see {@link SoftwareOneOptions}).
 *
 * @module taskwait/softwareone
 */
import { z } from 'zod';
import type { TaskSnapshot } from '../../core/lifecycle.js';
import {
  authorization,
  ConfigError,
  defineBatch,
  defineTask,
  defineVendor,
  describeValue,
  type Paginator,
  type PagingOptions,
  requestServerUrl,
  type TaskClient,
  type TaskKind,
  type TaskUrl,
  type Vendor,
} from '../../core/vendor.js';
import { failureFromLogs } from './failure.js';
import {
  type ListMeta,
  TASK_ID_PATTERN,
  type Task,
  TaskIdSchema,
  TaskListSchema,
  type TaskLog,
  TaskLogListSchema,
  TaskSchema,
  TaskStatusSchema,
} from './schemas.js';

export * from './schemas.js';

/**
 * A snapshot of a SoftwareOne task.
 *
 * @group Vendor
 */
export type SoftwareOneSnapshot = TaskSnapshot<Task, 'task'>;

/** A task as the vendor methods take it: its id, its URL, or a snapshot already in hand. */
export type SoftwareOneTaskLike = string | TaskUrl | SoftwareOneSnapshot;

/** Options of {@link softwareOne}'s `tasks()` and `logs()` walks. */
export interface SoftwareOneListOptions extends PagingOptions {
  /**
   * Raw RQL appended to the query string as the docs show it (not as `?rql=`): a filter and, if
   * wanted, `order=` or `select=`, e.g. `and(eq(status,Failed))&order=-audit.created.at`.
   * `limit` and `offset` in it are dropped: the walk sets them.
   */
  rql?: string | undefined;
  /** Records per page (the RQL `limit`), clamped to 1..100, the platform's maximum. Default 100. */
  pageSize?: number | undefined;
}

/** Options of {@link softwareOne}'s `result()`. */
export interface SoftwareOneResultOptions<Schema extends z.ZodType> {
  /** Validates the result (a platform object or a task-specific JSON value). Default: any JSON. */
  schema?: Schema | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * What a SoftwareOne client adds to the methods every client has.
 *
 * @group Vendor
 */
export interface SoftwareOneMethods {
  /**
   * The task's result as JSON: follows the task's `result` URI (a relative platform URI is
   * resolved against the base URL's origin), or `GET /v1/system/tasks/{id}/result` when the
   * task has none. Call it once the task has completed; pass the snapshot from `wait()` to
   * skip fetching the task again.
   */
  result<Schema extends z.ZodType = z.ZodUnknown>(
    ref: SoftwareOneTaskLike,
    options?: SoftwareOneResultOptions<Schema>,
  ): Promise<z.output<Schema>>;
  /**
   * The task's log records (`GET /v1/system/tasks/{id}/logs`), page by page. Readable by
   * `ops` and `svc` tokens only, per the docs.
   */
  logs(ref: SoftwareOneTaskLike, options?: SoftwareOneListOptions): Paginator<TaskLog, ListMeta>;
  /**
   * The tasks the token may see (`GET /v1/system/tasks`), page by page, optionally filtered with
   * RQL. A page's `next` (or `cursor`), saved as JSON and passed back as `startAt`, starts a walk again where it stopped.
   */
  tasks(options?: SoftwareOneListOptions): Paginator<Task, ListMeta>;
}

/**
 * The SoftwareOne vendor's type: {@link softwareOne}, as `createClient` reads it.
 *
 * @group Vendor
 */
export interface SoftwareOneVendor
  extends Vendor<
    'softwareone',
    (typeof TaskStatusSchema.values)[number],
    { task: TaskKind<typeof TaskSchema> },
    typeof TaskIdSchema,
    SoftwareOneMethods,
    SoftwareOneSnapshot
  > {}

/**
 * A SoftwareOne client: what `createClient(softwareOne, options)` returns.
 *
 * @group Vendor
 */
export type SoftwareOneClient = TaskClient<SoftwareOneVendor>;

/** Options of {@link softwareOneVendor}. */
export interface SoftwareOneOptions {
  /**
   * When a task ends `Failed`, read its logs (`GET /v1/system/tasks/{id}/logs`) and put the message
   * of the last `Error` record, its `{{Param}}` placeholders filled, in the snapshot's
   * `error.message`, and so in the `TaskFailedError` a `wait()` rejects with. The Task object
   * itself carries no failure text.
   *
   * The docs give log access to `ops` and `svc` tokens only. With another token, or when the logs
   * can't be read or hold no `Error` record, the error is left out as without this option; the
   * task's state never depends on it. It costs one request per failed snapshot, and up to 9 more
   * for a task with over 100 log records. Default false.
   */
  errorFromLogs?: boolean | undefined;
}

const MAX_PAGE_SIZE = 100;

// A saved page cursor: an offset into the list.
function offsetOf(cursor: unknown): number {
  if (typeof cursor === 'number' && Number.isSafeInteger(cursor) && cursor >= 0) return cursor;
  throw new ConfigError(
    'startAt',
    `softwareone: startAt must be a page's cursor (an offset, a whole number of at least 0), got ${describeValue(cursor)}`,
  );
}

// The failure text of a failed task, from its logs (see SoftwareOneOptions.errorFromLogs).
const errorOfFailed: NonNullable<TaskKind<typeof TaskSchema>['enrich']> = (snapshot, context) =>
  snapshot.state === 'failed' ? failureFromLogs(snapshot.id, context) : Promise.resolve(undefined);

const STATES = {
  Queued: 'queued',
  Blocked: 'blocked',
  Processing: 'running',
  // Put back to run again later: waiting for its turn, like a queued task.
  Rescheduled: 'queued',
  Completed: 'succeeded',
  Failed: 'failed',
  // In SoftwareOne's own mock extension's TaskStatus enum; the docs don't list it.
  Canceled: 'canceled',
  Cancelled: 'canceled',
} as const;

/**
 * The SoftwareOne Marketplace Platform Task API with options, e.g.
 * `softwareOneVendor({ errorFromLogs: true })`. Pass it to `createClient`; {@link softwareOne} is
 * `softwareOneVendor()`.
 *
 * @group Vendor
 */
export function softwareOneVendor(options: SoftwareOneOptions = {}): SoftwareOneVendor {
  const { errorFromLogs = false } = options ?? {};
  if (typeof errorFromLogs !== 'boolean') {
    throw new ConfigError(
      'errorFromLogs',
      `softwareone: errorFromLogs must be true or false, got ${typeof errorFromLogs}`,
    );
  }
  return defineVendor({
    name: 'softwareone',
    baseUrl: 'https://api.platform.softwareone.com/public',
    auth: authorization('Bearer'),
    statuses: TaskStatusSchema.values,
    states: STATES,
    // PascalCase in the JSON examples, lowercase in the prose and in SoftwareOne's mock server.
    statusMatch: 'ignoreCase',
    tasks: {
      task: defineTask({
        model: 'Task',
        schema: TaskSchema,
        status: (task) => task.status,
        ...(errorFromLogs ? { enrich: errorOfFailed } : {}),
        snapshot: (task) => {
          const status = task.status.trim().toLowerCase();
          const audit = task.audit;
          return {
            id: task.id,
            progress: typeof task.progress === 'number' ? task.progress / 100 : undefined,
            message: task.description ?? task.name,
            // The Task object has no failure text; the reason is in the task logs (ops and svc only).
            createdAt: audit?.created?.at,
            updatedAt: audit?.updated?.at,
            // A task rescheduled after an earlier run keeps old events: only an ended task has ended.
            completedAt:
              status === 'completed'
                ? audit?.completed?.at
                : status === 'failed'
                  ? (audit?.failed?.at ?? audit?.completed?.at)
                  : undefined,
            eta: task.eta,
          };
        },
      }),
    },
    ref: TaskIdSchema,
    route: (id) => ({ kind: 'task', path: ['v1', 'system', 'tasks', id] }),
    // Many tasks in one read: the task list filtered with RQL `in(id,(…))`, a page (100) at most.
    // The docs ask for quoted ids ("unquoted IDs can return no results").
    batch: defineBatch({
      max: MAX_PAGE_SIZE,
      // Stryker disable next-line StringLiteral: any one text groups every task alike
      key: (task) => (TASK_ID_PATTERN.test(task.id) ? '' : undefined),
      list: (tasks) => ({
        url: `v1/system/tasks?in(id,(${tasks.map((task) => `"${task.id}"`).join(',')}))&limit=${tasks.length}`,
        schema: TaskListSchema,
        model: 'Task list',
      }),
      found: (list) => list.data.map((task) => [task.id, task] as const),
    }),

    methods: (ctx): SoftwareOneMethods => {
      const isSnapshot = (ref: SoftwareOneTaskLike): ref is SoftwareOneSnapshot =>
        typeof ref === 'object' && ref !== null && 'raw' in ref && (ref as { vendor?: unknown }).vendor === ctx.vendor;

      // A bad id goes through ctx.get, which rejects it with the core's ConfigError before any request.
      const taskOf = async (ref: SoftwareOneTaskLike, signal?: AbortSignal): Promise<Task> =>
        isSnapshot(ref) ? ref.raw : ((await ctx.get(ref, { signal })).raw as Task);

      const idOf = async (ref: SoftwareOneTaskLike, signal?: AbortSignal): Promise<string> => {
        if (isSnapshot(ref)) return ref.id;
        const parsed = TaskIdSchema.safeParse(ref);
        return parsed.success ? parsed.data : (await taskOf(ref, signal)).id;
      };

      const walk = <Item>(
        path: (signal: AbortSignal) => Promise<string>,
        schema: typeof TaskListSchema | typeof TaskLogListSchema,
        model: string,
        options: SoftwareOneListOptions,
      ) => {
        const { rql, pageSize } = options;
        const limit = clampPageSize(pageSize);
        const filter = cleanRql(rql);
        return ctx.paginate<Item, ListMeta>(
          {
            first: 0,
            resume: offsetOf,
            async fetch(cursor, signal) {
              const query = [filter, `limit=${limit}`, `offset=${cursor as number}`].filter(Boolean).join('&');
              const { data } = await ctx.request({ url: `${await path(signal)}?${query}`, schema, model, signal });
              // Without `$meta` or its `total` there is no telling what follows: this is the last page.
              const { offset = cursor as number, total } = data.$meta?.pagination ?? {};
              const end = offset + data.data.length;
              return {
                items: data.data as Item[],
                meta: data.$meta ?? {},
                next: data.data.length > 0 && typeof total === 'number' && end < total ? end : undefined,
              };
            },
          },
          // Every paging option goes as given: the paginator reads its own.
          options,
        );
      };

      return {
        async result<Schema extends z.ZodType = z.ZodUnknown>(
          ref: SoftwareOneTaskLike,
          options: SoftwareOneResultOptions<Schema> = {},
        ): Promise<z.output<Schema>> {
          const task = await taskOf(ref, options.signal);
          const request = { schema: options.schema ?? z.unknown(), model: 'task result', signal: options.signal };
          // The `result` URI is the server's word: one the token may not follow is its fault.
          const { data } =
            typeof task.result === 'string' && task.result.trim() !== ''
              ? await requestServerUrl(
                  ctx,
                  // Stryker disable next-line MethodExpression: equivalent, the URL parser strips the spaces too
                  { ...request, url: task.result.trim() },
                  {
                    model: 'Task',
                    field: 'result',
                    url: `${ctx.baseUrl}v1/system/tasks/${encodeURIComponent(task.id)}`,
                  },
                )
              : await ctx.request({ ...request, path: ['v1', 'system', 'tasks', task.id, 'result'] });
          return data as z.output<Schema>;
        },

        logs(ref: SoftwareOneTaskLike, options: SoftwareOneListOptions = {}) {
          // Resolved once per walk: a URL reference costs one task fetch, not one per page.
          let id: Promise<string> | undefined;
          return walk<TaskLog>(
            async (signal) => {
              id ??= idOf(ref, signal);
              return `v1/system/tasks/${encodeURIComponent(await id)}/logs`;
            },
            TaskLogListSchema,
            'TaskLog list',
            options,
          );
        },

        tasks(options: SoftwareOneListOptions = {}) {
          return walk<Task>(async () => 'v1/system/tasks', TaskListSchema, 'Task list', options);
        },
      };
    },
  });
}

/**
 * The SoftwareOne Marketplace Platform Task API. Pass it to `createClient`; see {@link softwareOneVendor} for options.
 *
 * @group Vendor
 */
export const softwareOne: SoftwareOneVendor = softwareOneVendor();

function clampPageSize(value: number | undefined): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return MAX_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(value)));
}

// The walk owns limit and offset; "#" would start a fragment and cut the query.
function cleanRql(rql: string | undefined): string {
  return (rql ?? '')
    .trim()
    .split('&')
    .filter((part) => part !== '' && part !== '?' && !/^\??(limit|offset)=/i.test(part))
    .join('&')
    .replace(/^\?/, '')
    .replace(/#/g, '%23');
}
