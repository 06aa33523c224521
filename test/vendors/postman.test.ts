import { readFileSync } from 'node:fs';
import { HttpResponse, http, type JsonBodyType } from 'msw';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  ConfigError,
  createClient,
  HttpError,
  type RefOf,
  ResponseValidationError,
  TaskFailedError,
  type TaskState,
} from '../../src/index.js';
import type { FakeTaskView } from '../../src/testing/fake.js';
import { postmanFake } from '../../src/testing/fakes/postman.js';
import {
  type Details,
  type Details1Resources,
  type Details2,
  type Details2Error,
  type GetAsyncCollectionTaskStatus,
  type GetStatusOfAnAsyncTask,
  GetStatusOfAnAsyncTaskSchema,
  isTaskErrorInformation,
  isTaskResources,
  kindOfPath,
  type PostmanTaskKind,
  postman,
} from '../../src/vendors/postman/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
afterEach(() => {
  vi.useRealTimers();
});

const BASE = 'https://api.getpostman.com';
const KEY = 'PMAK-64f1c2d3e4f5a6b7c8d9e0f1-0123456789abcdef0123456789abcdef01';
const FAST = { minDelayMs: 1, maxDelayMs: 2, jitter: 0 };
const KINDS: PostmanTaskKind[] = [
  'api-task',
  'collection-update',
  'collection-merge',
  'collection-duplicate',
  'element-task',
];

