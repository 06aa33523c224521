import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../src/index.js';
import { type ActionType, type AlmKind, ANAPLAN_STATES, anaplan } from '../../src/vendors/anaplan/index.js';
import {
  describeConformance,
  fixture,
  type Json,
  type JsonSchema,
  type ModelCase,
  type Rule,
  schemaRef,
  specDocument,
  withNarrowingDefs,
} from './harness.js';

const integration = specDocument('anaplan', 'integration-task-schemas.extract.json');
const alm = specDocument('anaplan', 'alm-task-schemas.extract.json');

type Status = keyof typeof ANAPLAN_STATES;
interface Result {
  successful?: boolean;
  nestedResults?: Result[];
}
interface Envelope {
  task: { taskState?: Status; result?: Result };
}

describe('anaplan taskState', () => {
  it('each documented taskState has its state', () => {
    const task = (integration.components.schemas as Record<string, { properties: { taskState: { enum: string[] } } }>)
      .Task;
    const sync = (alm.components.schemas as Record<string, { properties: { taskState: { enum: string[] } } }>).SyncTask;
    const documented = [...(task?.properties.taskState.enum ?? []), ...(sync?.properties.taskState.enum ?? [])];
    for (const status of documented) {
      expect(anaplan.statuses).toContain(status);
      expect(ANAPLAN_STATES[status as Status]).not.toBe('unknown');
    }
  });
});

// COMPLETE says only that a task ended: `result.successful` says whether it did its job, and a
// process's nested results whether each of its actions did (vendors.md, help.anaplan.com).
const failedNested = (result: Result): boolean =>
  (result.nestedResults ?? []).some((nested) => !nested.successful || failedNested(nested));

function bulkStates(payload: Json): TaskState[] {
  const { taskState, result } = (payload as unknown as Envelope).task;
  if (taskState === undefined) return ['unknown'];
  if (taskState !== 'COMPLETE') return [ANAPLAN_STATES[taskState]];
  if (!result?.successful) return ['failed'];
  return [failedNested(result) ? 'partial' : 'succeeded'];
}

function almStates(payload: Json): TaskState[] {
  const { taskState, result } = (payload as unknown as Envelope).task;
  if (taskState === undefined) return ['unknown'];
  if (taskState !== 'COMPLETE') return [ANAPLAN_STATES[taskState]];
  return [result?.successful ? 'succeeded' : 'failed'];
}

const UNFINISHED = ['NOT_STARTED', 'IN_PROGRESS'];
const otherState = { not: { enum: [...UNFINISHED, 'COMPLETE'] } };
const unfinished = (payload: Json) => UNFINISHED.includes(String((payload as unknown as Envelope).task.taskState));

/** A result on a task that has not finished is kept as sent, not read. */
const resultBeforeTheEnd: Rule = {
  ops: ['null', 'wrong-type', 'unknown-value'],
  site: /^task\.result(\.|$)/,
  when: unfinished,
  why: 'the spec says a result is "absent while the task is NOT_STARTED or IN_PROGRESS"; the adapter does not read one then, and keeps it in raw as sent',
};

// ---------------------------------------------------------------------------------------------
// Integration API: GET /workspaces/{ws}/models/{m}/{imports|exports|actions|processes}/{id}/tasks/{taskId}

/** What the bulk adapter requires beyond the Integration extract. */
const bulkNarrowing: JsonSchema = {
  description: "A poll answer carries its task (the SDK's _TaskStatusPoll requires it).",
  required: ['task'],
  properties: {
    task: {
      description:
        'A Task is an object (the extract leaves out `type`), named by a non-empty taskId, which the SDK requires.',
      type: 'object',
      required: ['taskId'],
      properties: { taskId: { minLength: 1 } },
      anyOf: [
        {
          description: "Not started or running: no result is read. `type` is a string in Anaplan's examples.",
          required: ['taskState'],
          properties: { taskState: { enum: UNFINISHED }, type: { type: 'string' } },
        },
        {
          description:
            'COMPLETE: the result is "populated after the task reaches a terminal state", and progress is there ("typically 1.0 on completion"; the SDK requires it).',
          required: ['taskState', 'result', 'progress'],
          properties: {
            taskState: { const: 'COMPLETE' },
            type: { type: 'string' },
            result: { $ref: '#/components/narrowing/TaskResult' },
          },
        },
        {
          description: 'Cancelling, cancelled, another state or none: a result, if any, is a TaskResult.',
          properties: { taskState: otherState, result: { $ref: '#/components/narrowing/TaskResult' } },
        },
      ],
    },
  },
};

const bulkDocument = withNarrowingDefs(integration, {
  TaskResult: {
    description:
      'A TaskResult is an object (the extract leaves out `type`). `successful` says whether the task did its job, which COMPLETE does not; `failureDumpAvailable` is in every Anaplan example and the SDK requires it. The same holds for each nested result.',
    type: 'object',
    required: ['successful', 'failureDumpAvailable'],
    properties: { nestedResults: { type: 'array', items: { $ref: '#/components/narrowing/TaskResult' } } },
  },
});

/** Outside the extract, and accepted on purpose. */
const bulkTolerated: Rule[] = [
  {
    ops: ['wrong-type'],
    site: 'task.creationTime',
    why: 'epoch milliseconds in the Integration API, a date-time in the ALM API: either is taken for both',
  },
  { ops: ['null'], site: 'task.currentStep', why: 'a null step is read as none' },
  {
    ops: ['null'],
    site: /(^|\.)details\.\*\.(localMessageText|values\.\*)$/,
    why: 'a null message text or value is read as none',
  },
  resultBeforeTheEnd,
];

const ACTION_IDS: Record<ActionType, string> = {
  imports: '112000000001',
  exports: '116000000002',
  actions: '117000000003',
  processes: '118000000004',
};

