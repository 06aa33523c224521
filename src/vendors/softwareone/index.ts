/**
 * SoftwareOne Marketplace Platform, Task API: `GET /v1/system/tasks/{id}` below
 * `https://api.platform.softwareone.com/public`, with `Authorization: Bearer <token>`.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { softwareOne } from 'taskwait/softwareone';
 * const client = createClient(softwareOne, { token: process.env.SWO_TOKEN });
 * const done = await client.wait('TSK-0001-2474-4798-1266');
 * const buyer = await client.result(done);
 * ```
 *
 * @module taskwait/softwareone
 */
import { z } from 'zod';
import type { TaskSnapshot } from '../../core/lifecycle.js';
import {
  authorization,
  defineBatch,
  defineTask,
  defineVendor,
  type PagingOptions,
  type TaskUrl,
} from '../../core/vendor.js';
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

/** A snapshot of a SoftwareOne task. */
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
  rql?: string;
  /** Records per page (the RQL `limit`), clamped to 1..100, the platform's maximum. Default 100. */
  pageSize?: number;
}

/** Options of {@link softwareOne}'s `result()`. */
export interface SoftwareOneResultOptions<Schema extends z.ZodType> {
  /** Validates the result (a platform object or a task-specific JSON value). Default: any JSON. */
  schema?: Schema;
  signal?: AbortSignal;
}

const MAX_PAGE_SIZE = 100;

/** The SoftwareOne Marketplace Platform Task API. Pass it to `createClient`. */
export const softwareOne = defineVendor({
  name: 'softwareone',
  baseUrl: 'https://api.platform.softwareone.com/public',
  auth: authorization('Bearer'),
  statuses: TaskStatusSchema.values,
  states: {
    Queued: 'queued',
    Blocked: 'blocked',
    Processing: 'running',
    // Put back to run again later: waiting for its turn, like a queued task.
    Rescheduled: 'queued',
    Completed: 'succeeded',
    Failed: 'failed',
  },
  // PascalCase in the JSON examples, lowercase in the prose and in SoftwareOne's mock server.
  statusMatch: 'ignoreCase',
  tasks: {
    task: defineTask({
      model: 'Task',
      schema: TaskSchema,
      status: (task) => task.status,
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
    key: (task) => (TASK_ID_PATTERN.test(task.id) ? '' : undefined),
    list: (tasks) => ({
      url: `v1/system/tasks?in(id,(${tasks.map((task) => `"${task.id}"`).join(',')}))&limit=${tasks.length}`,
      schema: TaskListSchema,
      model: 'Task list',
    }),
    found: (list) => list.data.map((task) => [task.id, task] as const),
  }),

  methods: (ctx) => {
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
      const { rql, pageSize, ...paging } = options;
      const limit = clampPageSize(pageSize);
      const filter = cleanRql(rql);
      return ctx.paginate<Item, ListMeta>(
        {
          first: 0,
          async fetch(cursor, signal) {
            const query = [filter, `limit=${limit}`, `offset=${cursor as number}`].filter(Boolean).join('&');
            const { data } = await ctx.request({ url: `${await path(signal)}?${query}`, schema, model, signal });
            const { offset, total } = data.$meta.pagination;
            const end = offset + data.data.length;
            return {
              items: data.data as Item[],
              meta: data.$meta,
              next: data.data.length > 0 && end < total ? end : undefined,
            };
          },
        },
        paging,
      );
    };

    return {
      /**
       * The task's result as JSON: follows the task's `result` URI (a relative platform URI is
       * resolved against the base URL's origin), or `GET /v1/system/tasks/{id}/result` when the
       * task has none. Call it once the task has completed; pass the snapshot from `wait()` to
       * skip fetching the task again.
       */
      async result<Schema extends z.ZodType = z.ZodUnknown>(
        ref: SoftwareOneTaskLike,
        options: SoftwareOneResultOptions<Schema> = {},
      ): Promise<z.output<Schema>> {
        const task = await taskOf(ref, options.signal);
        const target =
          typeof task.result === 'string' && task.result.trim() !== ''
            ? { url: task.result.trim() }
            : { path: ['v1', 'system', 'tasks', task.id, 'result'] };
        const { data } = await ctx.request({
          ...target,
          schema: options.schema ?? z.unknown(),
          model: 'task result',
          signal: options.signal,
        });
        return data as z.output<Schema>;
      },

      /**
       * The task's log records (`GET /v1/system/tasks/{id}/logs`), page by page. Readable by
       * `ops` and `svc` tokens only, per the docs.
       */
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

      /** The tasks the token may see (`GET /v1/system/tasks`), page by page, optionally filtered with RQL. */
      tasks(options: SoftwareOneListOptions = {}) {
        return walk<Task>(async () => 'v1/system/tasks', TaskListSchema, 'Task list', options);
      },
    };
  },
});

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