const client = () => createClient(postman, { token: KEY, wait: FAST, retry: { retries: 0 } });

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/postman/${name}`, import.meta.url), 'utf8'));
}

function view(id: string, state: TaskState, poll: number, error?: string): FakeTaskView {
  const createdAt = new Date('2024-05-01T10:00:00Z');
  return { id, state, poll, error, createdAt, updatedAt: new Date(createdAt.getTime() + poll * 1000) };
}

/** Serves one task of `kind` through the fake, one state per poll (the last one repeats). */
function serveLifecycle(kind: PostmanTaskKind, taskId: string, states: TaskState[], error?: string): Request[] {
  const seen: Request[] = [];
  const fake = postmanFake.kinds[kind];
  server.use(
    http.get(`${BASE}${fake.path}`, ({ request, params }) => {
      if (params.taskId !== taskId) {
        const { body } = postmanFake.errorBody(404, 'Task not found');
        return HttpResponse.json(body as JsonBodyType, { status: 404 });
      }
      seen.push(request);
      const state = states[Math.min(seen.length, states.length) - 1] as TaskState;
      return HttpResponse.json(fake.render(view(taskId, state, seen.length, error)) as JsonBodyType);
    }),
  );
  return seen;
}

/** Serves `body` at `path` and records the requests. */
function serveBody(path: string, body: unknown, init?: ResponseInit): Request[] {
  const seen: Request[] = [];
  server.use(
    http.get(`${BASE}${path}`, ({ request }) => {
      seen.push(request);
      return HttpResponse.json(body as JsonBodyType, init);
    }),
  );
  return seen;
}

describe('each task kind, from start to end', () => {
  it.each(KINDS)('%s: wait() polls a running task until it succeeds', async (kind) => {
    const requests = serveLifecycle(kind, 'task-1', ['running', 'running', 'succeeded']);
    const states: TaskState[] = [];

    const done = await client().wait(postmanFake.ref(kind, 'task-1') as RefOf<typeof postman>, {
      onProgress: (s) => states.push(s.state),
    });

    expect(done).toMatchObject({ vendor: 'postman', kind, id: 'task-1', state: 'succeeded', terminal: true });
    expect(states).toEqual(['running', 'succeeded']);
    expect(requests).toHaveLength(3);
  });

  it.each([
    ['api-task', 'The API contains invalid schema'],
    ['collection-merge', 'The destination collection has conflicting changes'],
    ['collection-duplicate', 'The target workspace does not exist'],
    ['element-task', 'The collection could not be converted'],
  ] as const)('%s: a failed task rejects with TaskFailedError carrying its message', async (kind, message) => {
    serveLifecycle(kind, 'task-2', ['running', 'failed'], message);

    const error = await client()
      .wait(postmanFake.ref(kind, 'task-2') as RefOf<typeof postman>)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TaskFailedError);
    const failed = error as TaskFailedError;
    expect(failed.message).toContain(message);
    expect(failed.snapshot).toMatchObject({ kind, state: 'failed', rawStatus: 'failed', error: { message } });
  });

  it('collection-update: a failed task rejects with TaskFailedError (Postman gives no message)', async () => {
    serveLifecycle('collection-update', 'task-3', ['running', 'failed']);

    const error = await client()
      .wait({ kind: 'collection-update', taskId: 'task-3' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot).toMatchObject({ state: 'failed', rawStatus: 'failed' });
    expect((error as TaskFailedError).snapshot.error).toBeUndefined();
  });

  it('throwOnFailure: false resolves with the failed snapshot instead', async () => {
    serveLifecycle('api-task', 'task-4', ['failed'], 'The API contains invalid schema');

    const snap = await client().wait({ apiId: 'a1', taskId: 'task-4' }, { throwOnFailure: false });

    expect(snap).toMatchObject({ state: 'failed', error: { message: 'The API contains invalid schema' } });
  });
});

describe('fixtures', () => {
  const cases: [file: string, path: string, ref: RefOf<typeof postman>, state: TaskState, error?: string][] = [
    [
      'api-task-failed-invalid-schema.json',
      '/apis/a1/tasks/t1',
      { apiId: 'a1', taskId: 't1' },
      'failed',
      'The API contains invalid schema',
    ],
    ['constructed-api-task-completed.json', '/apis/a1/tasks/t1', { apiId: 'a1', taskId: 't1' }, 'succeeded'],
    ['constructed-api-task-pending.json', '/apis/a1/tasks/t1', { apiId: 'a1', taskId: 't1' }, 'running'],
    [
      'collection-update-successful.json',
      '/collection-updates-tasks/t1',
      { kind: 'collection-update', taskId: 't1' },
      'succeeded',
    ],
    [
      'collection-update-failed.json',
      '/collection-updates-tasks/t1',
      { kind: 'collection-update', taskId: 't1' },
      'failed',
    ],
    [
      'collection-update-in-progress.json',
      '/collection-updates-tasks/t1',
      { kind: 'collection-update', taskId: 't1' },
      'running',
    ],
    [
      'constructed-collection-merge-successful.json',
      '/collection-merges-tasks/t1',
      { kind: 'collection-merge', taskId: 't1' },
      'succeeded',
    ],
    [
      'constructed-collection-merge-failed.json',
      '/collection-merges-tasks/t1',
      { kind: 'collection-merge', taskId: 't1' },
      'failed',
      'The destination collection has conflicting changes',
    ],
    [
      'constructed-collection-duplicate-processing.json',
      '/collection-duplicate-tasks/t1',
      { kind: 'collection-duplicate', taskId: 't1' },
      'running',
    ],
    [
      'constructed-collection-duplicate-failed.json',
      '/collection-duplicate-tasks/t1',
      { kind: 'collection-duplicate', taskId: 't1' },
      'failed',
      'The target workspace does not exist',
    ],
    [
      'constructed-element-task-completed.json',
      '/specs/s1/tasks/t1',
      { elementType: 'specs', elementId: 's1', taskId: 't1' },
      'succeeded',
    ],
    [
      'constructed-element-task-failed.json',
      '/collections/c1/tasks/t1',
      { elementType: 'collections', elementId: 'c1', taskId: 't1' },
      'failed',
      'The collection could not be converted to an OpenAPI 3.0 specification',
    ],
  ];

  it.each(cases)('%s parses to the right state', async (file, path, ref, state, error) => {
    const body = fixture(file);
    serveBody(path, body);

    const snap = await client().get(ref);

    expect(snap.state).toBe(state);
    expect(snap.error?.message).toBe(error);
    expect(snap.raw).toEqual(body);
  });

  it('the spec example keeps its ids and turns "2019-02-12 19:34:49" (no zone) into ISO', async () => {
    serveBody(
      '/apis/5360b75f/tasks/66ae9950-0869-4e65-96b0-1e0e47e771af',
      fixture('api-task-failed-invalid-schema.json'),
    );

    const snap = await client().get({ apiId: '5360b75f', taskId: '66ae9950-0869-4e65-96b0-1e0e47e771af' });

    expect(snap).toMatchObject({
      id: '66ae9950-0869-4e65-96b0-1e0e47e771af',
      kind: 'api-task',
      createdAt: '2019-02-12T19:34:49.000Z',
      updatedAt: '2023-02-12T19:34:49.000Z',
      // Postman has no end time: a finished task ended at its last update.
      completedAt: '2023-02-12T19:34:49.000Z',
    });
  });

  it('the "2023-08-22 14:21:57+00:00" form reaches the snapshot as ISO; a pending task has no completedAt', async () => {
    serveBody('/apis/a1/tasks/t1', fixture('constructed-api-task-pending.json'));

    const snap = await client().get({ apiId: 'a1', taskId: 't1' });

    expect(snap.createdAt).toBe('2023-08-22T14:21:57.000Z');
    expect(snap.completedAt).toBeUndefined();
  });

  it('an element task without an id in its body takes the id from the reference', async () => {
    serveBody('/specs/s1/tasks/t-77', fixture('constructed-element-task-completed.json'));

    const snap = await client().get({ elementType: 'specs', elementId: 's1', taskId: 't-77' });

    expect(snap).toMatchObject({ id: 't-77', kind: 'element-task' });
  });
});

describe('the Details union', () => {
  it('narrows to the documented forms with isTaskErrorInformation and isTaskResources', () => {
    const task = GetStatusOfAnAsyncTaskSchema.parse(fixture('api-task-failed-invalid-schema.json'));
    const details = task.details;
    let message: string | undefined;

    expectTypeOf(details).toEqualTypeOf<Details | undefined>();
    if (isTaskErrorInformation(details)) {
      expectTypeOf(details).toEqualTypeOf<Details2>();
      expectTypeOf(details.error).toEqualTypeOf<Details2Error | undefined>();
      message = details.error?.message;
    }
    if (isTaskResources(details)) {
      expectTypeOf(details.resources).toEqualTypeOf<Details1Resources[] | undefined>();
    }

    expect(message).toBe('The API contains invalid schema');
    expect(isTaskResources(details)).toBe(false);
    expect(isTaskResources({ resources: [{ id: 'c1' }] })).toBe(true);
    expect(isTaskErrorInformation({ resources: [] })).toBe(false);
    expect(isTaskErrorInformation(undefined)).toBe(false);
  });

  it('the snapshot kind narrows raw to that kind model', async () => {
    serveBody('/apis/a1/tasks/t1', fixture('constructed-api-task-completed.json'));

    const snap = await client().get({ apiId: 'a1', taskId: 't1' });

    if (snap.kind === 'api-task') expectTypeOf(snap.raw).toEqualTypeOf<GetStatusOfAnAsyncTask>();
    if (snap.kind === 'element-task') expectTypeOf(snap.raw).toEqualTypeOf<GetAsyncCollectionTaskStatus>();
    const details = snap.kind === 'api-task' ? snap.raw.details : undefined;
    expect(isTaskResources(details) && details.resources?.[0]?.id).toBe('collectionID');
  });

  it.each([
    ['an error that is not an object', { error: 'boom' }],
    ['an error object beside resources', { resources: [{ id: 'c1' }], error: { message: 'half done' } }],
    ['resources that are not a list beside an error', { resources: 'none', error: { message: 'failed' } }],
    ['an error of another shape beside resources', { resources: [], error: ['a'] }],
  ])('details with %s (the spec lets it through) is kept as sent', async (_, details) => {
    serveBody('/apis/a1/tasks/t1', { id: 't1', status: 'failed', details });

    const snap = await client().get({ apiId: 'a1', taskId: 't1' });

    expect(snap.state).toBe('failed');
    expect(snap.raw).toEqual({ id: 't1', status: 'failed', details });
    expect(isTaskResources(snap.kind === 'api-task' ? snap.raw.details : undefined)).toBe(false);
    expect(isTaskErrorInformation(snap.kind === 'api-task' ? snap.raw.details : undefined)).toBe(false);
  });

  it('reads the error message only when it is text', async () => {
    serveBody('/apis/a1/tasks/t1', { status: 'failed', details: { resources: [], error: { message: 'half done' } } });
    expect((await client().get({ apiId: 'a1', taskId: 't1' })).error?.message).toBe('half done');
    serveBody('/apis/a1/tasks/t1', { status: 'failed', details: { error: { message: 42 } } });
    expect((await client().get({ apiId: 'a1', taskId: 't1' })).error).toBeUndefined();
  });

  it('details that the spec rejects (neither branch holds) still parses: nothing in them is read', async () => {
    serveBody('/apis/a1/tasks/t1', { status: 'failed', details: { error: 'x', resources: 'y' } });
    expect(await client().get({ apiId: 'a1', taskId: 't1' })).toMatchObject({ state: 'failed', id: 't1' });
  });
});

describe('statuses', () => {
  it.each([
    ['api-task', '/apis/a1/tasks/t1', { status: 'pending' }, 'running'],
    ['api-task', '/apis/a1/tasks/t1', { status: 'completed' }, 'succeeded'],
    ['collection-update', '/collection-updates-tasks/t1', { status: 'in-progress' }, 'running'],
    ['collection-merge', '/collection-merges-tasks/t1', { status: 'successful' }, 'succeeded'],
    ['collection-duplicate', '/collection-duplicate-tasks/t1', { task: { status: 'processing' } }, 'running'],
    ['collection-duplicate', '/collection-duplicate-tasks/t1', { task: { status: 'completed' } }, 'succeeded'],
    ['element-task', '/specs/s1/tasks/t1', { status: 'pending' }, 'running'],
  ] as const)('%s: %j is %s', async (kind, path, body, state) => {
    serveBody(path, body);
    const url = `${BASE}${path}` as const;

    const snap = await client().get(url);

    expect(snap).toMatchObject({ kind, state });
  });

  it('an unknown status is unknown and keeps the wait going', async () => {
    let polls = 0;
    server.use(
      http.get(`${BASE}/apis/a1/tasks/t1`, () => {
        polls++;
        return HttpResponse.json({ id: 't1', status: polls < 3 ? 'queued-for-review' : 'completed' });
      }),
    );
    const seen: [TaskState, string][] = [];

    const done = await client().wait(
      { apiId: 'a1', taskId: 't1' },
      { onProgress: (s) => seen.push([s.state, s.rawStatus]) },
    );

    expect(seen).toEqual([
      ['unknown', 'queued-for-review'],
      ['succeeded', 'completed'],
    ]);
    expect(done.state).toBe('succeeded');
    expect(polls).toBe(3);
  });

  it.each([
    [{ details: 'Generation failed', meta: { model: 'spec' } }, ''],
    [{ details: 'Generation failed', status: 'errored' }, 'errored'],
  ])('an element task in the "Async Task Failed" form has failed whatever its status (%j)', async (body, rawStatus) => {
    serveBody('/specs/s1/tasks/t1', body);

    const snap = await client().get({ elementType: 'specs', elementId: 's1', taskId: 't1' });

    expect(snap).toMatchObject({ state: 'failed', terminal: true, rawStatus, error: { message: 'Generation failed' } });
  });

  it('lets a documented status decide over the "Async Task Failed" form, keeping its text as the error', async () => {
    serveBody('/specs/s1/tasks/t1', { details: 'Generation failed', status: 'in-progress' });

    const snap = await client().get({ elementType: 'specs', elementId: 's1', taskId: 't1' });

    expect(snap).toMatchObject({ state: 'running', terminal: false, error: { message: 'Generation failed' } });
  });
});

describe('kindOfPath', () => {
  it.each([
    ['/collection-updates-tasks/t1', 'collection-update'],
    ['/proxy/collection-merges-tasks/t1/', 'collection-merge'],
    ['//collection-duplicate-tasks//t1', 'collection-duplicate'],
    ['/apis/a1/tasks/t1', 'api-task'],
    ['/specs/s1/tasks/t1', 'element-task'],
    ['/proxy/specs/s1/tasks/t1/', 'element-task'],
    // Too short to name an element, or no tasks parent: an API task.
    ['/s1/tasks/t1', 'api-task'],
    ['/specs/s1/items/t1', 'api-task'],
    ['/t1', 'api-task'],
  ] as const)('reads %s as a %s', (path, kind) => {
    expect(kindOfPath(path)).toBe(kind);
  });
});

describe('validation', () => {
  it('a status of the wrong type is a ResponseValidationError naming vendor, model and path', async () => {
    serveBody('/collection-updates-tasks/t1', { id: 't1', status: 42 });

    const error = await client()
      .get({ kind: 'collection-update', taskId: 't1' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ vendor: 'postman', model: 'GetCollectionUpdatesTasks', reason: 'schema' });
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['status']]);
  });

  it('a nested field of the wrong type names its whole path', async () => {
    serveBody('/apis/a1/tasks/t1', { id: 't1', status: 'pending', meta: { url: 5 } });

    const error = await client()
      .get({ apiId: 'a1', taskId: 't1' })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ResponseValidationError', model: 'GetStatusOfAnAsyncTask' });
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['meta', 'url']]);
    expect((error as Error).message).toContain('meta.url');
  });

  it('unknown fields and unknown meta enum values are accepted and kept in raw', async () => {
    const body = { id: 't1', status: 'pending', meta: { model: 'workspace', action: 'fork' }, priority: 'high' };
    serveBody('/apis/a1/tasks/t1', body);

    const snap = await client().get({ apiId: 'a1', taskId: 't1' });

    expect(snap.raw).toEqual(body);
  });
});

describe('requests and secrets', () => {
  it('sends the key in x-api-key, and Accept: application/vnd.api.v10+json to /apis only', async () => {
    const apiRequests = serveBody('/apis/a1/tasks/t1', { id: 't1', status: 'completed' });
    const updateRequests = serveBody('/collection-updates-tasks/t1', { id: 't1', status: 'successful' });

    await client().get({ apiId: 'a1', taskId: 't1' });
    await client().get({ kind: 'collection-update', taskId: 't1' });

    expect(apiRequests[0]?.headers.get('x-api-key')).toBe(KEY);
    expect(apiRequests[0]?.headers.get('accept')).toBe('application/vnd.api.v10+json');
    expect(updateRequests[0]?.headers.get('x-api-key')).toBe(KEY);
    expect(updateRequests[0]?.headers.get('accept')).toBe('application/json');
    expect(apiRequests[0]?.headers.get('authorization')).toBeNull();
  });

  it('the key never appears in an HttpError, even when the server echoes it', async () => {
    const { body } = postmanFake.errorBody(401, `Invalid API Key ${KEY}. Every request requires a valid API Key.`);
    serveBody('/collection-updates-tasks/t1', body, { status: 401 });

    const error = await client()
      .get({ kind: 'collection-update', taskId: 't1' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect((error as Error).message).toContain('AuthenticationError');
    expect((error as Error).message).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it('the key never appears in a validation error or a wait failure', async () => {
    serveBody('/apis/a1/tasks/t1', { id: 't1', status: 7 });
    serveLifecycle('collection-merge', 'm1', ['failed'], 'merge conflict');

    const invalid = await client()
      .get({ apiId: 'a1', taskId: 't1' })
      .catch((e: unknown) => e);
    const failed = await client()
      .wait({ kind: 'collection-merge', taskId: 'm1' })
      .catch((e: unknown) => e);

    for (const error of [invalid, failed]) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
    }
  });
});

describe('task URLs', () => {
  it.each([
    ['/apis/a1/tasks/t9', 'api-task'],
    ['/collection-updates-tasks/t9', 'collection-update'],
    ['/collection-merges-tasks/t9', 'collection-merge'],
    ['/collection-duplicate-tasks/t9', 'collection-duplicate'],
    ['/specs/s1/tasks/t9', 'element-task'],
    ['/collections/c1/tasks/t9', 'element-task'],
  ] as const)('an absolute URL to %s is read as a %s', async (path, kind) => {
    const requests = serveLifecycle(kind, 't9', ['succeeded']);
    // The fake serves element tasks under /specs; a /collections one needs its own route.
    const extra = path.startsWith('/collections/') ? serveBody(path, { status: 'completed' }) : requests;

    const snap = await client().get(`${BASE}${path}`);

    expect(snap).toMatchObject({ kind, id: 't9', state: 'succeeded' });
    expect(requests.length + (extra === requests ? 0 : extra.length)).toBe(1);
  });

  it("follows a 202's Location to a collection update task", async () => {
    server.use(
      http.put(`${BASE}/collections/c1`, ({ request }) =>
        request.headers.get('prefer') === 'respond-async'
          ? new HttpResponse(null, { status: 202, headers: { Location: `${BASE}/collection-updates-tasks/u1` } })
          : HttpResponse.json({ collection: { id: 'c1' } }),
      ),
    );
    serveLifecycle('collection-update', 'u1', ['running', 'succeeded']);

    const accepted = await fetch(`${BASE}/collections/c1`, {
      method: 'PUT',
      headers: { 'x-api-key': KEY, Prefer: 'respond-async' },
      body: '{}',
    });
    const done = await client().wait(accepted.headers.get('location') as `https://${string}`);

    expect(accepted.status).toBe(202);
    expect(done).toMatchObject({ kind: 'collection-update', id: 'u1', state: 'succeeded' });
  });

  it('accepts task URLs on api.postman.com, Postman’s other origin, but only with its own base URL', async () => {
    let key: string | null = null;
    server.use(
      http.get('https://api.postman.com/collection-updates-tasks/u7', ({ request }) => {
        key = request.headers.get('x-api-key');
        return HttpResponse.json({ id: 'u7', status: 'successful' });
      }),
    );

    const snap = await client().get('https://api.postman.com/collection-updates-tasks/u7');
    const viaProxy = createClient(postman, { token: KEY, baseUrl: 'http://localhost:7777/postman', wait: FAST });

    expect(snap).toMatchObject({ kind: 'collection-update', state: 'succeeded' });
    expect(key).toBe(KEY);
    await expect(viaProxy.get('https://api.postman.com/collection-updates-tasks/u7')).rejects.toThrow(
      /not the client's origin/,
    );
  });

  it('routes by the end of the path, so a base URL with a prefix works', async () => {
    let hits = 0;
    server.use(
      http.get('http://localhost:7777/postman/collection-merges-tasks/m2', () => {
        hits++;
        return HttpResponse.json({ id: 'm2', status: 'successful' });
      }),
    );
    const proxied = createClient(postman, { token: KEY, baseUrl: 'http://localhost:7777/postman', wait: FAST });

    const snap = await proxied.get({ url: '/postman/collection-merges-tasks/m2' });

    expect(snap).toMatchObject({ kind: 'collection-merge', state: 'succeeded' });
    expect(hits).toBe(1);
  });
});

