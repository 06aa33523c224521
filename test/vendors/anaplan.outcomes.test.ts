// The exact snapshot Anaplan's task payloads give: progress (negative means no step running), the
// failure texts and code of an unsuccessful result, nested results counted at every depth, the
// error of an ALM task, and the kind a task URL names.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';

const BASE = 'https://api.anaplan.com/2/0';
const WS = '8a81b09d5e8c6f27015ece3402487d33';
const MODEL = '75A40874E6B64FA3AE0743278996850F';
const TASK = '2846F8E2FD624F7FA91EC6E2F6E318C0';
const PROCESS_TASK = `${BASE}/workspaces/${WS}/models/${MODEL}/processes/118000000002/tasks/${TASK}`;
const processRef = { workspaceId: WS, modelId: MODEL, actionId: '118000000002', taskId: TASK };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = () =>
  createClient(anaplan, { token: 'anaplan-outcomes-token', wait: { minDelayMs: 1, jitter: 0 }, retry: { retries: 0 } });

const serve = (url: string, body: unknown) => server.use(http.get(url, () => HttpResponse.json(body as object)));
const processSnapshot = async (task: unknown) => {
  serve(PROCESS_TASK, { task });
  return client().get(processRef);
};

describe('bulk task progress and fields', () => {
  it.each([
    [-1, undefined],
    [-0.5, undefined],
    [0, 0],
    [0.4, 0.4],
    [1, 1],
  ])('progress %d gives %s', async (progress, expected) => {
    const snapshot = await processSnapshot({ taskId: TASK, taskState: 'IN_PROGRESS', progress });
    expect(snapshot.state).toBe('running');
    expect(snapshot.progress).toBe(expected);
  });

  it('the current step is the message, and the task keeps its own id', async () => {
    const snapshot = await processSnapshot({
      taskId: 'OWN-ID',
      taskState: 'IN_PROGRESS',
      currentStep: 'Importing rows.',
      progress: 0.5,
    });
    expect(snapshot).toMatchObject({
      id: 'OWN-ID',
      message: 'Importing rows.',
      progress: 0.5,
      rawStatus: 'IN_PROGRESS',
    });
  });
});

describe('an unsuccessful COMPLETE result', () => {
  it('joins the unique texts of the result and of its failed nested results, with the code of the first text', async () => {
    const snapshot = await processSnapshot({
      taskId: TASK,
      taskState: 'COMPLETE',
      result: {
        successful: false,
        details: [
          { localMessageText: '', type: 'EMPTY' },
          { localMessageText: ' row 3 bad ', type: 'ERR_ROW' },
          { localMessageText: 'row 3 bad', type: 'OTHER' },
          { localMessageText: '   ' },
        ],
        nestedResults: [
          { objectId: 'A', successful: true, details: [{ localMessageText: 'fine' }] },
          { objectId: 'B', successful: false, details: [{ localMessageText: 'nested bad' }] },
        ],
      },
    });
    expect(snapshot.state).toBe('failed');
    expect(snapshot.error).toStrictEqual({ message: 'row 3 bad; nested bad', code: 'ERR_ROW' });
  });

  it('without texts: a message that says why, and no code', async () => {
    const snapshot = await processSnapshot({
      taskId: TASK,
      taskState: 'COMPLETE',
      result: { successful: false, details: [{ type: 'NO_TEXT' }] },
    });
    expect(snapshot.state).toBe('failed');
    expect(snapshot.error).toStrictEqual({ message: 'the task completed with result.successful false' });
  });

  it('only COMPLETE reads the result: an IN_PROGRESS task with an unsuccessful result is running', async () => {
    const snapshot = await processSnapshot({ taskId: TASK, taskState: 'IN_PROGRESS', result: { successful: false } });
    expect(snapshot.state).toBe('running');
    expect(snapshot.error).toBeUndefined();
  });
});

