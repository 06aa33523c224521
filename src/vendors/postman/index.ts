/**
 * Postman API tasks at `https://api.getpostman.com`, with `x-api-key: PMAK-…`:
 *
 * | kind | endpoint | started by |
 * |---|---|---|
 * | `api-task` | `GET /apis/{apiId}/tasks/{taskId}` (`Accept: application/vnd.api.v10+json`); from the seed and Postman's API reference, as API 1.45.0 keeps only its schema | API Builder: create a version, sync a collection |
 * | `collection-update` | `GET /collection-updates-tasks/{taskId}` | `PUT /collections/{id}` with `Prefer: respond-async` |
 * | `collection-merge` | `GET /collection-merges-tasks/{taskId}` | `PUT /collection-merges` (merge or pull a fork) |
 * | `collection-duplicate` | `GET /collection-duplicate-tasks/{taskId}` | `POST /collections/{id}/duplicates` |
 * | `element-task` | `GET /{elementType}/{elementId}/tasks/{taskId}` | generating a spec or a collection |
 *
 * Postman answers a 429 with `X-RateLimit-RetryAfter` / `RetryAfter` (seconds); the poller honours both.
 * A key may make 300 requests per minute: every client's request budget paces to that by default,
 * and reads the `RateLimit` / `X-RateLimit-*` headers to stay under it.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { postman } from 'taskwait/postman';
 *
 * const client = createClient(postman, { token: process.env.POSTMAN_TOKEN });
 * await client.wait({ apiId: 'a1b2', taskId: '66ae9950-0869-4e65-96b0-1e0e47e771af' });
 * await client.wait({ kind: 'collection-update', taskId: '66ae9950-0869-4e65-96b0-1e0e47e771af' });
 * await client.wait(response.headers.get('location') as `https://${string}`); // a 202's Location
 * ```
 *
 * @module taskwait/postman
 */
import { isTerminal, type TaskSnapshot, type TaskState } from '../../core/lifecycle.js';
import {
  apiKeyHeader,
  defineTask,
  defineVendor,
  type SnapshotFields,
  type TaskClient,
  type TaskKind,
  type Vendor,
} from '../../core/vendor.js';
import {
  AsyncTaskFailedStatusSchema,
  type Details,
  type DuplicateCollectionResponse,
  DuplicateCollectionResponseSchema,
  type GetAsyncCollectionTaskStatus,
  GetAsyncCollectionTaskStatusSchema,
  type GetCollectionUpdatesTasks,
  GetCollectionUpdatesTasksSchema,
  GetCollectionUpdatesTasksStatusSchema,
  type GetStatusOfAnAsyncTask,
  GetStatusOfAnAsyncTaskSchema,
  GetStatusOfAnAsyncTaskStatusSchema,
  PostmanTaskRefSchema,
  type TaskStatusResponse,
  TaskStatusResponseSchema,
  TaskStatusResponseStatusSchema,
  TaskStatusSchema,
} from './schemas.js';

export * from './schemas.js';

const DOCUMENTED = [
  ...GetStatusOfAnAsyncTaskStatusSchema.values,
  ...GetCollectionUpdatesTasksStatusSchema.values,
  ...TaskStatusResponseStatusSchema.values,
  ...TaskStatusSchema.values,
  ...AsyncTaskFailedStatusSchema.values,
] as const;

/**
 * A status some Postman task kind documents.
 *
 * @useDeclaredType
 */
export type PostmanStatus = (typeof DOCUMENTED)[number];

/** Every status any Postman task kind documents, once each. */
export const POSTMAN_STATUSES: readonly PostmanStatus[] = [...new Set(DOCUMENTED)];

/**
 * How each Postman status maps onto the canonical lifecycle; one table serves every kind.
 *
 * No Postman task tells waiting from working: `pending`, `in-progress` and `processing` are each
 * the only non-terminal status of their kinds, so all three are `running`.
 */
export const POSTMAN_STATES = {
  pending: 'running',
  'in-progress': 'running',
  processing: 'running',
  completed: 'succeeded',
  successful: 'succeeded',
  failed: 'failed',
} as const satisfies Record<PostmanStatus, TaskState>;

/** The Accept header the `/apis` endpoints require. */
export const POSTMAN_V10_ACCEPT = 'application/vnd.api.v10+json';

/** The first path segment of each collection task kind. */
const COLLECTION_TASK_PATHS = {
  'collection-update': 'collection-updates-tasks',
  'collection-merge': 'collection-merges-tasks',
  'collection-duplicate': 'collection-duplicate-tasks',
} as const;

type CollectionKind = keyof typeof COLLECTION_TASK_PATHS;

const terminal = (status: string | undefined): boolean =>
  // Stryker disable next-line ConditionalExpression: equivalent, isTerminal is false for any value that is not a state.
  status !== undefined && Object.hasOwn(POSTMAN_STATES, status) && isTerminal(POSTMAN_STATES[status as PostmanStatus]);

// Postman has no end time; the last update of a finished task is when it ended.
const times = (status: string | undefined, createdAt?: string, updatedAt?: string): Partial<SnapshotFields> => ({
  createdAt,
  updatedAt,
  completedAt: terminal(status) ? updatedAt : undefined,
});

// Only an error message that is text is read: the spec's open `details` lets anything through.
const detailsError = (details: Details | undefined): string | undefined => {
  const error = details?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : undefined;
};

const apiTask = defineTask({
  model: 'GetStatusOfAnAsyncTask',
  schema: GetStatusOfAnAsyncTaskSchema,
  headers: { Accept: POSTMAN_V10_ACCEPT },
  status: (task) => task.status,
  snapshot: (task) => ({
    id: task.id ?? '',
    error: detailsError(task.details),
    ...times(task.status, task.createdAt, task.updatedAt),
  }),
});