describe('references', () => {
  const refs: [ref: unknown, why: string, says: string][] = [
    [{ taskId: 't1' }, 'no kind', '{ apiId, taskId }'],
    [{ kind: 'collection-sync', taskId: 't1' }, 'an unknown kind', '{ apiId, taskId }'],
    [{ kind: 'collection-update', taskId: '' }, 'an empty id', 'taskId'],
    [{ apiId: 'a1', taskId: 't1', extra: true }, 'an unknown key', 'extra'],
  ];

  it.each(refs)('%j is a ConfigError (%s)', async (ref, _why, says) => {
    const error = await client()
      .get(ref as RefOf<typeof postman>)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('ref');
    expect((error as Error).message).toContain(says);
  });

  it('accepts the documented forms at the type level and rejects others', () => {
    expectTypeOf<{ apiId: string; taskId: string }>().toExtend<RefOf<typeof postman>>();
    expectTypeOf<{ kind: 'collection-duplicate'; taskId: string }>().toExtend<RefOf<typeof postman>>();
    expectTypeOf<{ elementType: 'specs'; elementId: string; taskId: string }>().toExtend<RefOf<typeof postman>>();
    expectTypeOf<{ kind: 'collection-sync'; taskId: string }>().not.toExtend<RefOf<typeof postman>>();
  });
});

