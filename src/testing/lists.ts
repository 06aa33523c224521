/**
 * Task lists for the fake servers, the ones the vendors' batched reads use: SoftwareOne's task
 * list filtered by RQL `in(id,(…))`, and an Anaplan action's task list. Each task listed is
 * rendered as its own GET would render it, and counts as one of its polls.
 *
 * @module
 */
import type { FakeRoute, FakeRouteContext } from './backend.js';
import { anaplanFake } from './fakes/anaplan.js';
import { softwareOneFake } from './fakes/softwareone.js';
import type { AnyFakeTask } from './task.js';

/** Options of {@link softwareOneTaskList}. */
export interface SoftwareOneTaskListRouteOptions {
  /** Ids the list never answers, as if the list could not see them: their reads fall back to a GET. */
  leaveOut?: readonly string[] | undefined;
}

/**
 * `GET /v1/system/tasks?in(id,("TSK-…","TSK-…"))&limit=…`: the SoftwareOne tasks the RQL filter
 * names, as `{ $meta: { pagination }, data }`.
 *
 * @example
 * ```ts
 * const server = await startFakeServer({ tasks, routes: [softwareOneTaskList()] });
 * ```
 */
export function softwareOneTaskList(options: SoftwareOneTaskListRouteOptions = {}): FakeRoute {
  const leaveOut = new Set(options.leaveOut ?? []);
  return {
    fake: softwareOneFake,
    method: 'GET',
    path: '/v1/system/tasks',
    respond(request, context) {
      const ids = idsOf(request.url).filter((id) => !leaveOut.has(id));
      const limit = Math.min(100, Number(request.url.searchParams.get('limit') ?? 10) || 10);
      const data: unknown[] = [];
      for (const id of ids.slice(0, limit)) {
        const task = context.tasks.find((t) => t.fake === softwareOneFake && t.id === id);
        const body =
          task && render(task, new URL(`v1/system/tasks/${encodeURIComponent(id)}`, context.baseUrl), request.headers);
        if (body !== undefined) data.push(body);
      }
      return json({ $meta: { pagination: { offset: 0, limit, total: data.length } }, data });
    },
  };
}

/** Options of {@link anaplanTaskList}. */
export interface AnaplanTaskListRouteOptions {
  /** List a finished task with its `result`; by default entries are `{ taskId, taskState, creationTime, … }` without it, as the actions list documents. */
  withResult?: boolean | undefined;
}

/**
 * `GET /workspaces/{ws}/models/{m}/{imports|exports|actions|processes}/{actionId}/tasks`: every
 * Anaplan task served of that kind, as `{ meta, status, tasks }`.
 */
export function anaplanTaskList(options: AnaplanTaskListRouteOptions = {}): FakeRoute {
  return {
    fake: anaplanFake,
    method: 'GET',
    path: '/workspaces/:workspaceId/models/:modelId/:actionType/:actionId/tasks',
    respond(request, context: FakeRouteContext) {
      const { workspaceId, modelId, actionType, actionId } = request.params;
      const tasks: unknown[] = [];
      for (const task of context.tasks) {
        if (task.fake !== anaplanFake || task.kind !== actionType) continue;
        const path = `workspaces/${workspaceId}/models/${modelId}/${actionType}/${actionId}/tasks/${task.id}`;
        const body = render(task, new URL(path, context.baseUrl), request.headers) as {
          task?: Record<string, unknown> | undefined;
        };
        if (!body?.task) continue;
        const { result, ...summary } = body.task;
        tasks.push(options.withResult && result !== undefined ? { ...summary, result } : summary);
      }
      return json({
        meta: {
          paging: { currentPageSize: tasks.length, totalSize: tasks.length, offset: 0 },
          schema: `${context.baseUrl}objects/task`,
        },
        status: { code: 200, message: 'Success' },
        tasks,
      });
    },
  };
}

/** The payload `task` answers a GET at `url` with, or undefined when it answers anything else. */
function render(task: AnyFakeTask, url: URL, headers: Record<string, string>): unknown {
  const answer = task.respond({ method: 'GET', url, headers });
  if (answer.status !== 200 || answer.drop || answer.cut) return undefined;
  try {
    return JSON.parse(answer.body);
  } catch {
    return undefined;
  }
}

/** The ids of an RQL `in(id,(…))` or `eq(id,…)` in the raw query string. */
function idsOf(url: URL): string[] {
  let query: string;
  try {
    query = decodeURIComponent(url.search.slice(1));
  } catch {
    return [];
  }
  const listed = /(?:^|[&(,])in\(id,\(([^)]*)\)\)/.exec(query)?.[1] ?? /(?:^|[&(,])eq\(id,([^)]*)\)/.exec(query)?.[1];
  if (listed === undefined) return [];
  return listed
    .split(',')
    .map((id) => id.trim().replace(/^["'](.*)["']$/, '$1'))
    .filter(Boolean);
}

function json(body: unknown) {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
