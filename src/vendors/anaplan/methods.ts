/**
 * The Anaplan client's own methods: task lists (offset paging on `meta.paging`) and starting
 * tasks.
 *
 * @module
 */
import type { z } from 'zod';
import {
  ConfigError,
  describeValue,
  type Paginator,
  PagingError,
  type PagingOptions,
  ResponseValidationError,
  type VendorContext,
  type VendorResponse,
} from '../../core/vendor.js';
import { SyncTaskListResponseSchema } from './alm-schemas.js';
import {
  ACTION_TYPES,
  type ActionType,
  type AlmKind,
  AnaplanActionRef,
  type AnaplanActionTaskRef,
  type AnaplanAlmTaskRef,
  actionPath,
  actionTypeFor,
} from './refs.js';
import {
  type Meta,
  type Paging,
  type TaskCreatedResponse,
  TaskCreatedResponseSchema,
  TaskListResponseSchema,
  type TaskSummary,
  type TaskWithUrl,
  TaskWithUrlSchema,
} from './schemas.js';

/** Options of `tasks()` and `almTasks()`: the list's query plus the walk's options. */
export interface AnaplanTaskListOptions extends PagingOptions {
  /** Tasks per page (query `limit`). Anaplan's default and ceiling is 5000, and it may send fewer. */
  limit?: number | undefined;
  /** Where to start (query `offset`). Default 0. */
  offset?: number | undefined;
  /** Sort order (query `sort`), e.g. `"-creationTime"` for the newest first. */
  sort?: string | undefined;
}

/** The ALM task a `startAlm()` makes: which revision of which model to sync, or to report on. */
export interface AnaplanAlmTaskRequest {
  /** The target model (the request path's model). */
  modelId: string;
  kind: AlmKind;
  sourceRevisionId: string;
  sourceModelId: string;
  targetRevisionId: string;
}

// What both list responses share: import task lists answer `task`, the others `tasks`.
type ListPage = {
  meta?: Meta | undefined;
  tasks?: TaskSummary[] | undefined;
  task?: TaskSummary | TaskSummary[] | undefined;
};

type Context = Pick<VendorContext<unknown, unknown>, 'vendor' | 'request' | 'paginate'>;

/**
 * What an Anaplan client adds to the methods every client has.
 *
 * @group Vendor
 */
