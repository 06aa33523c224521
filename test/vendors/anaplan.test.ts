import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  ConfigError,
  createClient,
  HttpError,
  type RefOf,
  ResponseValidationError,
  type SnapshotOf,
  TaskFailedError,
  type TaskSnapshot,
  type TaskState,
} from '../../src/index.js';
import type { FakeTaskView } from '../../src/testing/fake.js';
import { type AnaplanFakeKind, anaplanFake } from '../../src/testing/fakes/anaplan.js';
import {
  ANAPLAN_STATES,
  type AnaplanTaskRef,
  anaplan,
  type CompletedTask,
  type OtherStateTask,
  type ReportTask,
  type Task,
  type TaskResult,
  type TaskStatus,
} from '../../src/vendors/anaplan/index.js';

const BASE = 'https://api.anaplan.com/2/0';
const TOKEN = 'anaplan-token-7f3a9c1e5b2d4f60';
const FAST = { minDelayMs: 1, maxDelayMs: 2, jitter: 0 };
const WS = '8a81b09d5e8c6f27015ece3402487d33';
const MODEL = '75A40874E6B64FA3AE0743278996850F';
const TASK = '2846F8E2FD624F7FA91EC6E2F6E318C0';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

const newClient = () => createClient(anaplan, { token: TOKEN, wait: FAST, retry: { retries: 0 } });

const view = (state: TaskState, extra: Partial<FakeTaskView> = {}): FakeTaskView => ({
  id: TASK,
  state,
  createdAt: new Date('2025-03-01T08:00:00Z'),
  updatedAt: new Date('2025-03-01T08:00:05Z'),
  poll: 1,
  ...extra,
});

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
}

/** Serves `bodies` one per request at the fake's path of `kind` (the last repeats); records each request. */
function serve(kind: AnaplanFakeKind, bodies: readonly unknown[], method: 'get' | 'delete' = 'get') {
  const seen: Seen[] = [];
  server.use(
    http[method](`${BASE}${anaplanFake.kinds[kind].path}`, ({ request }) => {
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        authorization: request.headers.get('authorization'),
      });
      return HttpResponse.json(bodies[Math.min(seen.length, bodies.length) - 1] as Record<string, unknown>);
    }),
  );
  return seen;
}

/** The fake's renders of `states`, in order, for `kind`. */
const lifecycle = (kind: AnaplanFakeKind, ...views: FakeTaskView[]) =>
  views.map((v, i) => anaplanFake.kinds[kind].render({ ...v, poll: i + 1 }));

const processRef = anaplanFake.ref('processes', TASK);

describe('status table', () => {
  it.each([
    ['NOT_STARTED', 'queued', false],
    ['IN_PROGRESS', 'running', false],
    ['CANCELLING', 'canceling', false],
    ['CANCELLED', 'canceled', true],
    ['PAUSED', 'unknown', false],
  ] as const)('%s is %s (terminal: %s)', async (taskState, state, terminal) => {
    serve('processes', [{ task: { taskId: TASK, taskState, creationTime: 1535145539157 } }]);
    const snapshot = await newClient().get(processRef);
    expect(snapshot).toMatchObject({
      vendor: 'anaplan',
      kind: 'processes',
      id: TASK,
      state,
      terminal,
      rawStatus: taskState,
    });
  });

  it('maps every documented taskState, COMPLETE to succeeded before the payload rules', () => {
    expect(ANAPLAN_STATES).toEqual({
      NOT_STARTED: 'queued',
      IN_PROGRESS: 'running',
      COMPLETE: 'succeeded',
      CANCELLING: 'canceling',
      CANCELLED: 'canceled',
    });
  });
});

