/**
 * The Layer IQ Public API (IT-asset inventory): bulk ingest, normalize, bulk update and bulk
 * delete run as tasks. `import { layerIq } from 'taskwait/layer-iq'`.
 *
 * @module taskwait/layer-iq
 */
import { z } from 'zod';
import type { TaskState } from '../../core/lifecycle.js';
import { type AuthScheme, apiKeyHeader, authorization, defineTask, defineVendor } from '../../core/vendor.js';
import { type IngestOptions, type IngestRow, ingestBatches } from './ingest.js';
import { type CollectionOptions, type IssueOptions, isRunNotice, walkCollection } from './paging.js';
import {
  NormalizedRowSchema,
  type Task,
  type TaskIssue,
  TaskIssueSchema,
  TaskSchema,
  TaskStatusSchema,
  type WebhookEvent,
  type WebhookEventData,
} from './schemas.js';
import { type AbsoluteTaskUrl, type LayerIqTaskRef, resolveApiUrl, TASK_PATH } from './urls.js';
import { type VerifyWebhookOptions, verifyWebhook } from './webhook.js';

export { type IngestBatch, type IngestOptions, type IngestRow, MAX_INGEST_BATCH } from './ingest.js';
export { type CollectionOptions, type IssueOptions, type IssueScope, isRunNotice } from './paging.js';
export * from './schemas.js';
export { type AbsoluteTaskUrl, type LayerIqTaskRef, resolveApiUrl } from './urls.js';
export {
  SIGNATURE_HEADER,
  type SignWebhookOptions,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookFailure,
  WebhookVerificationError,
} from './webhook.js';

/** The production base URL. */
export const LAYER_IQ_BASE_URL = 'https://api.layer-iq.com/api/v1/public';

/**
 * Layer IQ's two credentials: an API key (`liq_live_…`, `liq_test_…`) goes in `X-API-Key`;
 * anything else is taken for an app session JWT and sent as `Authorization: Bearer <jwt>`.
 */
export const layerIqAuth: AuthScheme = (token) =>
  token.startsWith('liq_') ? apiKeyHeader('X-API-Key')(token) : authorization('Bearer')(token);

const COUNTERS = ['received', 'inserted', 'updated', 'skipped', 'failed', 'deleted', 'retired'] as const;

const isError = (issue: TaskIssue) => issue.severity === 'ERROR';

/**
 * A `COMPLETE` task is `partial` when rows failed (`counts.failed > 0`) or its embedded issues
 * hold an `ERROR`. Inline issues of normalized rows don't count: a NORMALIZE preview reports them
 * as its result.
 */
function stateOf(task: Task): TaskState | undefined {
  if (task.status !== 'COMPLETE') return undefined;
  return (task.counts.failed ?? 0) > 0 || task.issues?.data?.some(isError) ? 'partial' : undefined;
}

function errorOf(task: Task, state: TaskState | undefined) {
  if (task.error) return task.error;
  if (state !== 'partial') return undefined;
  const failed = task.counts.failed ?? 0;
  if (failed > 0) return `${failed} of ${task.counts.received ?? '?'} rows failed`;
  const issue = task.issues?.data?.find(isError);
  return issue ? { message: issue.message, code: issue.code } : undefined;
}

function describe(task: Task): string {
  const counts = COUNTERS.filter((k) => typeof task.counts[k] === 'number').map((k) => `${task.counts[k]} ${k}`);
  return counts.length > 0 ? `${task.mode}: ${counts.join(', ')}` : task.mode;
}

/**
 * The Layer IQ vendor. The task status path is not documented: a task id is looked up at
 * `GET /tasks/{taskId}` (an assumption); a 202's `Location` URL, or a webhook's `taskUrl`, is
 * followed as given.
 *
 * @example
 * ```ts
 * import { createClient } from 'taskwait';
 * import { layerIq } from 'taskwait/layer-iq';
 * const layer = createClient(layerIq, { token: process.env.LAYER_IQ_API_KEY });
 * for (const ref of await layer.ingest(rows)) {
 *   const done = await layer.wait(ref);
 *   for await (const issue of layer.issues(ref, { scope: 'rows' })) console.log(issue.rowIndex, issue.message);
 * }
 * ```
 */
