import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import { anaplanFake } from '../../src/testing/fakes/anaplan.js';
import { type AnaplanActionTaskRef, anaplan, type TaskSummary } from '../../src/vendors/anaplan/index.js';

const BASE = 'https://api.anaplan.com/2/0';
const TOKEN = 'anaplan-list-token-5c8e2a';
const WS = '8a81b09d5e8c6f27015ece3402487d33';
const MODEL = '75A40874E6B64FA3AE0743278996850F';
const PROCESS = { workspaceId: WS, modelId: MODEL, actionId: '118000000002' };
const LIST_PATH = `${BASE}/workspaces/${WS}/models/${MODEL}/processes/118000000002/tasks`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/anaplan/${name}.json`, import.meta.url), 'utf8'));
const newClient = () => createClient(anaplan, { token: TOKEN, wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0 } });

const summaries = (n: number, creationTime: (i: number) => number | string = (i) => 1535145539157 + i) =>
  Array.from({ length: n }, (_, i) => ({
    taskId: `TASK${String(i).padStart(28, '0')}`,
    taskState: i === 0 ? 'IN_PROGRESS' : 'COMPLETE',
    creationTime: creationTime(i),
  }));

/** Serves `all` with Anaplan's offset paging, the page size capped at `cap`; records each query. */
function servePaged(url: string, all: readonly unknown[], options: { cap?: number; key?: 'tasks' | 'task' } = {}) {
  const queries: Record<string, string>[] = [];
  server.use(
    http.get(url, ({ request }) => {
      const query = Object.fromEntries(new URL(request.url).searchParams);
      queries.push(query);
      const offset = Number(query.offset ?? 0);
      const limit = Math.min(Number(query.limit ?? 5000), options.cap ?? 5000);
      const page = all.slice(offset, offset + limit);
      const paging: Record<string, unknown> = { currentPageSize: page.length, offset, totalSize: all.length };
      if (offset + page.length < all.length) paging.next = `${url}?limit=${limit}&offset=${offset + page.length}`;
      return HttpResponse.json({
        meta: { paging, schema: `${BASE}/models/${MODEL}/objects/task` },
        status: { code: 200, message: 'Success' },
        [options.key ?? 'tasks']: page,
      });
    }),
  );
  return queries;
}

describe('tasks(): a bulk action’s task list', () => {
  it('walks every page with limit and offset, losing and repeating nothing', async () => {
    const all = summaries(5);
    const queries = servePaged(LIST_PATH, all);
    const seen: TaskSummary[] = [];
    for await (const task of newClient().tasks(PROCESS, { limit: 2 })) seen.push(task);
    expect(seen.map((t) => t.taskId)).toEqual(all.map((t) => t.taskId));
    expect(new Set(seen.map((t) => t.taskId)).size).toBe(5);
    expect(queries).toEqual([
      { limit: '2', offset: '0' },
      { limit: '2', offset: '2' },
      { limit: '2', offset: '4' },
    ]);
  });

  it('follows the page size the server sends when it cuts the limit', async () => {
    const all = summaries(7);
    const queries = servePaged(LIST_PATH, all, { cap: 3 });
    const seen = await newClient().tasks(PROCESS, { limit: 5 }).toArray({ limit: Infinity });
    expect(seen.map((t) => t.taskId)).toEqual(all.map((t) => t.taskId));
    expect(queries.map((q) => q.offset)).toEqual(['0', '3', '6']);
  });

  it('gives whole pages with their meta.paging', async () => {
    servePaged(LIST_PATH, summaries(3));
    const pages = [];
    for await (const page of newClient().tasks(PROCESS, { limit: 2 }).pages()) pages.push(page);
    expect(pages.map((p) => [p.items.length, p.meta?.paging?.offset, p.meta?.paging?.totalSize])).toEqual([
      [2, 0, 3],
      [1, 2, 3],
    ]);
  });

  it('passes offset and sort through and starts from that offset', async () => {
    const queries = servePaged(LIST_PATH, summaries(4));
    const seen = await newClient().tasks(PROCESS, { offset: 3, sort: '-creationTime' }).toArray({ limit: 10 });
    expect(seen).toHaveLength(1);
    expect(queries).toEqual([{ offset: '3', sort: '-creationTime' }]);
  });

  it('reads import task lists, which answer `task` instead of `tasks`', async () => {
    const all = summaries(3);
    const url = `${BASE}/workspaces/${WS}/models/${MODEL}/imports/112000000007/tasks`;
    servePaged(url, all, { key: 'task' });
    const seen = await newClient()
      .tasks({ workspaceId: WS, modelId: MODEL, actionId: '112000000007' }, { limit: 2 })
      .toArray({ limit: Infinity });
    expect(seen.map((t) => t.taskId)).toEqual(all.map((t) => t.taskId));
  });

  it('reads Anaplan’s import list example, whose `task` is one object', async () => {
    const url = `${BASE}/workspaces/${WS}/models/${MODEL}/imports/112000000007/tasks`;
    server.use(http.get(url, () => HttpResponse.json(fixture('import-tasks-list-single-task'))));
    const seen = await newClient()
      .tasks({ workspaceId: WS, modelId: MODEL, actionId: '112000000007' })
      .toArray({ limit: 10 });
    expect(seen.map((t) => t.taskId)).toEqual(['9530E1C5CAEB440DAC4E669178787160']);
  });

  it('reads a list without meta as one page', async () => {
    let requests = 0;
    const url = `${BASE}/workspaces/${WS}/models/${MODEL}/actions/117000000019/tasks`;
    server.use(
      http.get(url, () => {
        requests += 1;
        return HttpResponse.json(fixture('action-tasks-list'));
      }),
    );
    const seen = await newClient()
      .tasks({ workspaceId: WS, modelId: MODEL, actionId: '117000000019' })
      .toArray({ limit: 10 });
    expect(seen.map((t) => t.taskState)).toEqual(['COMPLETE']);
    expect(requests).toBe(1);
  });

  it('rejects a bad action or limit before any request', () => {
    const client = newClient();
    expect(() => client.tasks({ workspaceId: WS, modelId: MODEL, actionId: '999000000001' })).toThrow(
      /actionId "999000000001" does not start with 112/,
    );
    expect(() => client.tasks({ workspaceId: WS, modelId: MODEL } as never)).toThrow(ConfigError);
    expect(() => client.tasks(PROCESS, { limit: 0 })).toThrow(/limit must be a whole number of at least 1/);
  });
});

describe('almTasks(): a model’s sync tasks', () => {
  const url = `${BASE}/models/${MODEL}/alm/syncTasks`;

  it('walks the sync tasks, with date-time creation times', async () => {
    const all = summaries(3, (i) => `2025-03-0${i + 1}T10:00:00.000+0000`);
    const queries = servePaged(url, all);
    const seen = await newClient().almTasks({ modelId: MODEL }, { limit: 2 }).toArray({ limit: Infinity });
    expect(seen.map((t) => [t.taskId, t.creationTime])).toEqual(all.map((t) => [t.taskId, t.creationTime]));
    expect(queries.map((q) => q.offset)).toEqual(['0', '2']);
  });

  it('is empty when Anaplan leaves `tasks` out (nothing in the last 48 hours)', async () => {
    server.use(
      http.get(url, () =>
        HttpResponse.json({ meta: { schema: `${BASE}/objects/task` }, status: { code: 200, message: 'Success' } }),
      ),
    );
    expect(await newClient().almTasks({ modelId: MODEL }).toArray({ limit: 10 })).toEqual([]);
  });

  it('needs a modelId', () => {
    expect(() => newClient().almTasks({} as never)).toThrow(/almTasks needs \{ modelId \}/);
  });
});

describe('start() and startAlm()', () => {
  it('starts a bulk action and returns a reference that wait() follows to the end', async () => {
    const posts: { body: unknown; authorization: string | null }[] = [];
    server.use(
      http.post(LIST_PATH, async ({ request }) => {
        posts.push({ body: await request.json(), authorization: request.headers.get('authorization') });
        return HttpResponse.json({
          meta: { schema: `${BASE}/models/${MODEL}/objects/task` },
          status: { code: 200, message: 'Success' },
          task: { taskId: '16605AE88D1D46EDB88FD12DFBA867A9', taskState: 'NOT_STARTED', creationTime: 1571258416552 },
        });
      }),
    );
    const client = newClient();
    const ref = await client.start(PROCESS);
    expectTypeOf(ref).toExtend<AnaplanActionTaskRef>();
    expect(ref).toEqual({ ...PROCESS, actionType: 'processes', taskId: '16605AE88D1D46EDB88FD12DFBA867A9' });
    expect(posts).toEqual([{ body: { localeName: 'en_US' }, authorization: `AnaplanAuthToken ${TOKEN}` }]);

    const kind = anaplanFake.kinds.processes;
    const base = { id: ref.taskId, createdAt: new Date(), updatedAt: new Date() };
    const bodies = [
      kind.render({ ...base, state: 'running', progress: 0.5, poll: 1 }),
      kind.render({ ...base, state: 'succeeded', poll: 2 }),
    ];
    let polls = 0;
    server.use(
      http.get(`${LIST_PATH}/${ref.taskId}`, () =>
        HttpResponse.json(bodies[Math.min(polls++, 1)] as Record<string, unknown>),
      ),
    );
    expect(await client.wait(ref)).toMatchObject({ state: 'succeeded', id: ref.taskId, kind: 'processes' });
  });

  it('reads the bare `{ taskId }` answer some actions give', async () => {
    const url = `${BASE}/workspaces/${WS}/models/${MODEL}/imports/112000000007/tasks`;
    server.use(http.post(url, () => HttpResponse.json(fixture('import-task-created-bare'))));
    const ref = await newClient().start(
      { workspaceId: WS, modelId: MODEL, actionId: '112000000007' },
      { localeName: 'en_GB' },
    );
    expect(ref).toMatchObject({ actionType: 'imports', taskId: '5E6331685CC648A29B725923B8FAEA1C' });
  });

  it('starts an ALM report task with its revisions and returns its reference', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(`${BASE}/models/${MODEL}/alm/comparisonReportTasks`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          { task: { taskId: 'C0FFEE0123456789ABCDEF0123456789', taskState: 'IN_PROGRESS' } },
          { status: 201 },
        );
      }),
    );
    const revisions = {
      sourceRevisionId: 'A1B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4',
      sourceModelId: '11112222333344445555666677778888',
      targetRevisionId: 'B2C3D4E5F6A1B2C3D4E5F6A1B2C3D4E5',
    };
    const ref = await newClient().startAlm({ modelId: MODEL, kind: 'comparisonReportTasks', ...revisions });
    expect(ref).toEqual({ modelId: MODEL, kind: 'comparisonReportTasks', taskId: 'C0FFEE0123456789ABCDEF0123456789' });
    expect(bodies).toEqual([revisions]);
  });
});