describe('bulk action lifecycle', () => {
  it('waits from NOT_STARTED through IN_PROGRESS with progress to a successful COMPLETE', async () => {
    const seen = serve(
      'processes',
      lifecycle(
        'processes',
        view('queued'),
        view('running', { progress: 0.25 }),
        view('running', { progress: 0.75 }),
        view('succeeded', { progress: 1 }),
      ),
    );
    const observed: [TaskState, number | undefined][] = [];
    const done = await newClient().wait(processRef, { onProgress: (s) => observed.push([s.state, s.progress]) });
    expect(observed).toEqual([
      ['queued', undefined],
      ['running', 0.25],
      ['running', 0.75],
      ['succeeded', 1],
    ]);
    expect(done).toMatchObject({ state: 'succeeded', terminal: true, rawStatus: 'COMPLETE', message: 'Complete.' });
    expect(done.createdAt).toBe('2025-03-01T08:00:00.000Z');
    expect(seen.map((s) => s.path)).toEqual(
      Array(4).fill(`/2/0/workspaces/${WS}/models/${MODEL}/processes/118000000002/tasks/${TASK}`),
    );
  });

  it('rejects a COMPLETE task whose result is unsuccessful with TaskFailedError carrying localMessageText', async () => {
    serve(
      'imports',
      lifecycle('imports', view('running', { progress: 0.5 }), view('failed', { error: 'Column Code is missing' })),
    );
    const error = await newClient()
      .wait(anaplanFake.ref('imports', TASK))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const snapshot = (error as TaskFailedError).snapshot;
    expect(snapshot).toMatchObject({ state: 'failed', rawStatus: 'COMPLETE', message: 'Failed.', kind: 'imports' });
    expect(snapshot.error?.message).toBe('Column Code is missing');
    expect((error as Error).message).toContain('Column Code is missing');
  });

  it('resolves partial when the process succeeded but a nested action failed', async () => {
    serve(
      'processes',
      lifecycle(
        'processes',
        view('running', { progress: 0.5 }),
        view('partial', { error: 'Products: 2 rows failed', failedItems: 1, totalItems: 3 }),
      ),
    );
    const done = await newClient().wait(processRef);
    expect(done.state).toBe('partial');
    expect(done.terminal).toBe(true);
    expect(done.error?.message).toBe('1 of 3 nested results failed: 112000000100: Products: 2 rows failed');
  });

  it('a failed nested result deeper down also makes the task partial', async () => {
    const nested = { successful: true, failureDumpAvailable: false, objectId: '118000000003' };
    serve('processes', [
      {
        task: {
          taskId: TASK,
          taskState: 'COMPLETE',
          progress: 1,
          result: {
            successful: true,
            failureDumpAvailable: true,
            nestedResults: [
              {
                ...nested,
                nestedResults: [
                  { successful: false, failureDumpAvailable: true, objectId: '112000000042', details: [] },
                ],
              },
            ],
          },
        },
      },
    ]);
    const snapshot = await newClient().get(processRef);
    expect(snapshot.state).toBe('partial');
    expect(snapshot.error?.message).toContain('112000000042');
  });

  it('CANCELLING then CANCELLED rejects with TaskFailedError for a canceled task', async () => {
    serve(
      'exports',
      lifecycle('exports', view('running', { progress: 0.4 }), view('canceling'), view('canceled', { progress: 0.4 })),
    );
    const states: TaskState[] = [];
    const error = await newClient()
      .wait(anaplanFake.ref('exports', TASK), { onProgress: (s) => states.push(s.state) })
      .catch((e: unknown) => e);
    expect(states).toEqual(['running', 'canceling', 'canceled']);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot).toMatchObject({ state: 'canceled', rawStatus: 'CANCELLED' });
    expect((error as Error).message).toContain('was canceled');
  });

  it('keeps waiting through a taskState it does not know', async () => {
    const seen = serve(
      'actions',
      lifecycle('actions', view('unknown'), view('unknown'), view('succeeded', { progress: 1 })),
    );
    const states: TaskState[] = [];
    const done = await newClient().wait(anaplanFake.ref('actions', TASK), {
      onProgress: (s) => states.push(s.state),
    });
    expect(states).toEqual(['unknown', 'succeeded']);
    expect(done.state).toBe('succeeded');
    expect(seen).toHaveLength(3);
  });

  it('throwOnFailure: false resolves with the failed snapshot instead', async () => {
    serve('processes', lifecycle('processes', view('failed', { error: 'boom' })));
    const done = await newClient().wait(processRef, { throwOnFailure: false });
    expect(done).toMatchObject({ state: 'failed', error: { message: 'boom', code: 'failure' } });
  });

  it('an unsuccessful result without messages still fails, with a message that says why', async () => {
    serve('actions', [
      {
        task: {
          taskId: TASK,
          taskState: 'COMPLETE',
          progress: 1,
          currentStep: 'Failed.',
          result: { successful: false, failureDumpAvailable: false, objectId: '117000000019' },
        },
      },
    ]);
    const snapshot = await newClient().get(anaplanFake.ref('actions', TASK));
    expect(snapshot.state).toBe('failed');
    expect(snapshot.error?.message).toMatch(/successful false/);
  });
});

