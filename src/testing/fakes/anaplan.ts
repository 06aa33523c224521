/**
 * The Anaplan fake: renders a canonical state as Anaplan's `{ meta, status, task }` envelope, for
 * bulk action tasks (imports, exports, actions, processes) and ALM sync and report tasks.
 *
 * @module
 */
import type { TaskState } from '../../index.js';
import type { ActionType, AlmKind, AnaplanTaskRef } from '../../vendors/anaplan/index.js';
import type { FakeKind, FakeTaskView, VendorFake } from '../fake.js';

const BASE_URL = 'https://api.anaplan.com/2/0';
const WORKSPACE_ID = '8a81b09d5e8c6f27015ece3402487d33';
const MODEL_ID = '75A40874E6B64FA3AE0743278996850F';
const ACTION_IDS = {
  processes: '118000000002',
  imports: '112000000007',
  exports: '116000000003',
  actions: '117000000019',
} as const satisfies Record<ActionType, string>;
const ALM_KINDS = ['syncTasks', 'comparisonReportTasks', 'summaryReportTasks'] as const satisfies readonly AlmKind[];

/** The kinds the Anaplan fake serves, e.g. `fakeTask(anaplanFake, { kind: 'syncTasks' })`: 4 bulk action, 3 ALM. */
export type AnaplanFakeKind = ActionType | AlmKind;

// Anaplan has no `blocked` (a task waits NOT_STARTED) and no `skipped`. The unknown state is made up.
const BULK_STATES: Record<Exclude<TaskState, 'skipped'>, string> = {
  queued: 'NOT_STARTED',
  running: 'IN_PROGRESS',
  blocked: 'NOT_STARTED',
  canceling: 'CANCELLING',
  unknown: 'PAUSED',
  succeeded: 'COMPLETE',
  partial: 'COMPLETE',
  failed: 'COMPLETE',
  canceled: 'CANCELLED',
};

function envelope(task: Record<string, unknown>) {
  return {
    meta: { schema: `${BASE_URL}/models/${MODEL_ID}/objects/task` },
    status: { code: 200, message: 'Success' },
    task,
  };
}

function cannot(kind: string, state: TaskState): never {
  throw new Error(`anaplanFake: Anaplan ${kind} tasks can't be ${state}`);
}

function renderBulk(kind: ActionType) {
  return (view: FakeTaskView) => {
    if (view.state === 'skipped') cannot(kind, view.state);
    const task: Record<string, unknown> = {
      taskId: view.id,
      taskState: BULK_STATES[view.state],
      creationTime: view.createdAt.getTime(),
    };
    if (view.progress !== undefined) task.progress = view.progress;
    if (view.state === 'running') task.currentStep = 'Running.';
    const objectId = ACTION_IDS[kind];
    if (view.state === 'succeeded') {
      Object.assign(task, { type: 'taskInformation', progress: 1, currentStep: 'Complete.' });
      task.result = { failureDumpAvailable: false, objectId, successful: true };
    } else if (view.state === 'failed') {
      Object.assign(task, { type: 'taskInformation', progress: 1, currentStep: 'Failed.' });
      task.result = {
        details: [{ localMessageText: view.error ?? 'The task failed', occurrences: 1, type: 'failure', values: [] }],
        failureDumpAvailable: false,
        objectId,
        successful: false,
      };
    } else if (view.state === 'partial') {
      // A process whose nested imports partly failed: the process itself reports success.
      Object.assign(task, { type: 'taskInformation', progress: 1, currentStep: 'Complete.' });
      const total = Math.max(view.totalItems ?? 2, 1);
      const failed = Math.min(Math.max(view.failedItems ?? 1, 1), total);
      const nestedResults = Array.from({ length: total }, (_, i) => {
        const nested: Record<string, unknown> = {
          failureDumpAvailable: i < failed,
          objectId: String(112000000100 + i),
          successful: i >= failed,
        };
        if (i < failed) {
          nested.details = [
            { localMessageText: view.error ?? 'Import failed', occurrences: 1, type: 'failure', values: [] },
          ];
        }
        return nested;
      });
      task.result = { failureDumpAvailable: true, nestedResults, objectId, successful: true };
    } else if (view.state === 'canceled') {
      task.currentStep = 'Cancelled.';
    }
    return envelope(task);
  };
}