const EXAMPLES: Partial<Record<ActionType, Json[]>> = {
  actions: [fixture('anaplan', 'action-task-complete.json')],
  processes: [fixture('anaplan', 'process-task-complete-nested.json')],
};

const PATHS: Record<ActionType, string> = {
  imports: '/workspaces/{workspaceId}/models/{modelId}/imports/{importId}/tasks/{taskId}',
  exports: '/workspaces/{workspaceId}/models/{modelId}/exports/{exportId}/tasks/{taskId}',
  actions: '/workspaces/{workspaceId}/models/{modelId}/actions/{actionId}/tasks/{taskId}',
  processes: '/workspaces/{workspaceId}/models/{modelId}/processes/{processId}/tasks/{taskId}',
};

type Paths = Record<
  string,
  { get: { responses: { 200: { content: { 'application/json': { schema: JsonSchema } } } } } }
>;

for (const [i, kind] of (['imports', 'exports', 'actions', 'processes'] as const).entries()) {
  const actionId = ACTION_IDS[kind];
  const bulkTask: ModelCase = {
    vendor: anaplan,
    specModel: `Task (GET …/${kind}/{id}/tasks/{taskId})`,
    model: 'Task',
    kind,
    document: bulkDocument,
    schema: (integration.components.paths as Paths)[PATHS[kind]]?.get.responses[200].content['application/json']
      .schema as JsonSchema,
    narrowing: bulkNarrowing,
    ref: { workspaceId: 'ws-conformance', modelId: 'M1', actionId, taskId: 'T1' },
    path: `/2/0/workspaces/ws-conformance/models/M1/${kind}/${actionId}/tasks/T1`,
    refId: 'T1',
    statusAt: ['task', 'taskState'],
    idAt: ['task', 'taskId'],
    states: bulkStates,
    tolerated: bulkTolerated,
  };
  // One model at four paths: processes (whose results nest) gets the most mutants.
  const perSite = kind === 'processes' ? 6 : 2;
  describeConformance(bulkTask, { count: 100, seed: 0x616e6100 + i, perSite, examples: EXAMPLES[kind] });
}

// ---------------------------------------------------------------------------------------------
// ALM API: GET /models/{m}/alm/{syncTasks|comparisonReportTasks|summaryReportTasks}/{taskId}

/** What the ALM adapter requires beyond the ALM extract, given what a COMPLETE task's result must hold. */
const almNarrowing = (result: JsonSchema): JsonSchema => ({
  description: "A poll answer carries its task (the SDK's _SyncTaskStatusPoll and _ReportTaskStatusPoll require it).",
  required: ['task'],
  properties: {
    task: {
      description: 'Named by a non-empty taskId, which the SDK requires.',
      required: ['taskId'],
      properties: { taskId: { minLength: 1 } },
      anyOf: [
        { required: ['taskState'], properties: { taskState: { enum: UNFINISHED } } },
        {
          description: "COMPLETE: check `successful` first (the extract's TaskResult).",
          required: ['taskState', 'result'],
          properties: { taskState: { const: 'COMPLETE' }, result },
        },
        { properties: { taskState: otherState } },
      ],
    },
  },
});

const syncResult: JsonSchema = { required: ['successful'] };

const reportResult: JsonSchema = {
  required: ['successful'],
  anyOf: [
    {
      description: '"On successful report tasks, `reportFileUrl` is populated with a download URL."',
      required: ['reportFileUrl'],
      properties: { successful: { const: true } },
    },
    {
      description:
        '"If it is false, `error` contains details": a title and a message text, as the SDK\'s ReportTaskError requires.',
      required: ['error'],
      properties: { successful: { const: false }, error: { required: ['title', 'messageText'] } },
    },
  ],
};

const almTolerated: Rule[] = [
  {
    ops: ['wrong-type'],
    site: 'task.creationTime',
    why: 'a date-time in the ALM API, epoch milliseconds in the Integration API: either is taken for both',
  },
  { ops: ['unknown-value'], site: 'task.taskId', why: 'task ids are not checked against their documented pattern' },
  {
    ...resultBeforeTheEnd,
    when: (payload) => (payload as unknown as Envelope).task.taskState !== 'COMPLETE',
    why: 'the ALM adapter reads a result only when the task is COMPLETE; before that, it keeps one in raw as sent',
  },
  {
    ops: ['null', 'wrong-type'],
    site: /^task\.result\.error(\.|$)/,
    when: (payload) => (payload as unknown as Envelope).task.result?.successful === true,
    why: 'a successful report has no error to read: one there is kept in raw as sent',
  },
];

const almCase = (kind: AlmKind, specModel: string, model: string, result: JsonSchema): ModelCase => ({
  vendor: anaplan,
  specModel,
  model,
  kind,
  document: alm,
  schema: schemaRef(specModel),
  narrowing: almNarrowing(result),
  ref: { modelId: 'M1', kind, taskId: 'A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4' },
  path: `/2/0/models/M1/alm/${kind}/A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4`,
  refId: 'A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4',
  statusAt: ['task', 'taskState'],
  idAt: ['task', 'taskId'],
  states: almStates,
  tolerated: almTolerated,
});

describeConformance(almCase('syncTasks', 'SyncTaskResponse', 'SyncTask', syncResult), {
  count: 300,
  seed: 0x616c6d53,
});
// One model at two paths.
describeConformance(almCase('comparisonReportTasks', 'ReportTaskResponse', 'ReportTask', reportResult), {
  count: 150,
  seed: 0x616c6d43,
  perSite: 4,
});
describeConformance(almCase('summaryReportTasks', 'ReportTaskResponse', 'ReportTask', reportResult), {
  count: 150,
  seed: 0x616c6d52,
  perSite: 4,
});