describe('ALM lifecycle', () => {
  const syncRef = anaplanFake.ref('syncTasks', TASK);

  it('waits for a sync task from IN_PROGRESS to a successful COMPLETE', async () => {
    const seen = serve(
      'syncTasks',
      lifecycle('syncTasks', view('queued'), view('running'), view('running'), view('succeeded')),
    );
    const states: TaskState[] = [];
    const done = await newClient().wait(syncRef, { onProgress: (s) => states.push(s.state) });
    expect(states).toEqual(['queued', 'running', 'succeeded']);
    expect(done).toMatchObject({ kind: 'syncTasks', state: 'succeeded', createdAt: '2025-03-01T08:00:00.000Z' });
    expect(done.progress).toBeUndefined();
    expect(seen[0]?.path).toBe(`/2/0/models/${MODEL}/alm/syncTasks/${TASK}`);
  });

  it('rejects a sync task that completed unsuccessfully, with the error title and text', async () => {
    serve('syncTasks', lifecycle('syncTasks', view('running'), view('failed', { error: 'The model is locked' })));
    const error = await newClient()
      .wait(syncRef)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot.error?.message).toBe('Sync failed: The model is locked');
  });

  it('a comparison report resolves with its reportFileUrl in raw, narrowed on successful', async () => {
    serve('comparisonReportTasks', lifecycle('comparisonReportTasks', view('running'), view('succeeded')));
    const done = await newClient().wait(anaplanFake.ref('comparisonReportTasks', TASK));
    expect(done.kind).toBe('comparisonReportTasks');
    if (done.kind !== 'comparisonReportTasks') throw new Error('unreachable');
    const task = done.raw.task;
    if (task?.taskState !== 'COMPLETE' || task.result?.successful !== true) {
      throw new Error('expected a successful report');
    }
    expectTypeOf(task.result.reportFileUrl).toEqualTypeOf<string | undefined>();
    expect(task.result.reportFileUrl).toMatch(/\/alm\/comparisonReports\/B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5\//);
  });

  it('a summary report failure rejects with the report error', async () => {
    serve(
      'summaryReportTasks',
      lifecycle('summaryReportTasks', view('running'), view('failed', { error: 'Revision not found' })),
    );
    const error = await newClient()
      .wait(anaplanFake.ref('summaryReportTasks', TASK))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const snapshot = (error as TaskFailedError).snapshot as SnapshotOf<typeof anaplan>;
    expect(snapshot.error?.message).toBe('Report failed: Revision not found');
    if (snapshot.kind !== 'summaryReportTasks') throw new Error('unreachable');
    const task = snapshot.raw.task;
    if (task?.taskState !== 'COMPLETE' || task.result?.successful !== false)
      throw new Error('expected a failed report');
    expect(task.result.error).toEqual({ title: 'Report failed', messageText: 'Revision not found' });
  });

  it('the fake refuses ALM outcomes Anaplan cannot express', () => {
    expect(() => anaplanFake.kinds.syncTasks.render(view('partial'))).toThrow(/can't be partial/);
    expect(() => anaplanFake.kinds.summaryReportTasks.render(view('canceled'))).toThrow(/can't be canceled/);
  });
});

describe('validation', () => {
  it('a result of the wrong type, nested ones included, is a ResponseValidationError at its index', async () => {
    serve('processes', [
      {
        task: {
          taskId: TASK,
          taskState: 'COMPLETE',
          progress: 1,
          result: { successful: true, nestedResults: [{ successful: 'yes' }] },
        },
      },
    ]);
    const error = (await newClient()
      .get(processRef)
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ vendor: 'anaplan', model: 'Task', reason: 'schema' });
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['task.result.nestedResults.0.successful']);
    expect(error.message).toContain('task.result.nestedResults.0.successful');
  });

  it('unknown fields are kept in raw', async () => {
    serve('processes', [{ task: { taskId: TASK, taskState: 'IN_PROGRESS', progress: 0.1, newField: { a: 1 } } }]);
    const snapshot = await newClient().get(processRef);
    expect((snapshot.raw as { task: Record<string, unknown> }).task.newField).toEqual({ a: 1 });
  });
});

