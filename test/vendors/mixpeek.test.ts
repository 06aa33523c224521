import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  createClient,
  HttpError,
  type RefOf,
  ResponseValidationError,
  type SnapshotOf,
  TASK_STATES,
  TaskFailedError,
  type TaskSnapshot,
  type TaskState,
} from '../../src/index.js';
import type { FakeTaskView } from '../../src/testing/fake.js';
import { mixpeekFake } from '../../src/testing/fakes/mixpeek.js';
import { mixpeek, readAdditionalData, type TaskResponse } from '../../src/vendors/mixpeek/index.js';

const BASE = 'https://api.mixpeek.com';
const TOKEN = 'sk_test_9f8e7d6c5b4a3210fedcba';
const FAST = { minDelayMs: 1, maxDelayMs: 2, jitter: 0 };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/mixpeek/${name}.json`, import.meta.url), 'utf8'));

const newClient = () => createClient(mixpeek, { token: TOKEN, wait: FAST, retry: { retries: 0 } });

const view = (id: string, state: TaskState, extra: Partial<FakeTaskView> = {}): FakeTaskView => ({
  id,
  state,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-01T00:00:01Z'),
  poll: 1,
  ...extra,
});

/** Serves `bodies` one per poll at GET /v1/tasks/:taskId (the last one repeats); records each request. */
function serveTask(bodies: readonly unknown[]) {
  const seen: { id: string; authorization: string | null }[] = [];
  server.use(
    http.get(`${BASE}${mixpeekFake.kinds.task.path}`, ({ request, params }) => {
      seen.push({ id: String(params.taskId), authorization: request.headers.get('authorization') });
      return HttpResponse.json(bodies[Math.min(seen.length, bodies.length) - 1] as Record<string, unknown>);
    }),
  );
  return seen;
}

const minimal = (status: string, extra: Record<string, unknown> = {}) => ({
  task_id: 'task_1',
  task_type: 'api_buckets_batches_process',
  status,
  ...extra,
});

describe('status table', () => {
  it.each([
    ['PENDING', 'queued', false],
    ['IN_PROGRESS', 'running', false],
    ['PROCESSING', 'running', false],
    ['COMPLETED', 'succeeded', true],
    ['COMPLETED_WITH_ERRORS', 'partial', true],
    ['FAILED', 'failed', true],
    ['CANCELED', 'canceled', true],
    ['SKIPPED', 'skipped', true],
    ['DRAFT', 'blocked', false],
    ['UNKNOWN', 'unknown', false],
    ['ACTIVE', 'unknown', false],
    ['ARCHIVED', 'unknown', false],
    ['SUSPENDED', 'blocked', false],
  ] as const)('%s is %s (terminal: %s)', async (status, state, terminal) => {
    serveTask([minimal(status)]);
    const snapshot = await newClient().get('task_1');
    expect(snapshot).toMatchObject({
      vendor: 'mixpeek',
      kind: 'task',
      id: 'task_1',
      state,
      terminal,
      rawStatus: status,
    });
  });

  it('covers every documented status', () => {
    expect([...mixpeek.statuses].sort()).toEqual(Object.keys(mixpeek.states).sort());
    expect(mixpeek.statuses).toHaveLength(13);
  });

  it('an unknown status keeps the wait going until a known terminal one', async () => {
    const seen = serveTask([minimal('REINDEXING'), minimal('REINDEXING'), minimal('COMPLETED')]);
    const states: string[] = [];
    const done = await newClient().wait('task_1', { onProgress: (s) => states.push(`${s.state}:${s.rawStatus}`) });
    expect(done.state).toBe('succeeded');
    expect(states).toEqual(['unknown:REINDEXING', 'succeeded:COMPLETED']);
    expect(seen).toHaveLength(3);
  });

  it('DRAFT and SUSPENDED hold the wait as blocked until the task moves on', async () => {
    serveTask([minimal('DRAFT'), minimal('SUSPENDED'), minimal('PENDING'), minimal('COMPLETED')]);
    const observed: string[] = [];
    for await (const s of newClient().watch('task_1')) observed.push(`${s.rawStatus}=${s.state}`);
    expect(observed).toEqual(['DRAFT=blocked', 'SUSPENDED=blocked', 'PENDING=queued', 'COMPLETED=succeeded']);
  });
});

describe('the spec examples', () => {
  it.each([
    ['in-progress-batch-tier-1-of-3', 'running', undefined],
    ['completed-cluster-build', 'succeeded', undefined],
    ['failed-object-create-additional-data-error', 'failed', 'Invalid file format: Expected PDF, got PNG'],
    ['completed-from-mongodb-fallback', 'succeeded', undefined],
    ['constructed-failed-error-message', 'failed', 'Batch processing failed: 3 objects could not be fetched'],
    ['constructed-completed-with-errors', 'partial', '2 of 100 objects failed'],
  ])('%s parses and is %s', async (name, state, error) => {
    const body = fixture(name);
    const seen = serveTask([body]);
    const snapshot = await newClient().get(String(body.task_id));
    expect(seen[0]?.id).toBe(body.task_id);
    expect(snapshot.id).toBe(body.task_id);
    expect(snapshot.state).toBe(state);
    expect(snapshot.error?.message).toBe(error);
    // Every field is kept, the undocumented ones too.
    expect(snapshot.raw).toEqual(body);
  });

  it('reads tier progress from a batch task (tier 1 of 3)', async () => {
    serveTask([fixture('in-progress-batch-tier-1-of-3')]);
    const snapshot = await newClient().get('2d322a05-3178-4eca-aac6-b82b0a0313aa');
    expect(snapshot.progress).toBeCloseTo(1 / 3);
  });

  it('accepts every property example of TaskResponse', async () => {
    const examples = fixture('task-response-property-examples') as Record<string, unknown[]>;
    const bodies: Record<string, unknown>[] = [];
    for (const [property, values] of Object.entries(examples)) {
      for (const value of values) bodies.push(minimal('PROCESSING', { [property]: value }));
    }
    serveTask(bodies);
    const client = newClient();
    for (const body of bodies) {
      const snapshot = await client.get('task_1');
      expect(snapshot.raw).toEqual(body);
      const expectedState = { PENDING: 'queued', PROCESSING: 'running', COMPLETED: 'succeeded', FAILED: 'failed' }[
        body.status as string
      ];
      expect(snapshot.state).toBe(expectedState);
      expect(snapshot.error?.message).toBe(
        typeof body.error === 'string'
          ? body.error
          : ((body.additional_data as { error?: string } | undefined)?.error ?? undefined),
      );
    }
  });
});

describe('a whole lifecycle with wait()', () => {
  const lifecycle = (terminal: TaskState, error?: string) => {
    const id = `task_${terminal}`;
    return serveTask(
      [
        view(id, 'queued'),
        view(id, 'running', { progress: 0.25 }),
        view(id, 'running', { progress: 0.5 }),
        view(id, terminal, { progress: 1, error, failedItems: 3, totalItems: 40 }),
      ].map((v, i) => mixpeekFake.kinds.task.render({ ...v, poll: i + 1 })),
    );
  };
  const track = (log: string[]) => (s: TaskSnapshot) => log.push(`${s.state}@${s.progress ?? '-'}`);

  it('PENDING → PROCESSING with progress → COMPLETED resolves with the snapshot', async () => {
    const seen = lifecycle('succeeded');
    const log: string[] = [];
    const done = await newClient().wait(String(mixpeekFake.ref('task', 'task_succeeded')), { onProgress: track(log) });
    expect(log).toEqual(['queued@-', 'running@0.25', 'running@0.5', 'succeeded@1']);
    expect(done).toMatchObject({ state: 'succeeded', terminal: true, rawStatus: 'COMPLETED' });
    expect(done.error).toBeUndefined();
    expect(seen.map((r) => r.id)).toEqual(Array(4).fill('task_succeeded'));
  });

  it('COMPLETED_WITH_ERRORS resolves (not rejects) as partial, with the failure text and outputs', async () => {
    lifecycle('partial', '3 of 40 objects failed');
    const log: string[] = [];
    const done = await newClient().wait('task_partial', { onProgress: track(log) });
    expect(log).toEqual(['queued@-', 'running@0.25', 'running@0.5', 'partial@1']);
    expect(done).toMatchObject({ state: 'partial', terminal: true, rawStatus: 'COMPLETED_WITH_ERRORS' });
    expect(done.error?.message).toBe('3 of 40 objects failed');
    expect(done.raw.outputs).toEqual([{ failed_count: 3, processed_count: 40, success_rate: 37 / 40 }]);
  });

  it('FAILED rejects with TaskFailedError carrying the error text', async () => {
    lifecycle('failed', 'Failed to process batch: Object not found');
    const log: string[] = [];
    const error = await newClient()
      .wait('task_failed', { onProgress: track(log) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const failed = error as TaskFailedError;
    expect(failed.message).toContain('Failed to process batch: Object not found');
    expect(failed.snapshot).toMatchObject({
      state: 'failed',
      rawStatus: 'FAILED',
      error: { message: 'Failed to process batch: Object not found' },
    });
    expect(log.at(-1)).toBe('failed@1');
  });

  it('CANCELED rejects with TaskFailedError saying it was canceled', async () => {
    lifecycle('canceled');
    const error = await newClient()
      .wait('task_canceled')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot).toMatchObject({ state: 'canceled', rawStatus: 'CANCELED' });
    expect((error as TaskFailedError).message).toMatch(/was canceled/);
  });

  it('FAILED resolves with throwOnFailure: false', async () => {
    lifecycle('failed', 'boom');
    const done = await newClient().wait('task_failed', { throwOnFailure: false });
    expect(done).toMatchObject({ state: 'failed', error: { message: 'boom' } });
  });

  it('the fake renders every state Mixpeek can express back to that state', async () => {
    const states = TASK_STATES.filter((s) => s !== 'canceling');
    serveTask(
      states.map((state) => mixpeekFake.kinds.task.render(view('task_rt', state, { progress: 0.5, error: 'x' }))),
    );
    const client = newClient();
    for (const state of states) expect((await client.get('task_rt')).state).toBe(state);
    for (const outcome of mixpeekFake.outcomes) expect(states).toContain(outcome);
  });
});

describe('the failure text', () => {
  it.each([
    ['error_message (the docs)', { error_message: 'A' }, 'A'],
    ['error (the schema)', { error: 'B' }, 'B'],
    ['additional_data.error', { additional_data: { error: 'C' } }, 'C'],
    ['error_message over error', { error_message: 'friendly', error: 'flat' }, 'friendly'],
    ['error over additional_data.error', { error: 'flat', additional_data: { error: 'details' } }, 'flat'],
    ['the next form when one is empty', { error_message: '', error: null, additional_data: { error: 'D' } }, 'D'],
    ['a structured additional_data.error', { additional_data: { error: { message: 'E', code: 7 } } }, 'E'],
    ['its detail', { additional_data: { error: { detail: 'F', code: 7 } } }, 'F'],
    ['its error', { additional_data: { error: { error: 'G' } } }, 'G'],
    ['its message over its detail', { additional_data: { error: { detail: 'H2', message: 'H1' } } }, 'H1'],
    ['its JSON when it has no text', { additional_data: { error: { code: 7 } } }, '{"code":7}'],
    ['error when error_message is blank', { error_message: '   ', error: 'I' }, 'I'],
    ['none at all', { error: null }, undefined],
  ])('is read from %s', async (_name, fields, expected) => {
    serveTask([minimal('FAILED', fields)]);
    const snapshot = await newClient().get('task_1');
    expect(snapshot.error?.message).toBe(expected);
  });
});

describe('progress', () => {
  it.each([
    ['TaskProgress.percentage in additional_data', { additional_data: { progress: { percentage: 42.5 } } }, 0.425],
    [
      'processed/total when percentage is 0',
      { additional_data: { progress: { processed_documents: 3, total_documents: 10 } } },
      0.3,
    ],
    ['a top-level TaskProgress', { progress: { percentage: 80, processed_documents: 8, total_documents: 10 } }, 0.8],
    [
      'percentage, not processed/total, when percentage is not 0',
      { progress: { percentage: 50, processed_documents: 1, total_documents: 10 } },
      0.5,
    ],
    [
      '0 when percentage and total are 0',
      { progress: { percentage: 0, processed_documents: 0, total_documents: 0 } },
      0,
    ],
    ['the batch tier', { additional_data: { current_tier: 2, total_tiers: 4 } }, 0.5],
    ['no tier of 0 tiers', { additional_data: { current_tier: 1, total_tiers: 0 } }, undefined],
    ['nothing', { additional_data: { current_tier: null, total_tiers: 3 } }, undefined],
    ['a progress that is not a TaskProgress', { progress: 'halfway' }, undefined],
  ])('comes from %s', async (_name, fields, expected) => {
    serveTask([minimal('PROCESSING', fields)]);
    const snapshot = await newClient().get('task_1');
    expect(snapshot.progress).toBe(expected);
  });
});

describe('additional_data: a free-form object in the schema', () => {
  it.each([
    ['a current_tier that is text', { current_tier: '1', total_tiers: 3 }],
    ['a job_id that is a number', { job_id: 123 }],
    ['an error that is a list', { error: ['a'] }],
    ['a collection_ids that is not a list', { collection_ids: 'col_1' }],
    ['a from_mongodb that is text', { from_mongodb: 'yes' }],
  ])('with %s is a snapshot, the value kept in raw and not read', async (_name, data) => {
    serveTask([minimal('FAILED', { additional_data: data })]);
    const snapshot = await newClient().get('task_1');
    expect(snapshot).toMatchObject({ state: 'failed', raw: { additional_data: data } });
    expect(snapshot.error).toBeUndefined();
    expect(snapshot.progress).toBeUndefined();
  });

  it('readAdditionalData keeps each documented key only when it has its documented type', () => {
    const task = {
      additional_data: { current_tier: '1', total_tiers: 3, job_id: 123, batch_id: 'btch_1', note: { any: 1 } },
    };
    expect(readAdditionalData(task)).toEqual({ total_tiers: 3, batch_id: 'btch_1', note: { any: 1 } });
    expect(readAdditionalData({ additional_data: null })).toEqual({});
    expect(readAdditionalData({})).toEqual({});
    expectTypeOf(readAdditionalData(task).current_tier).toEqualTypeOf<number | null | undefined>();
  });

  it('an error_message that is not text is let through (it is not in the schema) and not read', async () => {
    serveTask([minimal('FAILED', { error_message: { text: 'x' }, error: 'flat' })]);
    expect((await newClient().get('task_1')).error?.message).toBe('flat');
  });
});

describe('validation', () => {
  it.each([
    ['task_type', { task_id: 'task_1', status: 'PENDING' }, ['task_type']],
    ['task_id', { task_type: 'thumbnail', status: 'PENDING' }, ['task_id']],
    ['status', { task_id: 'task_1', task_type: 'thumbnail' }, ['status']],
    ['a status of the wrong type', minimal('PENDING', { status: 3 }), ['status']],
    ['inputs of the wrong type', minimal('PENDING', { inputs: 'batch_1' }), ['inputs']],
    ['a non-string error', minimal('FAILED', { error: { message: 'x' } }), ['error']],
  ])('missing or wrong %s is a ResponseValidationError naming its path', async (_name, body, path) => {
    serveTask([body]);
    const error = await newClient()
      .wait('task_1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    const invalid = error as ResponseValidationError;
    expect(invalid).toMatchObject({ vendor: 'mixpeek', model: 'TaskResponse', reason: 'schema' });
    expect(invalid.issues.map((i) => i.path)).toContainEqual(path);
    expect(invalid.message).toContain(path.join('.'));
  });

  it('accepts an unknown task_type and unknown fields, keeping them in raw', async () => {
    serveTask([minimal('COMPLETED', { task_type: 'API_BUCKETS_UPLOADS_BATCH_CONFIRM', expires_at: 'soon' })]);
    const snapshot = await newClient().get('task_1');
    expect(snapshot.raw.task_type).toBe('API_BUCKETS_UPLOADS_BATCH_CONFIRM');
    expect(snapshot.raw.expires_at).toBe('soon');
  });
});

describe('auth and secrets', () => {
  it('sends Authorization: Bearer <token> to the task URL', async () => {
    const seen = serveTask([minimal('COMPLETED')]);
    await newClient().get('task_1');
    expect(seen).toEqual([{ id: 'task_1', authorization: `Bearer ${TOKEN}` }]);
  });

  it('keeps the token out of an HTTP error, even when the server echoes it', async () => {
    const { body, contentType } = mixpeekFake.errorBody(401, `Invalid API key: Bearer ${TOKEN} (${TOKEN})`);
    server.use(
      http.get(`${BASE}/v1/tasks/:taskId`, () =>
        HttpResponse.json(body as Record<string, unknown>, { status: 401, headers: { 'content-type': contentType } }),
      ),
    );
    const error = await newClient()
      .wait('task_1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect((error as HttpError).message).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('keeps the token out of validation and task failures', async () => {
    serveTask([minimal('FAILED', { error: `rejected key ${TOKEN}`, task_type: 7 })]);
    const invalid = await newClient()
      .get('task_1')
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ResponseValidationError);
    expect(`${(invalid as Error).message}${JSON.stringify(invalid)}`).not.toContain(TOKEN);

    serveTask([minimal('FAILED', { error: `rejected key ${TOKEN}` })]);
    const failed = await newClient()
      .wait('task_1')
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TaskFailedError);
    expect((failed as Error).message).not.toContain(TOKEN);
  });
});

describe('references', () => {
  it('takes the task’s absolute URL', async () => {
    const seen = serveTask([minimal('COMPLETED', { task_id: 'task_by_url' })]);
    const snapshot = await newClient().get(`${BASE}/v1/tasks/task_by_url`);
    expect(seen[0]?.id).toBe('task_by_url');
    expect(snapshot.id).toBe('task_by_url');
  });

  it('takes the TaskResponse a submit returned, and resumes from its token by id', async () => {
    const submitted = minimal('PENDING', { task_id: 'task_from_submit', inputs: ['batch_1'] });
    const seen = serveTask([submitted, minimal('COMPLETED', { task_id: 'task_from_submit' })]);
    const client = newClient();
    const step = await client.poll(submitted);
    expect(step.done).toBe(false);
    expect(JSON.parse(step.resumeToken).ref).toBe('task_from_submit');
    const done = await client.resume(step.resumeToken);
    expect(done.state).toBe('succeeded');
    expect(seen.map((r) => r.id)).toEqual(['task_from_submit', 'task_from_submit']);
  });

  it('percent-encodes the id as one path segment', async () => {
    let path = '';
    server.use(
      http.get(`${BASE}/v1/tasks/:taskId`, ({ request }) => {
        path = new URL(request.url).pathname;
        return HttpResponse.json(minimal('COMPLETED', { task_id: 'a%b:c' }));
      }),
    );
    await expect(newClient().get('a%b:c')).resolves.toMatchObject({ state: 'succeeded' });
    expect(path).toBe('/v1/tasks/a%25b%3Ac');
  });

  it('types references and snapshots from the schemas', () => {
    expectTypeOf<string>().toExtend<RefOf<typeof mixpeek>>();
    expectTypeOf<{ task_id: string }>().toExtend<RefOf<typeof mixpeek>>();
    expectTypeOf<SnapshotOf<typeof mixpeek>['raw']>().toEqualTypeOf<TaskResponse>();
    type Item<F> = F extends (...args: never[]) => AsyncIterable<infer I> ? I : never;
    expectTypeOf<Item<ReturnType<typeof newClient>['tasks']>>().toEqualTypeOf<TaskResponse>();
  });
});

describe('cancel', () => {
  it('sends DELETE /v1/tasks/{task_id}, and the next wait sees CANCELED', async () => {
    const deletes: { path: string; authorization: string | null }[] = [];
    let killed = false;
    server.use(
      http.delete(`${BASE}/v1/tasks/:taskId`, ({ request }) => {
        deletes.push({ path: new URL(request.url).pathname, authorization: request.headers.get('authorization') });
        killed = true;
        return HttpResponse.json({ success: true, message: 'Successfully deleted' });
      }),
      http.get(`${BASE}/v1/tasks/:taskId`, () => HttpResponse.json(minimal(killed ? 'CANCELED' : 'PROCESSING'))),
    );
    const client = newClient();
    expect((await client.get('task_1')).state).toBe('running');
    await expect(client.cancel('task_1')).resolves.toBeUndefined();
    expect(deletes).toEqual([{ path: '/v1/tasks/task_1', authorization: `Bearer ${TOKEN}` }]);
    const error = await client.wait('task_1').catch((e: unknown) => e);
    expect((error as TaskFailedError).snapshot.state).toBe('canceled');
  });

  it('reports a refused cancel as an HttpError', async () => {
    server.use(http.delete(`${BASE}/v1/tasks/:taskId`, () => HttpResponse.json({}, { status: 403 })));
    await expect(newClient().cancel('task_1')).rejects.toMatchObject({ name: 'HttpError', status: 403 });
  });
});

describe('tasks() list', () => {
  const task = (n: number) => minimal('COMPLETED', { task_id: `task_${n}` });
  // Keyed by the cursor each page is asked with ('' for the first).
  const pages: Record<string, { results: unknown[]; next_cursor?: string | null }> = {
    '': { results: [task(1), task(2)], next_cursor: 'c2' },
    c2: { results: [], next_cursor: 'c3' },
    c3: { results: [task(3), task(4)], next_cursor: 'c4' },
    c4: { results: [task(5)], next_cursor: null },
  };

  function serveList() {
    const requests: {
      cursor: string | null;
      limit: string | null;
      total: string | null;
      body: unknown;
      auth: string | null;
    }[] = [];
    server.use(
      http.post(`${BASE}/v1/tasks/list`, async ({ request }) => {
        const url = new URL(request.url);
        const cursor = url.searchParams.get('cursor');
        requests.push({
          cursor,
          limit: url.searchParams.get('limit'),
          total: url.searchParams.get('include_total'),
          body: await request.json(),
          auth: request.headers.get('authorization'),
        });
        const page = pages[cursor ?? ''];
        if (!page) return HttpResponse.json({ detail: 'bad cursor' }, { status: 400 });
        return HttpResponse.json({
          results: page.results,
          pagination: {
            total: 5,
            page: null,
            page_size: 2,
            total_pages: null,
            next_page: null,
            next_cursor: page.next_cursor,
          },
        });
      }),
    );
    return requests;
  }

  it('walks every page by next_cursor, past an empty page, losing and repeating nothing', async () => {
    const requests = serveList();
    const filters = { status: 'COMPLETED' as const, task_type: 'api_buckets_batches_process' };
    const ids: string[] = [];
    for await (const t of newClient().tasks(filters, { limit: 2, includeTotal: true })) ids.push(t.task_id);
    expect(ids).toEqual(['task_1', 'task_2', 'task_3', 'task_4', 'task_5']);
    expect(requests.map((r) => r.cursor)).toEqual([null, 'c2', 'c3', 'c4']);
    for (const r of requests)
      expect(r).toMatchObject({ limit: '2', total: 'true', body: filters, auth: `Bearer ${TOKEN}` });
  });

  it('gives whole pages with their pagination, and sends {} without filters', async () => {
    const requests = serveList();
    const sizes: number[] = [];
    const cursors: unknown[] = [];
    for await (const page of newClient().tasks().pages()) {
      sizes.push(page.items.length);
      cursors.push(page.meta.next_cursor);
    }
    expect(sizes).toEqual([2, 0, 2, 1]);
    expect(cursors).toEqual(['c2', 'c3', 'c4', null]);
    expect(requests[0]).toMatchObject({ body: {}, limit: null, total: null });
  });

  it('parses a verbatim-shaped page and stops when next_cursor is absent', async () => {
    const page = fixture('constructed-list-tasks-page');
    let calls = 0;
    server.use(
      http.post(`${BASE}/v1/tasks/list`, ({ request }) => {
        calls += 1;
        const cursor = new URL(request.url).searchParams.get('cursor');
        return HttpResponse.json(cursor ? { results: [], pagination: {} } : page);
      }),
    );
    const all = await newClient().tasks({ status: 'FAILED' }).toArray({ limit: Number.POSITIVE_INFINITY });
    expect(all.map((t) => t.task_id)).toEqual(['task_list_1', 'task_list_2']);
    expect(calls).toBe(2);
  });

  it('retries a page that met a transient fault: the list is a POST, but a query', async () => {
    const page = fixture('constructed-list-tasks-page');
    let calls = 0;
    server.use(
      http.post(`${BASE}/v1/tasks/list`, () => {
        calls += 1;
        if (calls === 1) return new HttpResponse(null, { status: 502 });
        return HttpResponse.json({ ...page, pagination: {} });
      }),
    );
    const client = createClient(mixpeek, {
      token: TOKEN,
      wait: FAST,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 },
    });
    const all = await client.tasks({ status: 'FAILED' }).toArray({ limit: 10 });
    expect(all.map((t) => t.task_id)).toEqual(['task_list_1', 'task_list_2']);
    expect(calls).toBe(2);
  });

  it('starts at a saved cursor: null is the first page, a next_cursor that page', async () => {
    const requests = serveList();
    const fromFirst = await newClient().tasks({}, { startAt: null }).toArray({ limit: 10 });
    expect(fromFirst.map((t) => t.task_id)).toEqual(['task_1', 'task_2', 'task_3', 'task_4', 'task_5']);
    const fromC3 = await newClient().tasks({}, { startAt: 'c3' }).toArray({ limit: 10 });
    expect(fromC3.map((t) => t.task_id)).toEqual(['task_3', 'task_4', 'task_5']);
    expect(requests.map((r) => r.cursor)).toEqual([null, 'c2', 'c3', 'c4', 'c3', 'c4']);
  });

  it.each([
    ['an empty string', '', '""'],
    ['a number', 3, '3'],
    ['an object', { cursor: 'c3' }, 'object'],
    ['true', true, 'true'],
  ])('refuses %s as a saved cursor with a ConfigError on startAt, before any request', (_name, startAt, shown) => {
    const requests = serveList();
    const error = (() => {
      try {
        newClient().tasks({}, { startAt });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      field: 'startAt',
      message: `mixpeek: startAt must be a page's cursor (a next_cursor, or null for the first page), got ${shown}`,
    });
    expect(requests).toEqual([]);
  });

  it('rejects a page that breaks ListTasksResponse', async () => {
    server.use(http.post(`${BASE}/v1/tasks/list`, () => HttpResponse.json({ results: [{ task_id: 'x' }] })));
    const error = await newClient()
      .tasks()
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ model: 'ListTasksResponse' });
  });
});
