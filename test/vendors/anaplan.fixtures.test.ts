import { readdirSync, readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, HttpError, type TaskState } from '../../src/index.js';
import {
  type AnaplanTaskRef,
  anaplan,
  ErrorResponseSchema,
  MetaSchema,
  StatusSchema,
  TaskCreatedResponseSchema,
  TaskListResponseSchema,
  TaskStatusPollSchema,
  TaskSummarySchema,
} from '../../src/vendors/anaplan/index.js';

const BASE = 'https://api.anaplan.com/2/0';
const WS = '8a81b09d5e8c6f27015ece3402487d33';
const MODEL = 'F1111111C11111111B11111F1111E11F';
const FIXTURES = new URL('../fixtures/anaplan/', import.meta.url);

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'));
const client = () => createClient(anaplan, { token: 'fixture-token-1234', retry: { retries: 0 } });

const bulk = (actionId: string, taskId: string): AnaplanTaskRef => ({
  workspaceId: WS,
  modelId: MODEL,
  actionId,
  taskId,
});
const alm = (kind: 'syncTasks' | 'comparisonReportTasks' | 'summaryReportTasks', taskId: string): AnaplanTaskRef => ({
  modelId: MODEL,
  kind,
  taskId,
});

interface TaskCase {
  ref: AnaplanTaskRef;
  state: TaskState;
  expect?: Record<string, unknown>;
  error?: RegExp;
}

// Task payloads: served at the task's URL, each must normalize to `state`.
const TASKS: Record<string, TaskCase> = {
  // Anaplan docs and the spec's examples, verbatim.
  'action-task-complete': {
    ref: bulk('117000000019', 'F37EA1512BC448D3B223431C33B844B6'),
    state: 'succeeded',
    expect: { kind: 'actions', id: 'F37EA1512BC448D3B223431C33B844B6', progress: 1 },
  },
  'process-task-complete-nested': {
    ref: bulk('118000000002', '2846F8E2FD624F7FA91EC6E2F6E318C0'),
    state: 'succeeded',
    expect: { kind: 'processes', message: 'Complete.', progress: 1 },
  },
  'delete-action-task-complete': {
    ref: bulk('117000000019', '0690AA1C761F48549C3442A02F91D962'),
    state: 'succeeded',
    expect: { id: '0690AA1C761F48549C3442A02F91D962', message: 'Complete.' },
  },
  'import-task-created-not-started': {
    ref: bulk('112000000007', '16605AE88D1D46EDB88FD12DFBA867A9'),
    state: 'queued',
    expect: { createdAt: new Date(1571258416552).toISOString(), terminal: false },
  },
  // Constructed after the shapes vendors.md describes.
  'constructed-import-failed': {
    ref: bulk('112000000009', '1B1D84DDD53847BAA621810B593C3FC1'),
    state: 'failed',
    expect: {
      message: 'Failed.',
      error: {
        message: 'Employees: 0 (0/95) rows successful, 95 failed: the source file has no column Code',
        code: 'hierarchyRowsProcessedWithFailures',
      },
    },
  },
  'constructed-process-partial-nested-import-failed': {
    ref: bulk('118000000002', '2846F8E2FD624F7FA91EC6E2F6E318C0'),
    state: 'partial',
    error: /^1 of 2 nested results failed: 112000000190: Products: 10 \(8\/2\) rows successful, 2 failed$/,
  },
  'constructed-process-in-progress': {
    ref: bulk('118000000002', '2846F8E2FD624F7FA91EC6E2F6E318C0'),
    state: 'running',
    expect: { progress: 0.42, message: "Running import 'Products from CSV'." },
  },
  'constructed-process-cancelled': {
    ref: bulk('118000000002', '2846F8E2FD624F7FA91EC6E2F6E318C0'),
    state: 'canceled',
    expect: { terminal: true, rawStatus: 'CANCELLED' },
  },
  'constructed-sync-task-in-progress': {
    ref: alm('syncTasks', '0A1B2C3D4E5F0A1B2C3D4E5F0A1B2C3D'),
    state: 'running',
    expect: { kind: 'syncTasks', createdAt: '2024-05-14T09:30:12.000Z', message: 'Syncing model.' },
  },
  'constructed-sync-task-complete': {
    ref: alm('syncTasks', '0A1B2C3D4E5F0A1B2C3D4E5F0A1B2C3D'),
    state: 'succeeded',
  },
  'constructed-sync-task-failed': {
    ref: alm('syncTasks', '0A1B2C3D4E5F0A1B2C3D4E5F0A1B2C3D'),
    state: 'failed',
    // Epoch ms here, a date-time string in the other ALM fixtures: both are accepted.
    expect: { createdAt: new Date(1715679012000).toISOString() },
    error: /^Sync failed: The target model is locked by another sync\.$/,
  },
  'constructed-comparison-report-complete': {
    ref: alm('comparisonReportTasks', 'C0FFEE0123456789ABCDEF0123456789'),
    state: 'succeeded',
    expect: { kind: 'comparisonReportTasks' },
  },
  'constructed-summary-report-failed': {
    ref: alm('summaryReportTasks', 'C0FFEE0123456789ABCDEF0123456789'),
    state: 'failed',
    error: /^Report generation failed: The source revision is not compatible with the target model\.$/,
  },
};