describe('references', () => {
  const bulk = { workspaceId: WS, modelId: MODEL, taskId: TASK };
  const running = [{ task: { taskId: TASK, taskState: 'IN_PROGRESS', progress: 0.5 } }];

  it.each([
    ['112000000007', 'imports'],
    ['116000000003', 'exports'],
    ['117000000019', 'actions'],
    ['118000000002', 'processes'],
  ] as const)('actionId %s is polled under /%s', async (actionId, kind) => {
    const seen = serve(kind, running);
    const snapshot = await newClient().get({ ...bulk, actionId });
    expect(snapshot.kind).toBe(kind);
    expect(seen[0]?.path).toBe(`/2/0/workspaces/${WS}/models/${MODEL}/${kind}/${actionId}/tasks/${TASK}`);
  });

  it('an explicit actionType wins over the id and makes any id usable', async () => {
    const seen = serve('processes', running);
    await newClient().get({ ...bulk, actionId: '999000000001', actionType: 'processes' });
    expect(seen[0]?.path).toBe(`/2/0/workspaces/${WS}/models/${MODEL}/processes/999000000001/tasks/${TASK}`);
  });

  it('a numeric actionId is taken as its digits', async () => {
    const seen = serve('imports', running);
    await newClient().get({ ...bulk, actionId: 112000000007 });
    expect(seen[0]?.path).toContain('/imports/112000000007/tasks/');
  });

  it('an ALM reference polls /models/{modelId}/alm/{kind}/{taskId}', async () => {
    const seen = serve('summaryReportTasks', [
      { task: { taskId: TASK, taskState: 'IN_PROGRESS', creationTime: 1, currentStep: 'Generating.' } },
    ]);
    const snapshot = await newClient().get({ modelId: MODEL, kind: 'summaryReportTasks', taskId: TASK });
    expect(snapshot.kind).toBe('summaryReportTasks');
    expect(seen[0]?.path).toBe(`/2/0/models/${MODEL}/alm/summaryReportTasks/${TASK}`);
  });

  it.each([
    ['/2/0/models/M/alm/comparisonReportTasks/T1', 'comparisonReportTasks'],
    ['/2/0/models/M/alm/syncTasks/T1', 'syncTasks'],
    ['/2/0/workspaces/W/models/M/exports/116000000003/tasks/T1', 'exports'],
    ['/2/0/workspaces/W/models/M/processes/118000000002/tasks/T1', 'processes'],
  ] as const)('an absolute task URL %s is read as a %s task', async (path, kind) => {
    const alm = kind === 'comparisonReportTasks' || kind === 'syncTasks';
    const body = alm
      ? { task: { taskId: 'T1', taskState: 'IN_PROGRESS', creationTime: 1, currentStep: 'Working.' } }
      : { task: { taskId: 'T1', taskState: 'IN_PROGRESS', progress: 0.2 } };
    server.use(http.get(`https://api.anaplan.com${path}`, () => HttpResponse.json(body)));
    const snapshot = await newClient().get(`https://api.anaplan.com${path}`);
    expect(snapshot).toMatchObject({ kind, id: 'T1', state: 'running' });
  });

  it.each([
    [{ modelId: MODEL, taskId: TASK }, /workspaceId is required.*actionId is required/],
    [{ ...bulk, actionId: '999000000001' }, /does not start with 112 \(imports\).*pass actionType/],
    [{ ...bulk, actionId: '112000000007', actionType: 'deletes' }, /actionType must be one of imports, exports/],
    [{ ...bulk, workspaceId: '  ', actionId: '112000000007' }, /workspaceId must not be empty/],
    [{ modelId: MODEL, kind: 'syncTasks' }, /taskId is required/],
    [{ modelId: MODEL, kind: 'syncTask', taskId: TASK }, /kind must be one of syncTasks/],
    [TASK, /an Anaplan task reference is an object/],
  ])('a bad reference is a ConfigError before any request (%#)', async (ref, message) => {
    const seen = serve('processes', running);
    const error = await newClient()
      .get(ref as AnaplanTaskRef)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('ref');
    expect((error as Error).message).toMatch(message);
    expect(seen).toHaveLength(0);
  });

  it('types: RefOf accepts both reference forms, and nothing without ids', () => {
    type Ref = RefOf<typeof anaplan>;
    expectTypeOf({ workspaceId: WS, modelId: MODEL, actionId: '118000000002', taskId: TASK }).toExtend<Ref>();
    expectTypeOf({
      workspaceId: WS,
      modelId: MODEL,
      actionId: '1',
      actionType: 'imports' as const,
      taskId: TASK,
    }).toExtend<Ref>();
    expectTypeOf({ modelId: MODEL, kind: 'syncTasks' as const, taskId: TASK }).toExtend<Ref>();
    expectTypeOf({ modelId: MODEL, taskId: TASK }).not.toExtend<Ref>();
  });
});