export const layerIq = defineVendor({
  name: 'layer-iq',
  baseUrl: LAYER_IQ_BASE_URL,
  auth: layerIqAuth,
  statuses: TaskStatusSchema.values,
  states: {
    QUEUED: 'queued',
    RUNNING: 'running',
    COMPLETE: 'succeeded',
    FAILED: 'failed',
    CANCELED: 'canceled',
  },
  tasks: {
    task: defineTask({
      model: 'Task',
      schema: TaskSchema,
      status: (task) => task.status,
      snapshot: (task) => {
        const state = stateOf(task);
        return {
          id: task.taskId,
          state,
          progress: task.progress,
          message: describe(task),
          error: errorOf(task, state),
          createdAt: task.createdAt,
          updatedAt: task.updatedAt,
          completedAt: task.completedAt,
        };
      },
    }),
  },
  ref: z.string().min(1),
  route: (taskId) => ({ kind: 'task', path: [TASK_PATH, taskId] }),
  methods: (ctx) => ({
    /**
     * The task's issues, page by page: the first page embedded in the task, later ones asked for
     * with `pageParam` (default `issuesPage`). `scope: 'rows'` keeps per-row outcomes,
     * `'run'` run-level notices (`rowIndex < 0`).
     *
     * @example
     * ```ts
     * for await (const issue of layer.issues(taskId)) console.log(issue.code);
     * const first100 = await layer.issues(taskId).toArray({ limit: 100 });
     * ```
     */
    issues(ref: LayerIqTaskRef, options: IssueOptions = {}) {
      const scope = options.scope ?? 'all';
      const keep = (issue: TaskIssue) => scope === 'all' || (scope === 'run') === isRunNotice(issue);
      return walkCollection(ctx, ref, 'issues', TaskIssueSchema, options, keep);
    },

    /**
     * The cleaned rows of a NORMALIZE task, with their inline issues, page by page (later pages
     * asked for with `pageParam`, default `normalizedRowsPage`). They can be passed to `ingest()`.
     */
    normalizedRows(ref: LayerIqTaskRef, options: CollectionOptions = {}) {
      return walkCollection(ctx, ref, 'normalizedRows', NormalizedRowSchema, options);
    },

    /**
     * Imports rows (an array or any iterable or async iterable) through `POST /assets/ingest`, in
     * batches of at most 10,000, one request at a time, holding one batch in memory.
     *
     * @returns one task reference per batch, for `wait()`. If a later batch fails, the earlier
     *   ones were accepted: use {@link ingestBatches} to see each reference as it arrives.
     */
    async ingest(rows: Iterable<IngestRow> | AsyncIterable<IngestRow>, options?: IngestOptions): Promise<string[]> {
      const refs: string[] = [];
      for await (const batch of ingestBatches(ctx, rows, options)) refs.push(batch.ref);
      return refs;
    },

    /**
     * Like `ingest()`, yielding each accepted batch (`{ index, rows, taskId, location, ref }`)
     * as soon as the server accepts it. A `break` stops the import.
     */
    ingestBatches(rows: Iterable<IngestRow> | AsyncIterable<IngestRow>, options?: IngestOptions) {
      return ingestBatches(ctx, rows, options);
    },

    /**
     * The task reference of a webhook delivery: its relative `taskUrl`, resolved against the
     * base URL (a path outside the base URL's path is read as relative to it).
     */
    webhookRef(event: WebhookEvent | WebhookEventData): AbsoluteTaskUrl {
      const data = typeof event.taskUrl === 'string' ? event : (event as WebhookEvent).data;
      return resolveApiUrl((data as WebhookEventData).taskUrl, ctx.baseUrl);
    },

    /**
     * Verifies a webhook delivery ({@link verifyWebhook}: signature, timestamp, body), then wakes
     * this client's pending waits on its task (`client.wake`): they poll it at once, and end on
     * what that poll reads, never on the push alone. Waits started with the task's id and waits
     * started with its URL are both woken.
     *
     * @returns the verified event, and how many waits were woken (0 when none awaits its task).
     * @throws {@link WebhookVerificationError} for a delivery that must not be trusted: nothing is woken.
     * @example
     * ```ts
     * // In a node:http handler, with the raw body:
     * try {
     *   await layer.wakeFromWebhook({ payload: body, header: req.headers['x-layeriq-signature'], secret });
     *   res.writeHead(204).end();
     * } catch (error) {
     *   res.writeHead(error instanceof WebhookVerificationError ? 400 : 500).end();
     * }
     * ```
     */
    async wakeFromWebhook(options: VerifyWebhookOptions): Promise<{ event: WebhookEvent; woken: number }> {
      const event = await verifyWebhook(options);
      const byUrl = resolveApiUrl(event.data.taskUrl, ctx.baseUrl);
      const byId = resolveApiUrl(`/${TASK_PATH}/${encodeURIComponent(event.data.taskId)}`, ctx.baseUrl);
      const woken = ctx.wake(byUrl) + (byId === byUrl ? 0 : ctx.wake(byId));
      return { event, woken };
    },
  }),
});