describe('nested results', () => {
  it('counts them at every depth, and names a failure two levels down by its objectId and texts', async () => {
    const snapshot = await processSnapshot({
      taskId: TASK,
      taskState: 'COMPLETE',
      result: {
        successful: true,
        nestedResults: [
          {
            objectId: 'A',
            nestedResults: [
              { objectId: 'A1', successful: true },
              {
                objectId: 'A2',
                successful: false,
                details: [{ localMessageText: ' deep ' }, { localMessageText: 'deep' }],
              },
            ],
          },
          { objectId: 'B' },
        ],
      },
    });
    expect(snapshot.state).toBe('partial');
    expect(snapshot.error).toStrictEqual({ message: '1 of 4 nested results failed: A2: deep' });
  });

  it('joins the distinct texts of one failed nested result with semicolons', async () => {
    const snapshot = await processSnapshot({
      taskId: TASK,
      taskState: 'COMPLETE',
      result: {
        successful: true,
        nestedResults: [
          {
            objectId: 'A',
            successful: false,
            details: [{ localMessageText: 'first' }, { localMessageText: 'second' }],
          },
        ],
      },
    });
    expect(snapshot.error).toStrictEqual({ message: '1 of 1 nested results failed: A: first; second' });
  });

  it('a failed nested result without objectId or texts is listed empty; the failure stops the descent', async () => {
    const snapshot = await processSnapshot({
      taskId: TASK,
      taskState: 'COMPLETE',
      result: {
        successful: true,
        nestedResults: [
          { successful: false, nestedResults: [{ objectId: 'C1', successful: false }] },
          { objectId: 'X', successful: false },
        ],
      },
    });
    expect(snapshot.state).toBe('partial');
    expect(snapshot.error?.message).toBe('2 of 3 nested results failed: ; X');
  });

  it('no failed nested result: succeeded, without an error', async () => {
    const snapshot = await processSnapshot({
      taskId: TASK,
      taskState: 'COMPLETE',
      result: { successful: true, nestedResults: [{ objectId: 'A', successful: true, nestedResults: [{}] }] },
    });
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.error).toBeUndefined();
  });
});

describe('ALM tasks', () => {
  const sync = { modelId: MODEL, kind: 'syncTasks', taskId: TASK } as const;
  const syncUrl = `${BASE}/models/${MODEL}/alm/syncTasks/${TASK}`;

  it('a blank title is left out of the error text', async () => {
    serve(syncUrl, {
      task: {
        taskId: TASK,
        taskState: 'COMPLETE',
        result: { successful: false, error: { title: '  ', messageText: 'locked' } },
      },
    });
    const snapshot = await client().get(sync);
    expect(snapshot.state).toBe('failed');
    expect(snapshot.error).toStrictEqual({ message: 'locked' });
  });

  it('joins title and text with a colon; without an error object, says why it failed', async () => {
    serve(syncUrl, {
      task: {
        taskId: TASK,
        taskState: 'COMPLETE',
        result: { successful: false, error: { title: 'Sync failed', messageText: 'model locked' } },
      },
    });
    expect((await client().get(sync)).error).toStrictEqual({ message: 'Sync failed: model locked' });
    server.resetHandlers();
    serve(syncUrl, { task: { taskId: TASK, taskState: 'COMPLETE', result: { successful: false } } });
    const snapshot = await client().get(sync);
    expect(snapshot.state).toBe('failed');
    expect(snapshot.error).toStrictEqual({ message: 'the task completed with result.successful false' });
  });

  it('a string currentStep is the message; one of another type is left out', async () => {
    serve(syncUrl, { task: { taskId: TASK, taskState: 'IN_PROGRESS', currentStep: 'Comparing.' } });
    expect((await client().get(sync)).message).toBe('Comparing.');
    server.resetHandlers();
    serve(syncUrl, { task: { taskId: TASK, taskState: 'IN_PROGRESS', currentStep: 7 } });
    const snapshot = await client().get(sync);
    expect(snapshot.state).toBe('running');
    expect(snapshot.message).toBeUndefined();
  });

  it('an unsuccessful result on a task not COMPLETE is not read', async () => {
    serve(syncUrl, {
      task: { taskId: TASK, taskState: 'IN_PROGRESS', result: { successful: false, error: { title: 'x' } } },
    });
    const snapshot = await client().get(sync);
    expect(snapshot.state).toBe('running');
    expect(snapshot.error).toBeUndefined();
  });
});

describe('a task URL names its kind', () => {
  it.each([
    [`${BASE}/models/${MODEL}/alm/syncTasks/${TASK}`, 'syncTasks'],
    [`${BASE}/models/${MODEL}/alm/comparisonReportTasks/${TASK}/`, 'comparisonReportTasks'],
    [`${BASE}/workspaces/${WS}/models/${MODEL}/imports/112000000001/tasks/${TASK}`, 'imports'],
    [`${BASE}/workspaces/${WS}/models/${MODEL}/exports/116000000001/tasks/${TASK}/`, 'exports'],
    [`${BASE}/workspaces/${WS}/models/${MODEL}/somewhere/${TASK}`, 'actions'],
    // A path that goes on past the task id names no kind.
    [`${BASE}/models/${MODEL}/alm/syncTasks/${TASK}/more`, 'actions'],
    [`${BASE}/workspaces/${WS}/models/${MODEL}/imports/112000000001/tasks/${TASK}/more`, 'actions'],
  ])('%s is a %s task', async (url, kind) => {
    serve(url, { task: { taskId: TASK, taskState: 'IN_PROGRESS' } });
    const snapshot = await client().get(url as `https://${string}`);
    expect(snapshot.kind).toBe(kind);
  });
});