describe('cancel', () => {
  it('sends DELETE to the bulk task URL', async () => {
    const seen = serve('imports', [{ task: { taskId: TASK, taskState: 'CANCELLING' } }], 'delete');
    await newClient().cancel(anaplanFake.ref('imports', TASK));
    expect(seen).toEqual([
      {
        method: 'DELETE',
        path: `/2/0/workspaces/${WS}/models/${MODEL}/imports/112000000007/tasks/${TASK}`,
        authorization: `AnaplanAuthToken ${TOKEN}`,
      },
    ]);
  });

  it('ALM tasks cannot be canceled: a ConfigError and no request', async () => {
    const seen = serve('syncTasks', [{}], 'delete');
    const error = await newClient()
      .cancel(anaplanFake.ref('syncTasks', TASK))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/syncTasks tasks can't be canceled/);
    expect(seen).toHaveLength(0);
  });
});

describe('auth and secrets', () => {
  it('sends Authorization: AnaplanAuthToken <token> on every poll', async () => {
    const seen = serve('processes', lifecycle('processes', view('running', { progress: 0.5 }), view('succeeded')));
    await newClient().wait(processRef);
    expect(seen.map((s) => s.authorization)).toEqual([`AnaplanAuthToken ${TOKEN}`, `AnaplanAuthToken ${TOKEN}`]);
  });

  it('keeps the token out of an HTTP error that echoes it', async () => {
    server.use(
      http.get(`${BASE}${anaplanFake.kinds.processes.path}`, ({ request }) =>
        HttpResponse.json(
          { status: { code: 401, message: `Bad credentials: ${request.headers.get('authorization')}` } },
          { status: 401 },
        ),
      ),
    );
    const error = await newClient()
      .get(processRef)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect((error as Error).message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('keeps the token out of failure and validation errors', async () => {
    serve('processes', lifecycle('processes', view('failed', { error: `rejected token ${TOKEN}` })));
    const failed = await newClient()
      .wait(processRef)
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TaskFailedError);
    expect((failed as Error).message).not.toContain(TOKEN);

    server.resetHandlers();
    serve('processes', [{ task: { taskId: TASK, taskState: 'COMPLETE', result: { successful: `yes ${TOKEN}` } } }]);
    const invalid = await newClient()
      .get(processRef)
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ResponseValidationError);
    expect(JSON.stringify(invalid)).not.toContain(TOKEN);
  });
});

describe('poll pacing', () => {
  it("waits at least Anaplan's 5 s between status checks by default", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const seen = serve('processes', lifecycle('processes', view('running', { progress: 0.1 }), view('succeeded')));
    const client = createClient(anaplan, { token: TOKEN, retry: { retries: 0 } });
    const done = client.wait(processRef);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toHaveLength(2);
    await expect(done).resolves.toMatchObject({ state: 'succeeded' });
  });

  it('a client may still ask for a shorter delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const seen = serve('processes', lifecycle('processes', view('running', { progress: 0.1 }), view('succeeded')));
    const client = createClient(anaplan, { token: TOKEN, wait: { minDelayMs: 1000, jitter: 0 } });
    const done = client.wait(processRef);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toHaveLength(2);
    await expect(done).resolves.toMatchObject({ state: 'succeeded' });
  });
});