describe('rate limits', () => {
  it.each([
    ['X-RateLimit-RetryAfter', 3],
    ['RetryAfter', 3],
    ['X-RateLimit-RetryAfter', 0],
  ] as const)('a 429 with %s: 2 is honoured: no request before 2 s (request retries: %i)', async (header, retries) => {
    vi.useFakeTimers();
    const at: number[] = [];
    server.use(
      http.get(`${BASE}/collection-updates-tasks/t1`, () => {
        at.push(Date.now());
        if (at.length === 1) {
          const { body } = postmanFake.errorBody(429, 'Too many requests');
          return HttpResponse.json(body as JsonBodyType, { status: 429, headers: { [header]: '2' } });
        }
        return HttpResponse.json({ id: 't1', status: 'successful' });
      }),
    );
    const limited = createClient(postman, { token: KEY, wait: { minDelayMs: 10, maxDelayMs: 20 }, retry: { retries } });

    const done = limited.wait({ kind: 'collection-update', taskId: 't1' });
    await vi.advanceTimersByTimeAsync(1999);
    expect(at).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);

    await expect(done).resolves.toMatchObject({ state: 'succeeded' });
    expect(at).toHaveLength(2);
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(2000);
  });

  it('the fake sends both of Postman retry headers', () => {
    expect(postmanFake.rateLimitHeaders(7)).toMatchObject({ 'X-RateLimit-RetryAfter': '7', RetryAfter: '7' });
  });
});
