// What the published Anaplan specs allow and the community SDK's models did not: every field of a
// task optional, a result without `successful`, an ALM error with one part, a list item without
// `creationTime`, and paging that would go backwards.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, PagingError, ResponseValidationError, TaskFailedError } from '../../src/index.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';

const BASE = 'https://api.anaplan.com/2/0';
const WS = '8a81b09d5e8c6f27015ece3402487d33';
const MODEL = '75A40874E6B64FA3AE0743278996850F';
const TASK = '2846F8E2FD624F7FA91EC6E2F6E318C0';
const PROCESS = { workspaceId: WS, modelId: MODEL, actionId: '118000000002' };
const PROCESS_TASKS = `${BASE}/workspaces/${WS}/models/${MODEL}/processes/118000000002/tasks`;
const processRef = { ...PROCESS, taskId: TASK };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const newClient = () =>
  createClient(anaplan, {
    token: 'anaplan-tolerance-token',
    wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0 },
    retry: { retries: 0 },
  });

/** Answers GET `url` with `body`; returns the queries asked. */
function answer(url: string, body: unknown, method: 'get' | 'post' = 'get') {
  const queries: Record<string, string>[] = [];
  server.use(
    http[method](url, ({ request }) => {
      queries.push(Object.fromEntries(new URL(request.url).searchParams));
      return HttpResponse.json(body as Record<string, unknown>);
    }),
  );
  return queries;
}

const serveProcess = (task: unknown) => answer(`${PROCESS_TASKS}/${TASK}`, task === undefined ? {} : { task });
const serveAlm = (kind: string, task: unknown) => answer(`${BASE}/models/${MODEL}/alm/${kind}/${TASK}`, { task });

describe('bulk tasks: every field optional, as in the Integration API spec', () => {
  it('a COMPLETE task whose result says neither successful nor failureDumpAvailable has succeeded', async () => {
    serveProcess({ taskId: TASK, taskState: 'COMPLETE', progress: 1, result: { objectId: '118000000002' } });
    const snapshot = await newClient().get(processRef);
    expect(snapshot).toMatchObject({ state: 'succeeded', terminal: true, progress: 1 });
    expect(snapshot.error).toBeUndefined();
  });

  it('a nested result without successful is not known to have failed; one with false makes the process partial', async () => {
    serveProcess({
      taskId: TASK,
      taskState: 'COMPLETE',
      result: {
        successful: true,
        nestedResults: [
          { objectId: '112000000001' },
          { objectId: '112000000002', successful: false, details: [{ localMessageText: 'bad row 7' }] },
        ],
      },
    });
    const snapshot = await newClient().get(processRef);
    expect(snapshot.state).toBe('partial');
    expect(snapshot.error?.message).toBe('1 of 2 nested results failed: 112000000002: bad row 7');
  });

  it('a COMPLETE task without progress or result has succeeded, and its snapshot has no progress', async () => {
    serveProcess({ taskId: TASK, taskState: 'COMPLETE' });
    const snapshot = await newClient().get(processRef);
    expect(snapshot.state).toBe('succeeded');
    expect('progress' in snapshot).toBe(false);
  });

  it('a CANCELLED task with a partial result reaches canceled', async () => {
    serveProcess({ taskId: TASK, taskState: 'CANCELLED', result: { objectId: '118000000002', nestedResults: [{}] } });
    const error = await newClient()
      .wait(processRef)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot).toMatchObject({ state: 'canceled', rawStatus: 'CANCELLED' });
  });

  it('a task without taskId takes the id of the reference', async () => {
    serveProcess({ taskState: 'IN_PROGRESS', progress: 0.25 });
    const snapshot = await newClient().get(processRef);
    expect(snapshot).toMatchObject({ id: TASK, state: 'running', progress: 0.25 });
  });

  it('a body without a task, or a task without taskState, is unknown and the wait goes on', async () => {
    serveProcess(undefined);
    expect(await newClient().get(processRef)).toMatchObject({ id: TASK, state: 'unknown', rawStatus: '' });
    server.resetHandlers();
    serveProcess({ taskId: TASK, currentStep: 'Queued.' });
    expect(await newClient().get(processRef)).toMatchObject({ state: 'unknown', message: 'Queued.' });
  });
});