export interface AnaplanMethods {
  /**
   * The tasks of one bulk action (`GET …/{imports|exports|actions|processes}/{actionId}/tasks`),
   * page by page on `meta.paging`. Iterate with `for await`, or whole pages with `.pages()`. A
   * page's `next` (or `cursor`), saved as JSON and passed back as `startAt`, starts a walk again where it stopped.
   *
   * @example `for await (const t of client.tasks({ workspaceId, modelId, actionId: '118000000002' })) console.log(t.taskId, t.taskState);`
   */
  tasks(action: AnaplanActionRef, options?: AnaplanTaskListOptions): Paginator<TaskSummary, Meta | undefined>;
  /**
   * The ALM sync tasks of a model that are running or ended in the last 48 hours
   * (`GET /models/{modelId}/alm/syncTasks`). Report tasks have no list endpoint.
   *
   * @example `const recent = await client.almTasks({ modelId }).toArray({ limit: 50 });`
   */
  almTasks(
    target: { modelId: string; kind?: 'syncTasks' | undefined },
    options?: AnaplanTaskListOptions,
  ): Paginator<TaskSummary, Meta | undefined>;
  /**
   * Starts a bulk action (`POST …/{actionType}/{actionId}/tasks` with `{ localeName }`) and
   * returns the reference of its task, ready for `wait`.
   *
   * @example `const done = await client.wait(await client.start({ workspaceId, modelId, actionId: '112000000007' }));`
   */
  start(
    action: AnaplanActionRef,
    options?: { localeName?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<AnaplanStartedTask>;
  /**
   * Starts an ALM sync, comparison report or summary report task
   * (`POST /models/{modelId}/alm/{kind}`) and returns the reference of its task.
   *
   * @example `const sync = await client.wait(await client.startAlm({ modelId, kind: 'syncTasks', sourceRevisionId, sourceModelId, targetRevisionId }));`
   */
  startAlm(request: AnaplanAlmTaskRequest, options?: { signal?: AbortSignal | undefined }): Promise<AnaplanAlmTaskRef>;
}

/** The reference of a bulk action task `start()` began: the action's ids, its type, and the task id. */
export interface AnaplanStartedTask {
  workspaceId: string;
  modelId: string;
  actionId: string;
  actionType: ActionType;
  taskId: string;
}

/** Builds the methods `createClient(anaplan)` adds. */
export function anaplanMethods(ctx: Context): AnaplanMethods {
  // Offset paging: the next page starts where `meta.paging` says this one ends.
  const list = (path: string[], schema: z.ZodType<ListPage>, model: string, options: AnaplanTaskListOptions) => {
    const { limit, offset = 0, sort } = options;
    checkWhole(ctx.vendor, 'offset', offset, 0);
    if (limit !== undefined) checkWhole(ctx.vendor, 'limit', limit, 1);
    let fetched = 0;
    return ctx.paginate<TaskSummary, Meta | undefined>(
      {
        first: offset,
        // A saved page cursor is an offset, as `offset` is.
        resume(cursor) {
          checkWhole(ctx.vendor, 'startAt', cursor, 0);
          return cursor;
        },
        async fetch(cursor, pageSignal) {
          // The page before pointed nowhere sensible: its items were handed out, the walk ends here.
          if (typeof cursor === 'object' && cursor !== null) {
            throw new PagingError(`${ctx.vendor}: paging stopped: ${(cursor as Refused).refused}`, fetched);
          }
          fetched += 1;
          const { data } = await ctx.request({
            path,
            query: { limit, offset: cursor as number, sort },
            schema,
            model,
            signal: pageSignal,
          });
          const items = data.tasks ?? (data.task === undefined ? [] : [data.task].flat());
          return { items, meta: data.meta, next: nextOffset(data.meta?.paging, cursor as number) };
        },
      },
      // Every paging option goes as given: the paginator reads its own.
      options,
    );
  };

  return {
    tasks(action, options = {}) {
      return list(actionPath(parseAction(ctx.vendor, action)), TaskListResponseSchema, 'TaskListResponse', options);
    },

    almTasks(target, options = {}) {
      if (typeof target?.modelId !== 'string' || target.modelId.trim() === '') {
        throw new ConfigError(
          'target',
          `${ctx.vendor}: almTasks needs { modelId }, the model whose sync tasks to list`,
        );
      }
      const path = ['models', target.modelId, 'alm', target.kind ?? 'syncTasks'];
      return list(path, SyncTaskListResponseSchema, 'SyncTaskListResponse', options);
    },

    async start(action, options = {}) {
      const parsed = parseAction(ctx.vendor, action);
      const response = await ctx.request({
        method: 'POST',
        path: actionPath(parsed),
        body: { localeName: options.localeName ?? 'en_US' },
        schema: TaskCreatedResponseSchema,
        model: 'TaskWithUrl',
        signal: options.signal,
      });
      const taskId = taskIdOf(ctx.vendor, response);
      return { ...parsed, actionType: actionTypeFor(parsed), taskId } satisfies AnaplanActionTaskRef;
    },

    async startAlm(request, options = {}) {
      const { modelId, kind, sourceRevisionId, sourceModelId, targetRevisionId } = request;
      const response = await ctx.request({
        method: 'POST',
        path: ['models', modelId, 'alm', kind],
        body: { sourceRevisionId, sourceModelId, targetRevisionId },
        schema: TaskCreatedResponseSchema,
        model: 'TaskWithUrl',
        signal: options.signal,
      });
      return { modelId, kind, taskId: taskIdOf(ctx.vendor, response) };
    },
  };
}

// The envelope's `task` when the answer has one, else the answer itself. The spec requires
// neither `taskId` nor `taskUrl`, but a task without either can't be waited on.
function taskIdOf(vendor: string, response: VendorResponse<TaskCreatedResponse>): string {
  const { data } = response;
  const enveloped = data.task === undefined ? undefined : TaskWithUrlSchema.safeParse(data.task).data;
  const idIn = (task: TaskWithUrl | undefined) => task?.taskId?.trim() || lastSegment(task?.taskUrl);
  const id = idIn(enveloped) || idIn(data);
  if (id) return id;
  const at = enveloped ? ['task'] : [];
  throw new ResponseValidationError({
    vendor,
    model: 'TaskWithUrl',
    reason: 'schema',
    issues: [{ path: [...at, 'taskId'], message: 'the created task has neither a taskId nor a taskUrl to wait on' }],
    url: response.url,
    status: response.status,
  });
}

function lastSegment(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const segment = path.split('/').filter(Boolean).pop();
  if (!segment || /^https?:$/i.test(segment)) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A next page that is not asked for, and why. */
interface Refused {
  refused: string;
}

// The next page starts where this one ends. A server whose paging would send the walk backwards,
// below 0 (which the spec forbids) or nowhere is not followed: after this page's items, the walk
// ends with a PagingError.
function nextOffset(paging: Paging | undefined, current: number): number | Refused | undefined {
  if (!paging) return undefined;
  const next = paging.offset + paging.currentPageSize;
  if (!Number.isSafeInteger(next) || next >= paging.totalSize) return undefined;
  if (next >= 0 && next > current) return next;
  return {
    refused: `the page at offset ${current} says offset ${paging.offset} and currentPageSize ${paging.currentPageSize}, so the next offset would be ${next}, which is not past ${current}`,
  };
}

function parseAction(vendor: string, action: unknown): z.output<typeof AnaplanActionRef> {
  const parsed = AnaplanActionRef.safeParse(action);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
  throw new ConfigError(
    'action',
    `${vendor}: bad action ${detail.join('; ')} (an action is { workspaceId, modelId, actionId, actionType? }; actionType is one of ${ACTION_TYPES.join(', ')})`,
  );
}

function checkWhole(vendor: string, name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(
      name,
      `${vendor}: ${name} must be a whole number of at least ${min}, got ${describeValue(value)}`,
    );
  }
}
