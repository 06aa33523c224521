import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../src/index.js';
import { type ActionType, type AlmKind, ANAPLAN_STATES, anaplan } from '../../src/vendors/anaplan/index.js';
import { type ConformanceCase, describeConformance, type Json } from './harness.js';
import { responseExamples, responseSchema, schemaRef, specDocument } from './spec.js';

const integration = specDocument('anaplan', 'integration-task-schemas.extract.json');
const alm = specDocument('anaplan', 'alm-task-schemas.extract.json');

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/anaplan/${name}.json`, import.meta.url), 'utf8'));

type Status = keyof typeof ANAPLAN_STATES;
interface Result {
  successful?: boolean;
  nestedResults?: Result[];
}
interface Envelope {
  task?: { taskState?: Status; result?: Result };
}

describe('anaplan taskState', () => {
  it('each documented taskState has its state', () => {
    const schemas = (doc: typeof alm) =>
      doc.components.schemas as Record<string, { properties: Record<string, { enum?: string[] }> }>;
    const documented = [
      ...(schemas(integration).Task?.properties.taskState?.enum ?? []),
      ...(schemas(alm).SyncTask?.properties.taskState?.enum ?? []),
    ];
    expect(documented.length).toBe(7);
    for (const status of documented) {
      expect(anaplan.statuses).toContain(status);
      expect(ANAPLAN_STATES[status as Status]).not.toBe('unknown');
    }
  });
});

// COMPLETE says only that a task ended: `result.successful: false` says it failed, and a failed
// nested result that a process's action failed. A missing `successful` is not a failure, at any level.
const failedNested = (result: Result): boolean =>
  (result.nestedResults ?? []).some((nested) => nested.successful === false || failedNested(nested));

function bulkStates(payload: Json): TaskState[] {
  const { taskState, result } = (payload as Envelope).task ?? {};
  if (taskState === undefined) return ['unknown'];
  if (taskState !== 'COMPLETE') return [ANAPLAN_STATES[taskState]];
  if (result?.successful === false) return ['failed'];
  return [result && failedNested(result) ? 'partial' : 'succeeded'];
}

function almStates(payload: Json): TaskState[] {
  const { taskState, result } = (payload as Envelope).task ?? {};
  if (taskState === undefined) return ['unknown'];
  if (taskState !== 'COMPLETE') return [ANAPLAN_STATES[taskState]];
  return [result?.successful === false ? 'failed' : 'succeeded'];
}

// The id a created task's answer names: its task's taskId, else the last segment of its taskUrl,
// where the task is the envelope's `task` when that is a TaskWithUrl, and the answer itself too.
function createdId(payload: Json): string | undefined {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const idIn = (task: unknown): string | undefined => {
    if (task === null || typeof task !== 'object' || Array.isArray(task)) return undefined;
    const { taskId, taskUrl } = task as Record<string, unknown>;
    const last = text(taskUrl)?.split(/[?#]/, 1)[0]?.split('/').filter(Boolean).pop();
    const id = text(taskId)?.trim() || (last && !/^https?:$/i.test(last) ? last : undefined);
    if (!id) return undefined;
    try {
      return decodeURIComponent(id);
    } catch {
      return id;
    }
  };
  const body = payload as Record<string, unknown>;
  const task = body.task as Record<string, unknown> | undefined;
  const isTaskWithUrl =
    task !== null &&
    typeof task === 'object' &&
    !Array.isArray(task) &&
    ['taskId', 'taskUrl', 'taskState'].every((key) => task[key] === undefined || typeof task[key] === 'string') &&
    (task.creationTime === undefined || typeof task.creationTime === 'string' || Number.isInteger(task.creationTime));
  return (isTaskWithUrl ? idIn(task) : undefined) ?? idIn(body);
}

// ---------------------------------------------------------------------------------------------
// Integration API: bulk action tasks

const WS = 'ws-conformance';
const ACTION_IDS: Record<ActionType, string> = {
  imports: '112000000001',
  exports: '116000000002',
  actions: '117000000003',
  processes: '118000000004',
};
const PARAM: Record<ActionType, string> = {
  imports: 'importId',
  exports: 'exportId',
  actions: 'actionId',
  processes: 'processId',
};
const TASK_EXAMPLES: Record<ActionType, string[]> = {
  imports: ['constructed-import-failed'],
  exports: [],
  actions: ['action-task-complete', 'delete-action-task-complete'],
  processes: [
    'process-task-complete-nested',
    'constructed-process-cancelled',
    'constructed-process-in-progress',
    'constructed-process-partial-nested-import-failed',
  ],
};
const LIST_EXAMPLES: Record<ActionType, string[]> = {
  imports: ['import-tasks-list-single-task'],
  exports: [],
  actions: ['action-tasks-list'],
  processes: ['process-tasks-list-example-item'],
};
const CREATE_EXAMPLES: Record<ActionType, string[]> = {
  imports: ['import-task-created-bare', 'import-task-created-not-started'],
  exports: ['export-task-created'],
  actions: ['action-task-created'],
  processes: ['process-task-created-bare'],
};

// The page after the first: empty, and the end of the list wherever the walk asks for it.
const lastPage = (url: URL): Json => {
  const offset = Number(url.searchParams.get('offset') ?? 0);
  return { meta: { schema: 'end', paging: { offset, currentPageSize: 0, totalSize: offset } } };
};

for (const [i, kind] of (['imports', 'exports', 'actions', 'processes'] as const).entries()) {
  const actionId = ACTION_IDS[kind];
  const specPath = `/workspaces/{workspaceId}/models/{modelId}/${kind}/{${PARAM[kind]}}/tasks`;
  const listPath = `/2/0/workspaces/${WS}/models/M1/${kind}/${actionId}/tasks`;
  const action = { workspaceId: WS, modelId: 'M1', actionId };
  const cases: ConformanceCase[] = [
    {
      type: 'task',
      vendor: anaplan,
      name: `Task (GET …/${kind}/{id}/tasks/{taskId})`,
      document: integration,
      schema: responseSchema(integration, `${specPath}/{taskId}`),
      examples: [...responseExamples(integration, `${specPath}/{taskId}`), ...TASK_EXAMPLES[kind].map(fixture)],
      // One model at four paths: processes, whose results nest, gets the most.
      count: kind === 'processes' ? 30 : 15,
      seed: 0x616e6100 + i,
      kind,
      ref: { ...action, taskId: 'T1' },
      path: `${listPath}/T1`,
      refId: 'T1',
      statusAt: ['task', 'taskState'],
      idAt: ['task', 'taskId'],
      states: bulkStates,
    },
    {
      type: 'list',
      vendor: anaplan,
      name: `${kind === 'imports' ? 'task' : 'tasks'} list (GET …/${kind}/{id}/tasks)`,
      document: integration,
      schema: responseSchema(integration, specPath),
      examples: [...responseExamples(integration, specPath), ...LIST_EXAMPLES[kind].map(fixture)],
      count: 12,
      seed: 0x616e6c00 + i,
      path: listPath,
      walk: (client) => client.tasks(action, { prefetch: 0 }),
      items: (payload) => {
        const page = payload as { tasks?: Json[]; task?: Json };
        return page.tasks ?? (page.task === undefined ? [] : [page.task]);
      },
      after: lastPage,
    },
    {
      type: 'create',
      vendor: anaplan,
      name: `created task (POST …/${kind}/{id}/tasks)`,
      document: integration,
      schema: responseSchema(integration, specPath, 'post'),
      examples: [...responseExamples(integration, specPath, 'post'), ...CREATE_EXAMPLES[kind].map(fixture)],
      count: 12,
      seed: 0x616e7000 + i,
      path: listPath,
      start: (client) => client.start(action),
      idOf: createdId,
    },
  ];
  for (const c of cases) describeConformance(c);
}

// ---------------------------------------------------------------------------------------------
// ALM API: sync, comparison report and summary report tasks

const ALM_TASK = 'A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4';
const ALM_EXAMPLES: Record<AlmKind, string[]> = {
  syncTasks: ['constructed-sync-task-complete', 'constructed-sync-task-failed', 'constructed-sync-task-in-progress'],
  comparisonReportTasks: ['constructed-comparison-report-complete'],
  summaryReportTasks: ['constructed-summary-report-failed'],
};

for (const [i, kind] of (['syncTasks', 'comparisonReportTasks', 'summaryReportTasks'] as const).entries()) {
  const model = kind === 'syncTasks' ? 'SyncTaskResponse' : 'ReportTaskResponse';
  const revisions = {
    sourceRevisionId: 'A'.repeat(32),
    sourceModelId: 'B'.repeat(32),
    targetRevisionId: 'C'.repeat(32),
  };
  describeConformance({
    type: 'task',
    vendor: anaplan,
    name: `${model} (GET /models/{m}/alm/${kind}/{taskId})`,
    document: alm,
    schema: schemaRef(model),
    examples: ALM_EXAMPLES[kind].map(fixture),
    count: kind === 'syncTasks' ? 30 : 20,
    seed: 0x616c6d00 + i,
    kind,
    ref: { modelId: 'M1', kind, taskId: ALM_TASK },
    path: `/2/0/models/M1/alm/${kind}/${ALM_TASK}`,
    refId: ALM_TASK,
    statusAt: ['task', 'taskState'],
    idAt: ['task', 'taskId'],
    states: almStates,
  });
  describeConformance({
    type: 'create',
    vendor: anaplan,
    name: `${model} (POST /models/{m}/alm/${kind})`,
    document: alm,
    schema: responseSchema(alm, `/models/{modelId}/alm/${kind}`, 'post', '201'),
    count: 12,
    seed: 0x616c7000 + i,
    path: `/2/0/models/M1/alm/${kind}`,
    start: (client) => client.startAlm({ modelId: 'M1', kind, ...revisions }),
    idOf: createdId,
  });
}

describeConformance({
  type: 'list',
  vendor: anaplan,
  name: 'SyncTaskListResponse (GET /models/{m}/alm/syncTasks)',
  document: alm,
  schema: schemaRef('SyncTaskListResponse'),
  count: 15,
  seed: 0x616c6c00,
  path: '/2/0/models/M1/alm/syncTasks',
  walk: (client) => client.almTasks({ modelId: 'M1' }, { prefetch: 0 }),
  items: (payload) => (payload as { tasks?: Json[] }).tasks ?? [],
  after: lastPage,
});