describe('ALM tasks: every field optional, as in the ALM spec', () => {
  it.each([
    ['only a title', { title: 'Sync failed' }, 'Sync failed'],
    ['only a message text', { messageText: 'The model is locked' }, 'The model is locked'],
    ['both', { title: 'Sync failed', messageText: 'The model is locked' }, 'Sync failed: The model is locked'],
    ['neither', {}, 'the task completed with result.successful false'],
  ])('a failed sync whose error has %s fails with that text', async (_, error, message) => {
    serveAlm('syncTasks', { taskId: TASK, taskState: 'COMPLETE', result: { successful: false, error } });
    const snapshot = await newClient().get({ modelId: MODEL, kind: 'syncTasks', taskId: TASK });
    expect(snapshot.state).toBe('failed');
    expect(snapshot.error?.message).toBe(message);
  });

  it('a report error with only a messageText rejects the wait with that text', async () => {
    serveAlm('summaryReportTasks', {
      taskId: TASK,
      taskState: 'COMPLETE',
      result: { successful: false, error: { messageText: 'Revision not found' } },
    });
    const error = await newClient()
      .wait({ modelId: MODEL, kind: 'summaryReportTasks', taskId: TASK })
      .catch((e: unknown) => e);
    expect((error as TaskFailedError).snapshot.error?.message).toBe('Revision not found');
  });

  it('a successful report without reportFileUrl, and a report whose result lacks successful, have succeeded', async () => {
    serveAlm('comparisonReportTasks', { taskId: TASK, taskState: 'COMPLETE', result: { successful: true } });
    const ref = { modelId: MODEL, kind: 'comparisonReportTasks', taskId: TASK } as const;
    expect(await newClient().wait(ref)).toMatchObject({ state: 'succeeded' });
    server.resetHandlers();
    serveAlm('comparisonReportTasks', { taskState: 'COMPLETE', result: { targetRevisionId: 'B' } });
    expect(await newClient().wait(ref)).toMatchObject({ id: TASK, state: 'succeeded' });
  });
});

describe('lists and starting tasks', () => {
  it('an item without creationTime (or any other field) is yielded, not the page rejected', async () => {
    const items = [{ taskId: 'A', taskState: 'COMPLETE' }, { taskState: 'IN_PROGRESS' }, {}];
    answer(PROCESS_TASKS, { meta: { schema: 's' }, tasks: items });
    expect(await newClient().tasks(PROCESS).toArray({ limit: 10 })).toEqual(items);
  });

  it('a sync task list item with a date-time creationTime and no taskId is yielded', async () => {
    const items = [{ taskState: 'COMPLETE', creationTime: '2025-03-01T08:00:00Z', result: { successful: true } }];
    answer(`${BASE}/models/${MODEL}/alm/syncTasks`, { tasks: items });
    expect(await newClient().almTasks({ modelId: MODEL }).toArray({ limit: 10 })).toEqual(items);
  });

  it('start() takes the task id from taskUrl when the answer has no taskId', async () => {
    answer(PROCESS_TASKS, { task: { taskUrl: `${PROCESS_TASKS}/ABC123?x=1` } }, 'post');
    expect(await newClient().start(PROCESS)).toMatchObject({ taskId: 'ABC123', actionType: 'processes' });
  });

  it('start() fails with a ResponseValidationError naming task.taskId when the answer has no id at all', async () => {
    answer(PROCESS_TASKS, { task: { taskState: 'NOT_STARTED' } }, 'post');
    const error = await newClient()
      .start(PROCESS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ vendor: 'anaplan', model: 'TaskWithUrl' });
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['task', 'taskId']]);
  });
});

describe('paging that would go backwards ends the walk', () => {
  const page = (offset: number, currentPageSize: number, totalSize: number, n = 1) => ({
    meta: { schema: 's', paging: { offset, currentPageSize, totalSize } },
    tasks: Array.from({ length: n }, (_, i) => ({ taskId: `T${offset}-${i}` })),
  });

  it('a negative offset ends the walk with a PagingError, and no negative offset is ever sent', async () => {
    const queries = answer(PROCESS_TASKS, page(-26446342, 5, 100, 5));
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const task of newClient().tasks(PROCESS, { prefetch: 0 })) seen.push(task);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as PagingError).message).toContain('the next offset would be -26446337, which is not past 0');
    expect(seen).toHaveLength(5);
    expect(queries.map((q) => q.offset)).toEqual(['0']);
  });

  it('a next offset not past the current one ends the walk with a PagingError', async () => {
    const queries = answer(PROCESS_TASKS, page(0, 2, 10, 2));
    const error = await newClient()
      .tasks(PROCESS, { offset: 4 })
      .toArray({ limit: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as PagingError).pages).toBe(1);
    expect(queries.map((q) => q.offset)).toEqual(['4']);
  });

  it('an empty page that still says there is more ends the walk with a PagingError', async () => {
    answer(PROCESS_TASKS, page(0, 0, 10, 0));
    await expect(newClient().tasks(PROCESS).toArray({ limit: 100 })).rejects.toBeInstanceOf(PagingError);
  });

  it('a page that reaches totalSize is the last, whatever its offset says', async () => {
    const queries = answer(PROCESS_TASKS, page(-3, 4, 1, 1));
    expect(await newClient().tasks(PROCESS).toArray({ limit: 100 })).toEqual([{ taskId: 'T-3-0' }]);
    expect(queries).toHaveLength(1);
  });
});
