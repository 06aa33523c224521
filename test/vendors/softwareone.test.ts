import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  createClient,
  HttpError,
  PagingError,
  ResponseValidationError,
  TaskFailedError,
  type TaskSnapshot,
  type TaskState,
  toIso,
} from '../../src/index.js';
import type { FakeTaskView } from '../../src/testing/fake.js';
import { softwareOneFake } from '../../src/testing/fakes/softwareone.js';
import {
  ListMetaSchema,
  PlatformErrorSchema,
  softwareOne,
  type Task,
  type TaskLog,
  TaskLogSchema,
  TaskSchema,
  type TaskStatus,
} from '../../src/vendors/softwareone/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const BASE = 'https://api.platform.softwareone.com/public';
const TASKS = `${BASE}/v1/system/tasks`;
const ID = 'TSK-0001-2474-4798-1266';
const TOKEN = 'swo-token-5f2c9a7e1d';
const fast = { token: TOKEN, wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0 }, retry: { retries: 0 } };

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/softwareone/${name}`, import.meta.url), 'utf8'));
}

const T0 = new Date('2025-09-04T09:03:08.790Z');
function view(state: TaskState, extra: Partial<FakeTaskView> = {}): FakeTaskView {
  return { id: ID, state, createdAt: T0, updatedAt: new Date(T0.getTime() + 1000), poll: 1, ...extra };
}
const render = (v: FakeTaskView) => softwareOneFake.kinds.task.render(v) as Record<string, unknown>;

/** Serves `bodies` one per poll of task `id` (the last one repeats) and records the requests. */
function serveTask(bodies: unknown[], id = ID) {
  const seen: Request[] = [];
  server.use(
    http.get(`${TASKS}/:id`, ({ request, params }) => {
      if (params.id !== id) return HttpResponse.json({ title: 'Not Found', status: 404 }, { status: 404 });
      seen.push(request.clone());
      return HttpResponse.json(bodies[Math.min(seen.length, bodies.length) - 1] as Record<string, unknown>);
    }),
  );
  return seen;
}

describe('the documented payloads', () => {
  it('normalizes the minimal Task example to a completed task with its description', async () => {
    serveTask([fixture('task-completed-minimal.json')]);
    const snapshot = await createClient(softwareOne, fast).get(ID);
    expect(snapshot).toMatchObject({
      vendor: 'softwareone',
      kind: 'task',
      id: ID,
      state: 'succeeded',
      terminal: true,
      rawStatus: 'Completed',
      progress: 1,
      message: "Transferring buyer 'BUY-1190-0394' to account 'ACC-5563-4382'",
    });
    expect(snapshot.createdAt).toBeUndefined();
    expect(snapshot.error).toBeUndefined();
    expect(snapshot.raw).toEqual(fixture('task-completed-minimal.json'));
  });

  it('reads the complete Task example: audit dates, access list and owner', async () => {
    serveTask([fixture('task-completed-complete.json')]);
    const snapshot = await createClient(softwareOne, fast).get(ID);
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.createdAt).toBe('2025-09-04T09:03:08.790Z');
    expect(snapshot.updatedAt).toBe('2025-09-04T09:03:20.669Z');
    expect(snapshot.completedAt).toBe('2025-09-04T09:03:20.668Z');
    expect(snapshot.raw.access?.[0]).toMatchObject({ id: 'ACC-0000-0001', type: 'Operations', status: 'Active' });
    expect(snapshot.raw.owner).toEqual({ id: 'SVC-0001', name: 'platform', revision: 1 });
  });

  it('parses the task log example, whose eta has a space as date separator', () => {
    const log = TaskLogSchema.parse(fixture('task-log-complete.json'));
    expect(log.task?.id).toBe('TSK-5498-1544-6054-5440');
    expect(log.eta).toBe('2025-09-12 13:40:13.515Z');
    expect(toIso(log.eta)).toBe('2025-09-12T13:40:13.515Z');
    expect(log.audit?.created?.by?.id).toBe('SVC-0001');
  });

  it('parses both forms of the Error object and the count-only list envelope', () => {
    const map = PlatformErrorSchema.parse(fixture('error-bad-request.json'));
    expect(map.errors).toEqual({ mistake: ['Unknown expression group.'] });
    const list = PlatformErrorSchema.parse(fixture('error-with-parameters.json'));
    expect(Array.isArray(list.errors) && list.errors[1]?.properties).toEqual(['externalId']);
    const meta = ListMetaSchema.parse(fixture('rql-count-only.json').$meta);
    expect(meta.pagination).toEqual({ total: 42, limit: 0, offset: 0 });
  });
});

describe('status mapping', () => {
  const cases: [TaskStatus | (string & {}), TaskState][] = [
    ['Queued', 'queued'],
    ['Blocked', 'blocked'],
    ['Processing', 'running'],
    ['Rescheduled', 'queued'],
    ['Completed', 'succeeded'],
    ['Failed', 'failed'],
    ['queued', 'queued'],
    ['processing', 'running'],
    ['rescheduled', 'queued'],
    ['completed', 'succeeded'],
    ['failed', 'failed'],
    ['BLOCKED', 'blocked'],
    ['COMPLETED', 'succeeded'],
    ['FAILED', 'failed'],
    ['Suspended', 'unknown'],
  ];
  it.each(cases)('status %s is %s, whatever its casing', async (status, state) => {
    serveTask([{ ...fixture('task-completed-minimal.json'), status }]);
    const snapshot = await createClient(softwareOne, fast).get(ID);
    expect(snapshot.state).toBe(state);
    expect(snapshot.rawStatus).toBe(status);
  });
});

describe('waiting', () => {
  it('follows Queued → Processing at 21.3% → Completed, with the eta in the snapshot', async () => {
    const eta = new Date('2025-09-04T09:05:00.000Z');
    const processing = render(view('running', { progress: 0.213, eta, poll: 2 }));
    expect(processing.progress).toBe(21.3);
    const seen = serveTask([
      render(view('queued')),
      processing,
      render(view('succeeded', { progress: 1, completedAt: new Date('2025-09-04T09:03:20.668Z'), poll: 3 })),
    ]);
    const client = createClient(softwareOne, fast);
    const observed: TaskSnapshot[] = [];
    const done = await client.wait(ID, { onProgress: (s) => observed.push(s) });
    expect(observed.map((s) => [s.rawStatus, s.state, s.progress])).toEqual([
      ['Queued', 'queued', undefined],
      ['Processing', 'running', 0.213],
      ['Completed', 'succeeded', 1],
    ]);
    expect(observed[1]?.eta).toBe(eta.toISOString());
    expect(done.completedAt).toBe('2025-09-04T09:03:20.668Z');
    expect(seen).toHaveLength(3);
  });

  it('rejects with TaskFailedError when the task fails, with no invented error text', async () => {
    const failedAt = new Date('2025-09-04T09:04:00.000Z');
    serveTask([render(view('running', { progress: 0.5 })), render(view('failed', { completedAt: failedAt }))]);
    const error = await createClient(softwareOne, fast)
      .wait(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const snapshot = (error as TaskFailedError).snapshot;
    expect(snapshot).toMatchObject({
      state: 'failed',
      rawStatus: 'Failed',
      terminal: true,
      completedAt: failedAt.toISOString(),
    });
    expect(snapshot.error).toBeUndefined();
  });

  it('keeps waiting through Blocked, Rescheduled and an unknown status', async () => {
    const queued = render(view('queued'));
    const seen = serveTask([
      render(view('blocked')),
      { ...queued, status: 'Rescheduled' },
      { ...queued, status: 'Suspended' },
      { ...queued, status: 'rescheduled' },
      fixture('task-completed-minimal.json'),
    ]);
    const states: string[] = [];
    const done = await createClient(softwareOne, fast).wait(ID, { onProgress: (s) => states.push(s.state) });
    expect(done.state).toBe('succeeded');
    expect(seen).toHaveLength(5);
    expect(states).toEqual(['blocked', 'queued', 'unknown', 'queued', 'succeeded']);
  });

  it('does not report a completion date for a task rescheduled after an earlier run', async () => {
    const task = fixture('task-completed-complete.json');
    serveTask([{ ...task, status: 'Rescheduled' }]);
    const snapshot = await createClient(softwareOne, fast).get(ID);
    expect(snapshot.state).toBe('queued');
    expect(snapshot.completedAt).toBeUndefined();
  });
});

describe('validation', () => {
  it('names the missing required field of a Task', async () => {
    const { status: _status, ...body } = fixture('task-completed-minimal.json');
    serveTask([body]);
    const error = await createClient(softwareOne, fast)
      .get(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ vendor: 'softwareone', model: 'Task', reason: 'schema' });
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['status']]);
  });

  it('names a field of the wrong type, nested ones included', async () => {
    serveTask([{ ...fixture('task-completed-complete.json'), progress: '21.3', audit: { created: { at: 7 } } }]);
    const error = (await createClient(softwareOne, fast)
      .get(ID)
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    const paths = error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['progress', 'audit.created.at']);
  });

  it('accepts a response id in another digit grouping, and keeps unknown fields', async () => {
    serveTask([{ ...fixture('task-completed-minimal.json'), id: 'TSK-1234-1234-1234', newField: { x: 1 } }]);
    const snapshot = await createClient(softwareOne, fast).get(ID);
    expect(snapshot.id).toBe('TSK-1234-1234-1234');
    expect(snapshot.raw).toMatchObject({ newField: { x: 1 } });
  });
});

describe('references', () => {
  it.each([
    'BUY-1190-0394',
    'TSK-0001-2474-4798',
    'tsk-0001-2474-4798-1266',
    'TSK-000A-2474-4798-1266',
    'TSK-0001-2474-4798-1266-0000',
    '',
  ])('rejects %j with a ConfigError that shows the id form, before any request', async (ref) => {
    const seen = serveTask([fixture('task-completed-minimal.json')]);
    const error = await createClient(softwareOne, fast)
      .get(ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('ref');
    expect((error as Error).message).toContain('TSK-XXXX-YYYY-YYYY-YYYY');
    expect(seen).toHaveLength(0);
  });

  it('trims the id, and takes the task URL too', async () => {
    const seen = serveTask([fixture('task-completed-minimal.json')]);
    const client = createClient(softwareOne, fast);
    expect((await client.get(`  ${ID}\n`)).id).toBe(ID);
    expect((await client.get(`${TASKS}/${ID}`)).id).toBe(ID);
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual([
      `/public/v1/system/tasks/${ID}`,
      `/public/v1/system/tasks/${ID}`,
    ]);
  });
});

describe('auth and errors', () => {
  it('sends the token as a Bearer Authorization header', async () => {
    const seen = serveTask([fixture('task-completed-minimal.json')]);
    await createClient(softwareOne, fast).get(ID);
    expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('turns a problem+json 404 into an HttpError carrying title, detail and traceId', async () => {
    const problem = softwareOneFake.errorBody(404, `Task ${ID} not found.`);
    server.use(
      http.get(`${TASKS}/:id`, () =>
        HttpResponse.json(problem.body as Record<string, unknown>, {
          status: 404,
          headers: { 'content-type': problem.contentType },
        }),
      ),
    );
    const error = await createClient(softwareOne, fast)
      .get(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 404,
      problem: { title: 'Not Found', detail: `Task ${ID} not found.`, traceId: expect.stringMatching(/^00-/) },
    });
    expect(PlatformErrorSchema.safeParse((error as HttpError).problem).success).toBe(true);
  });

  it('keeps the documented 400 envelope, validation errors included, in HttpError.problem', async () => {
    server.use(
      http.get(TASKS, () =>
        HttpResponse.json(fixture('error-bad-request.json'), {
          status: 400,
          headers: { 'content-type': 'application/problem+json' },
        }),
      ),
    );
    const error = await createClient(softwareOne, fast)
      .tasks({ rql: 'bogus(' })
      .toArray({ limit: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).problem).toMatchObject({
      title: 'Bad Request',
      detail: 'One or more validation errors occurred.',
      traceId: '00-9e02a91b64ac56904703a3a69ea9101d-56be90a29d0b0b25-00',
      errors: { mistake: ['Unknown expression group.'] },
    });
    expect((error as Error).message).toContain('One or more validation errors occurred.');
  });

  it('never puts the token in an error, even when the server echoes it', async () => {
    server.use(
      http.get(`${TASKS}/:id`, ({ request }) =>
        HttpResponse.json(
          {
            type: 'about:blank',
            title: 'Unauthorized',
            status: 401,
            detail: `Bad token ${request.headers.get('authorization')}`,
          },
          { status: 401 },
        ),
      ),
    );
    const error = await createClient(softwareOne, fast)
      .get(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(String((error as Error).stack)).not.toContain(TOKEN);
  });
});

describe('result()', () => {
  const buyer = { id: 'BUY-1190-0394', name: 'Stark Industries', status: 'Active' };

  it("follows the task's relative result URI against the base URL's origin", async () => {
    const base = 'https://sandbox.softwareone.test/public';
    const seen: string[] = [];
    server.use(
      http.get(`${base}/v1/system/tasks/:id`, ({ request }) => {
        seen.push(request.headers.get('authorization') ?? '');
        return HttpResponse.json(fixture('task-completed-minimal.json'));
      }),
      http.get(`${base}/v1/accounts/buyers/:id`, ({ request }) => {
        seen.push(request.headers.get('authorization') ?? '');
        return HttpResponse.json(buyer);
      }),
    );
    const client = createClient(softwareOne, { ...fast, baseUrl: base });
    const Buyer = z.looseObject({ id: z.string(), name: z.string() });
    const result = await client.result(ID, { schema: Buyer });
    expectTypeOf(result.name).toEqualTypeOf<string>();
    expect(result).toEqual(buyer);
    expect(seen).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('takes the snapshot from wait() without fetching the task again', async () => {
    const taskRequests = serveTask([fixture('task-completed-minimal.json')]);
    server.use(http.get(`${BASE}/v1/accounts/buyers/BUY-1190-0394`, () => HttpResponse.json(buyer)));
    const client = createClient(softwareOne, fast);
    const done = await client.wait(ID);
    expect(await client.result(done)).toEqual(buyer);
    expect(taskRequests).toHaveLength(1);
  });

  it('asks GET /v1/system/tasks/{id}/result when the task names no result URI', async () => {
    const { result: _result, ...task } = fixture('task-completed-minimal.json');
    serveTask([task]);
    server.use(http.get(`${TASKS}/:id/result`, ({ params }) => HttpResponse.json({ transferred: params.id })));
    expect(await createClient(softwareOne, fast).result(ID)).toEqual({ transferred: ID });
  });

  it('refuses a result URI on another origin, so the token stays home: the answer is at fault, not the call', async () => {
    serveTask([{ ...fixture('task-completed-minimal.json'), result: 'https://files.example.com/r.json' }]);
    const error = await createClient(softwareOne, fast)
      .result(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ model: 'Task', reason: 'schema', url: `${BASE}/v1/system/tasks/${ID}` });
    expect((error as ResponseValidationError).issues[0]?.path).toEqual(['result']);
    expect((error as ResponseValidationError).issues[0]?.message).toMatch(/https:\/\/files\.example\.com/);
  });

  it('validates the result with the given schema', async () => {
    serveTask([fixture('task-completed-minimal.json')]);
    server.use(http.get(`${BASE}/v1/accounts/buyers/:id`, () => HttpResponse.json({ id: 7 })));
    const error = await createClient(softwareOne, fast)
      .result(ID, { schema: z.object({ id: z.string() }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]?.path).toEqual(['id']);
  });
});

/** An RQL list endpoint over `items`, honouring limit and offset, recording each query. */
function serveList(url: string, items: unknown[], maxLimit = 100) {
  const queries: URLSearchParams[] = [];
  const raw: string[] = [];
  server.use(
    http.get(url, ({ request }) => {
      const u = new URL(request.url);
      queries.push(u.searchParams);
      raw.push(u.search);
      const limit = Math.min(maxLimit, Number(u.searchParams.get('limit') ?? 10));
      const offset = Number(u.searchParams.get('offset') ?? 0);
      return HttpResponse.json({
        $meta: { pagination: { offset, limit, total: items.length } },
        data: items.slice(offset, offset + limit),
      });
    }),
  );
  return { queries, raw };
}

describe('logs()', () => {
  const template = TaskLogSchema.parse(fixture('task-log-complete.json'));
  const logs = Array.from({ length: 7 }, (_, i) => ({
    ...template,
    id: `TLR-1930-6351-9137-${5141 + i}`,
    progress: i * 10,
  }));

  it('walks every page of the task log once, in order', async () => {
    const { queries } = serveList(`${TASKS}/${ID}/logs`, logs);
    const client = createClient(softwareOne, fast);
    const seen: TaskLog[] = [];
    for await (const log of client.logs(ID, { pageSize: 3 })) seen.push(log);
    expect(seen.map((l) => l.id)).toEqual(logs.map((l) => l.id));
    expect(queries.map((q) => [q.get('limit'), q.get('offset')])).toEqual([
      ['3', '0'],
      ['3', '3'],
      ['3', '6'],
    ]);
    expectTypeOf(seen[0]?.severity).toEqualTypeOf<string | undefined>();
  });

  it('exposes each page with its $meta', async () => {
    serveList(`${TASKS}/${ID}/logs`, logs);
    const pages = [];
    for await (const page of createClient(softwareOne, fast).logs(ID, { pageSize: 5 }).pages()) pages.push(page);
    expect(pages.map((p) => [p.items.length, p.meta.pagination?.offset, p.meta.pagination?.total])).toEqual([
      [5, 0, 7],
      [2, 5, 7],
    ]);
  });

  it('clamps the page size to the platform maximum of 100', async () => {
    const { queries } = serveList(`${TASKS}/${ID}/logs`, logs);
    await createClient(softwareOne, fast).logs(ID, { pageSize: 500 }).toArray({ limit: Infinity });
    expect(queries[0]?.get('limit')).toBe('100');
  });

  it("reads the task's id from the task when given its URL or a snapshot", async () => {
    const taskRequests = serveTask([fixture('task-completed-minimal.json')]);
    const { queries } = serveList(`${TASKS}/${ID}/logs`, logs);
    const client = createClient(softwareOne, fast);
    const viaUrl = await client.logs({ url: `v1/system/tasks/${ID}` }, { pageSize: 2 }).toArray({ limit: Infinity });
    expect(viaUrl).toHaveLength(logs.length);
    const snapshot = await client.get(ID);
    expect(await client.logs(snapshot).toArray({ limit: Infinity })).toHaveLength(logs.length);
    expect(taskRequests).toHaveLength(2);
    expect(queries).toHaveLength(5);
  });

  it('rejects a bad task id with a ConfigError and sends nothing', async () => {
    const { queries } = serveList(`${TASKS}/:id/logs`, logs);
    await expect(createClient(softwareOne, fast).logs('TSK-12').toArray({ limit: 1 })).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect(queries).toHaveLength(0);
  });
});

describe('tasks()', () => {
  const tasks = Array.from({ length: 5 }, (_, i) => render(view('succeeded', { id: `TSK-0001-2474-4798-126${i}` })));

  it('walks every page of the task list, no task lost or repeated', async () => {
    serveList(TASKS, tasks, 2);
    const all = await createClient(softwareOne, fast).tasks({ pageSize: 2 }).toArray({ limit: Infinity });
    expect(all.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
    expectTypeOf(all).toEqualTypeOf<Task[]>();
  });

  it('follows the page size the server really used when it caps the limit', async () => {
    const { queries } = serveList(TASKS, tasks, 2);
    const all = await createClient(softwareOne, fast).tasks({ pageSize: 4 }).toArray({ limit: Infinity });
    expect(all.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
    expect(queries.map((q) => q.get('offset'))).toEqual(['0', '2', '4']);
  });

  it('appends a raw RQL filter to the query string, not as ?rql=, and owns limit and offset', async () => {
    const { raw, queries } = serveList(TASKS, tasks);
    await createClient(softwareOne, fast)
      .tasks({ rql: '?and(eq(status,Failed),eq(code,accounts.buyers.transfer))&order=-audit.created.at&limit=7' })
      .toArray({ limit: Infinity });
    expect(raw[0]).toBe(
      '?and(eq(status,Failed),eq(code,accounts.buyers.transfer))&order=-audit.created.at&limit=100&offset=0',
    );
    expect(queries[0]?.has('rql')).toBe(false);
  });

  it('stops with a PagingError when the server ignores the offset, instead of repeating tasks', async () => {
    server.use(
      http.get(TASKS, () =>
        HttpResponse.json({ $meta: { pagination: { offset: 0, limit: 2, total: 5 } }, data: tasks.slice(0, 2) }),
      ),
    );
    const seen: string[] = [];
    const walk = async () => {
      for await (const task of createClient(softwareOne, fast).tasks({ pageSize: 2, prefetch: 0 })) seen.push(task.id);
    };
    await expect(walk()).rejects.toBeInstanceOf(PagingError);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('names the list model and path when an item is invalid', async () => {
    server.use(
      http.get(TASKS, () =>
        HttpResponse.json({ $meta: { pagination: { offset: 0, limit: 2, total: 2 } }, data: [tasks[0], { id: 'x' }] }),
      ),
    );
    const error = (await createClient(softwareOne, fast)
      .tasks()
      .toArray({ limit: Infinity })
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.model).toBe('Task list');
    expect(error.issues.map((i) => i.path.join('.'))).toContain('data.1.status');
  });
});

describe('the fake', () => {
  it.each(['queued', 'running', 'blocked', 'succeeded', 'failed', 'unknown'] as const)(
    'renders a %s task that the vendor reads back as the same state',
    async (state) => {
      const body = render(view(state, { progress: 0.4, completedAt: new Date(T0.getTime() + 5000) }));
      expect(TaskSchema.safeParse(body).success).toBe(true);
      serveTask([body]);
      const snapshot = await createClient(softwareOne, fast).get(ID);
      expect(snapshot.state).toBe(state);
      expect(snapshot.progress).toBe(state === 'queued' || state === 'blocked' ? undefined : 0.4);
    },
  );

  it('expresses only the outcomes SoftwareOne has, and refuses the others', () => {
    expect(softwareOneFake.outcomes).toEqual(['succeeded', 'failed', 'canceled']);
    expect(render(view('canceled')).status).toBe('Canceled');
    for (const state of ['partial', 'skipped', 'canceling'] as const) {
      expect(() => render(view(state))).toThrow(/softwareone/);
    }
  });

  it('a canceled fake task ends the wait canceled', async () => {
    serveTask([render(view('running')), render(view('canceled'))]);
    const error = await createClient(softwareOne, fast)
      .wait(ID)
      .catch((e: unknown) => e);
    expect((error as TaskFailedError).snapshot).toMatchObject({ state: 'canceled', rawStatus: 'Canceled' });
  });

  it('gives a reference the client accepts, for documented and other ids', async () => {
    const client = createClient(softwareOne, fast);
    for (const id of [ID, 'fake-17']) {
      serveTask([render(view('succeeded', { id }))], id);
      const ref = softwareOneFake.ref('task', id) as Parameters<typeof client.get>[0];
      expect((await client.get(ref)).id).toBe(id);
    }
  });

  it('answers errors in the documented problem shape', () => {
    for (const status of [400, 404, 429, 500]) {
      const { body, contentType } = softwareOneFake.errorBody(status, 'went wrong');
      expect(contentType).toBe('application/problem+json');
      expect(PlatformErrorSchema.parse(body)).toMatchObject({ status, detail: 'went wrong' });
    }
    expect(softwareOneFake.rateLimitHeaders(3)).toEqual({ 'Retry-After': '3' });
  });
});

describe('types', () => {
  it('types the raw payload, the reference and the methods from the schemas', async () => {
    const client = createClient(softwareOne, fast);
    expectTypeOf<string>().toExtend<Parameters<typeof client.get>[0]>();
    expectTypeOf<Awaited<ReturnType<typeof client.get>>['raw']>().toEqualTypeOf<Task>();
    expectTypeOf<Task['status']>().toEqualTypeOf<TaskStatus>();
    expectTypeOf(client.result).returns.resolves.toEqualTypeOf<unknown>();
    expectTypeOf(client.logs).returns.toExtend<AsyncIterable<TaskLog>>();
  });
});