// Payloads that are not a task's status: each parses with its own schema.
const OTHERS: Record<string, (body: unknown) => void> = {
  'action-tasks-list': (body) => {
    const page = TaskListResponseSchema.parse(body);
    expect(page.tasks?.map((t) => [t.taskId, t.taskState])).toEqual([['F37EA1512BC448D3B223431C33B844B6', 'COMPLETE']]);
  },
  'import-tasks-list-single-task': (body) => {
    const page = TaskListResponseSchema.parse(body);
    expect(page.task).toMatchObject({ taskId: '9530E1C5CAEB440DAC4E669178787160', creationTime: 1535145471641 });
  },
  // The spec's example of this list is one list item.
  'process-tasks-list-example-item': (body) => {
    expect(TaskSummarySchema.parse(body)).toMatchObject({ taskState: 'IN_PROGRESS' });
  },
  'action-task-created': (body) => expectCreated(body, '0690AA1C761F48549C3442A02F91D962'),
  'export-task-created': (body) => expectCreated(body, 'F362B99442C54425970E200037D48A91'),
  'import-task-created-bare': (body) => expectCreated(body, '5E6331685CC648A29B725923B8FAEA1C'),
  'process-task-created-bare': (body) => expectCreated(body, 'E1F648F527AF4297B09E06C278B99F4C'),
  'dump-chunks-paging-envelope': (body) => {
    const { meta, status } = body as { meta: unknown; status: unknown };
    expect(MetaSchema.parse(meta).paging).toEqual({ currentPageSize: 1, offset: 0, totalSize: 3 });
    expect(StatusSchema.parse(status)).toEqual({ code: 200, message: 'Success' });
  },
  'optimizer-solution-log-forbidden': (body) => {
    expect(ErrorResponseSchema.parse(body).status).toEqual({ code: 403, message: 'Forbidden' });
  },
  // The solution log is text/plain; the spec stores it as a JSON string. Not a task.
  'optimizer-solution-log-text': (body) => {
    expect(typeof body).toBe('string');
    expect(TaskStatusPollSchema.safeParse(body).success).toBe(false);
  },
};

function expectCreated(body: unknown, taskId: string) {
  const created = TaskCreatedResponseSchema.parse(body);
  const task = 'task' in created && created.task ? created.task : created;
  expect((task as { taskId: string }).taskId).toBe(taskId);
}

describe('fixtures', () => {
  it('every fixture file is covered by a case below', () => {
    const files = readdirSync(FIXTURES).map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual([...Object.keys(TASKS), ...Object.keys(OTHERS)].sort());
  });

  it.each(Object.entries(TASKS))('%s normalizes to its state', async (name, c) => {
    server.use(http.get(`${BASE}/*`, () => HttpResponse.json(fixture(name) as Record<string, unknown>)));
    const snapshot = await client().get(c.ref);
    expect(snapshot.state).toBe(c.state);
    expect(snapshot.raw).toEqual(fixture(name));
    if (c.expect) expect(snapshot).toMatchObject(c.expect);
    if (c.error) expect(snapshot.error?.message).toMatch(c.error);
    else if (c.state !== 'failed') expect(snapshot.error).toBeUndefined();
  });

  it.each(Object.entries(OTHERS))('%s parses with its schema', (name, check) => {
    check(fixture(name));
  });

  it('the verbatim 403 envelope surfaces as an HttpError with Anaplan’s message', async () => {
    server.use(
      http.get(`${BASE}/*`, () =>
        HttpResponse.json(fixture('optimizer-solution-log-forbidden') as Record<string, unknown>, { status: 403 }),
      ),
    );
    const error = await client()
      .get(bulk('118000000002', 'A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 403 });
    expect((error as Error).message).toContain('Forbidden');
  });
});