describe('types', () => {
  it('a bulk task narrows on taskState, and a report result on successful', () => {
    const task = {} as TaskStatus;
    if (task.taskState === 'COMPLETE') {
      expectTypeOf(task).toEqualTypeOf<CompletedTask>();
      expectTypeOf(task.result).toEqualTypeOf<TaskResult | undefined>();
      expectTypeOf(task.result?.successful).toEqualTypeOf<boolean | undefined>();
      expectTypeOf(task.progress).toEqualTypeOf<number | undefined>();
    }
    switch (task.taskState) {
      case 'NOT_STARTED':
      case 'IN_PROGRESS':
        expectTypeOf(task).toEqualTypeOf<Task>();
        break;
      case 'COMPLETE':
        expectTypeOf(task).toEqualTypeOf<CompletedTask>();
        break;
      default:
        // CANCELLING, CANCELLED, or a state this version does not know.
        expectTypeOf(task).toEqualTypeOf<OtherStateTask>();
    }
    const report = {} as ReportTask;
    if (report.taskState === 'COMPLETE' && report.result !== undefined) {
      if (report.result.successful === true)
        expectTypeOf(report.result.reportFileUrl).toEqualTypeOf<string | undefined>();
      else if (report.result.successful === false) {
        expectTypeOf(report.result.error?.messageText).toEqualTypeOf<string | undefined>();
      }
    }
  });

  it('snapshots are a union on kind, with the raw payload of that kind', () => {
    type Snapshot = SnapshotOf<typeof anaplan>;
    expectTypeOf<Snapshot['kind']>().toEqualTypeOf<
      'imports' | 'exports' | 'actions' | 'processes' | 'syncTasks' | 'comparisonReportTasks' | 'summaryReportTasks'
    >();
    expectTypeOf<Extract<Snapshot, { kind: 'processes' }>['raw']['task']>().toEqualTypeOf<TaskStatus | undefined>();
    expectTypeOf<Extract<Snapshot, { kind: 'summaryReportTasks' }>['raw']['task']>().toEqualTypeOf<
      ReportTask | undefined
    >();
    expectTypeOf<Snapshot>().toExtend<TaskSnapshot>();
  });
});