const collectionUpdate = defineTask({
  model: 'GetCollectionUpdatesTasks',
  schema: GetCollectionUpdatesTasksSchema,
  status: (task) => task.status,
  snapshot: (task) => ({ id: task.id ?? '' }),
});

const collectionMerge = defineTask({
  model: 'TaskStatusResponse',
  schema: TaskStatusResponseSchema,
  status: (task) => task.status,
  snapshot: (task) => ({ id: task.id ?? '', error: task.details?.error?.message }),
});

const collectionDuplicate = defineTask({
  model: 'DuplicateCollectionResponse',
  schema: DuplicateCollectionResponseSchema,
  status: (body) => body.task?.status,
  snapshot: (body) => ({ id: body.task?.id ?? '', error: body.task?.reason }),
});

const elementTask = defineTask({
  model: 'GetAsyncCollectionTaskStatus',
  schema: GetAsyncCollectionTaskStatusSchema,
  status: (task) => task.status,
  snapshot: (task) => {
    // The "Async Task Failed" form: its details are the error text, and it only ever means failure,
    // so it ends the wait even when its status is missing or one this version doesn't know.
    if (typeof task.details === 'string') {
      const known = task.status !== undefined && Object.hasOwn(POSTMAN_STATES, task.status);
      return { id: '', error: task.details, state: known ? undefined : 'failed' };
    }
    return { id: '', error: detailsError(task.details) };
  },
});

const tasks = {
  'api-task': apiTask,
  'collection-update': collectionUpdate,
  'collection-merge': collectionMerge,
  'collection-duplicate': collectionDuplicate,
  'element-task': elementTask,
};

/**
 * The name of a Postman task kind, e.g. `'collection-update'`: a snapshot's `kind`.
 *
 * @useDeclaredType
 */
export type PostmanTaskKind = keyof typeof tasks;

/**
 * A Postman task as a client sees it, told apart by `kind`; `raw` is that kind's model.
 *
 * @group Vendor
 */
export type PostmanSnapshot =
  | TaskSnapshot<GetStatusOfAnAsyncTask, 'api-task'>
  | TaskSnapshot<GetCollectionUpdatesTasks, 'collection-update'>
  | TaskSnapshot<TaskStatusResponse, 'collection-merge'>
  | TaskSnapshot<DuplicateCollectionResponse, 'collection-duplicate'>
  | TaskSnapshot<GetAsyncCollectionTaskStatus, 'element-task'>;

/** The task kinds of {@link postman}. (A type, not an interface: a vendor's kinds are a record of task kinds.) */
export type PostmanKinds = {
  'api-task': TaskKind<typeof GetStatusOfAnAsyncTaskSchema>;
  'collection-update': TaskKind<typeof GetCollectionUpdatesTasksSchema>;
  'collection-merge': TaskKind<typeof TaskStatusResponseSchema>;
  'collection-duplicate': TaskKind<typeof DuplicateCollectionResponseSchema>;
  'element-task': TaskKind<typeof GetAsyncCollectionTaskStatusSchema>;
};

/**
 * The Postman vendor's type: {@link postman}, as `createClient` reads it. It adds no methods.
 *
 * @group Vendor
 */
export interface PostmanVendor
  extends Vendor<'postman', PostmanStatus, PostmanKinds, typeof PostmanTaskRefSchema, object, PostmanSnapshot> {}

/**
 * A Postman client: what `createClient(postman, options)` returns.
 *
 * @group Vendor
 */
export type PostmanClient = TaskClient<PostmanVendor>;

/**
 * The Postman vendor. References: `{ apiId, taskId }`, `{ kind: 'collection-update' | 'collection-merge' |
 * 'collection-duplicate', taskId }`, `{ elementType: 'collections' | 'specs', elementId, taskId }`, or an
 * absolute task URL (a 202's `Location`), whose path picks the kind.
 *
 * @group Vendor
 */
export const postman: PostmanVendor = defineVendor({
  name: 'postman',
  baseUrl: 'https://api.getpostman.com',
  // Postman's own task and resource URLs (meta.url, Location) name api.postman.com too.
  trustedOrigins: ['https://api.postman.com'],
  auth: apiKeyHeader('x-api-key'),
  statuses: POSTMAN_STATUSES,
  states: POSTMAN_STATES,
  tasks,
  ref: PostmanTaskRefSchema,
  route: (ref) => {
    if ('apiId' in ref) return { kind: 'api-task', path: ['apis', ref.apiId, 'tasks', ref.taskId] };
    if ('elementId' in ref) {
      return { kind: 'element-task', path: [ref.elementType, ref.elementId, 'tasks', ref.taskId] };
    }
    return { kind: ref.kind, path: [COLLECTION_TASK_PATHS[ref.kind], ref.taskId] };
  },
  routeUrl: (url) => kindOfPath(url.pathname),
  retryAfterHeaders: ['X-RateLimit-RetryAfter', 'RetryAfter'],
  // "Access to the API using a key is limited to 300 requests per minute."
  rateLimit: { requestsPerSecond: 300 / 60 },
});

/**
 * The task kind a Postman task URL's path names, read from its end so a proxy prefix doesn't
 * matter. A path that names none is taken for an API task.
 */
export function kindOfPath(pathname: string): PostmanTaskKind {
  const segments = pathname.split('/').filter(Boolean);
  const parent = segments[segments.length - 2];
  for (const [kind, path] of Object.entries(COLLECTION_TASK_PATHS)) {
    if (parent === path) return kind as CollectionKind;
  }
  if (parent === 'tasks' && segments.length >= 4 && segments[segments.length - 4] !== 'apis') return 'element-task';
  return 'api-task';
}