// The ALM API documents only IN_PROGRESS and COMPLETE (the SDK also NOT_STARTED), and no cancel.
const ALM_STATES: Partial<Record<TaskState, string>> = {
  queued: 'NOT_STARTED',
  running: 'IN_PROGRESS',
  blocked: 'NOT_STARTED',
  canceling: 'IN_PROGRESS',
  unknown: 'PAUSED',
  succeeded: 'COMPLETE',
  failed: 'COMPLETE',
};

function renderAlm(kind: AlmKind) {
  const report = kind !== 'syncTasks';
  return (view: FakeTaskView) => {
    const taskState = ALM_STATES[view.state] ?? cannot(kind, view.state);
    const done = view.state === 'succeeded' || view.state === 'failed';
    const task: Record<string, unknown> = {
      taskId: view.id,
      taskState,
      creationTime: view.createdAt.toISOString(),
      currentStep: done ? (view.state === 'succeeded' ? 'Complete.' : 'Failed.') : 'In progress.',
    };
    if (done) {
      const result: Record<string, unknown> = {
        sourceRevisionId: 'A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4',
        targetRevisionId: 'B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5',
        successful: view.state === 'succeeded',
      };
      if (view.state === 'failed') {
        result.error = {
          title: report ? 'Report failed' : 'Sync failed',
          messageText: view.error ?? 'The task failed',
        };
      } else if (report) {
        const reports = kind === 'summaryReportTasks' ? 'summaryReports' : 'comparisonReports';
        result.reportFileUrl = `${BASE_URL}/models/${MODEL_ID}/alm/${reports}/${result.targetRevisionId}/${result.sourceRevisionId}`;
      }
      task.result = result;
    }
    return envelope(task);
  };
}

const bulk = (kind: ActionType): FakeKind => ({
  path: `/workspaces/:workspaceId/models/:modelId/${kind}/:actionId/tasks/:taskId`,
  render: renderBulk(kind),
});
const alm = (kind: AlmKind): FakeKind => ({ path: `/models/:modelId/alm/${kind}/:taskId`, render: renderAlm(kind) });

/**
 * Serves Anaplan tasks for the testing kit. The first kind, `processes`, can end every way the
 * vendor can; ALM tasks can't end `partial` or `canceled` (their render throws).
 */
export const anaplanFake: VendorFake<AnaplanFakeKind, AnaplanTaskRef> = {
  vendor: 'anaplan',
  baseUrl: BASE_URL,
  kinds: {
    processes: bulk('processes'),
    imports: bulk('imports'),
    exports: bulk('exports'),
    actions: bulk('actions'),
    syncTasks: alm('syncTasks'),
    comparisonReportTasks: alm('comparisonReportTasks'),
    summaryReportTasks: alm('summaryReportTasks'),
  },
  outcomes: ['succeeded', 'partial', 'failed', 'canceled'],
  ref: (kind, taskId) =>
    (ALM_KINDS as readonly string[]).includes(kind)
      ? { modelId: MODEL_ID, kind: kind as AlmKind, taskId }
      : { workspaceId: WORKSPACE_ID, modelId: MODEL_ID, actionId: ACTION_IDS[kind as ActionType], taskId },
  // Task ids are 32 upper-case hex digits.
  taskId: (n) => n.toString(16).toUpperCase().padStart(32, '0'),
  // Anaplan documents no retry header; a 429 with the standard one is what a gateway would send.
  rateLimitHeaders: (seconds) => ({ 'Retry-After': String(seconds) }),
  errorBody: (status, message) => ({
    body: { status: { code: status, message } },
    contentType: 'application/json',
  }),
};
