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
  TaskFailedError,
  type TaskState,
} from '../../src/index.js';
import type { FakeTaskView } from '../../src/testing/fake.js';
import { layerIqFake } from '../../src/testing/fakes/layer-iq.js';
import {
  LAYER_IQ_BASE_URL,
  layerIq,
  type Task,
  TaskSchema,
  WebhookEventSchema,
} from '../../src/vendors/layer-iq/index.js';

const BASE = LAYER_IQ_BASE_URL;
const KEY = 'liq_test_9f8e7d6c5b4a39281706';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.k2J9vXo1bQ0sPq7WmN3rTy8uLz5aC4dE6fG';
const fast = { minDelayMs: 1, maxDelayMs: 2, jitter: 0 };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/layer-iq/${name}.json`, import.meta.url), 'utf8'));

const client = (token = KEY) => createClient(layerIq, { token, wait: fast, retry: { retries: 0 } });

function view(state: TaskState, extra: Partial<FakeTaskView> = {}): FakeTaskView {
  const at = new Date('2025-03-04T10:15:00Z');
  return { id: 'run_1', state, createdAt: at, updatedAt: at, poll: 1, ...extra };
}
const render = (v: FakeTaskView) => layerIqFake.kinds.task.render(v) as Record<string, unknown>;

/** Serves `bodies` in turn at /tasks/:taskId (the last one repeats) and records the requests. */
function serve(bodies: unknown[], path = `${BASE}/tasks/:taskId`) {
  const requests: Request[] = [];
  server.use(
    http.get(path, ({ request }) => {
      requests.push(request.clone());
      return HttpResponse.json(bodies[Math.min(requests.length - 1, bodies.length - 1)] as object);
    }),
  );
  return requests;
}

describe('lifecycle', () => {
  it('waits through QUEUED and RUNNING with progress to COMPLETE', async () => {
    const requests = serve([
      render(view('queued')),
      render(view('running', { progress: 0.25 })),
      render(view('running', { progress: 0.75 })),
      render(view('succeeded', { completedAt: new Date('2025-03-04T10:20:00Z') })),
    ]);
    const seen: [TaskState, number | undefined][] = [];
    const done = await client().wait('run_1', { onProgress: (s) => seen.push([s.state, s.progress]) });
    expect(seen).toEqual([
      ['queued', 0],
      ['running', 0.25],
      ['running', 0.75],
      ['succeeded', 1],
    ]);
    expect(done).toMatchObject({
      vendor: 'layer-iq',
      kind: 'task',
      id: 'run_1',
      rawStatus: 'COMPLETE',
      terminal: true,
    });
    expect(done.completedAt).toBe('2025-03-04T10:20:00.000Z');
    expect(done.error).toBeUndefined();
    expect(done.message).toMatch(/^INGEST: 100 received/);
    expect(new URL(requests[0]?.url ?? '').pathname).toBe('/api/v1/public/tasks/run_1');
  });

  it('resolves a COMPLETE task with counts.failed > 0 as partial, saying how many rows failed', async () => {
    serve([fixture('constructed-task-complete-partial')]);
    const done = await client().wait('run_01HZX3K9Q7');
    expect(done.state).toBe('partial');
    expect(done.error).toEqual({ message: '3 of 1000 rows failed' });
    expect(done.raw.counts.failed).toBe(3);
  });

  it('counts an ERROR issue on a COMPLETE task as partial even when counts.failed is 0', async () => {
    const body = {
      ...render(view('succeeded')),
      issues: {
        data: [{ code: 'geo_lookup_failed', message: 'country codes not resolved', rowIndex: -1, severity: 'ERROR' }],
      },
    };
    serve([body]);
    const done = await client().wait('run_1');
    expect(done.state).toBe('partial');
    expect(done.error).toEqual({ message: 'country codes not resolved', code: 'geo_lookup_failed' });
  });

  it('reads failed rows as partial only once the task is COMPLETE, and says what it counted', async () => {
    const running = {
      ...render(view('running')),
      mode: 'SYNC',
      counts: { received: 10, failed: 2 },
      issues: { data: [] },
    };
    const noReceived = { ...running, status: 'COMPLETE', counts: { failed: 2 } };
    const empty = { ...running, status: 'COMPLETE', counts: {} };
    serve([running, noReceived, empty]);
    const layer = client();
    const first = await layer.get('run_1');
    expect(first.state).toBe('running');
    expect(first.error).toBeUndefined();
    expect(first.message).toBe('SYNC: 10 received, 2 failed');
    // Rows failed and no ERROR issue: partial from the counts alone, "?" for a count not given.
    const second = await layer.get('run_1');
    expect(second.state).toBe('partial');
    expect(second.error).toEqual({ message: '2 of ? rows failed' });
    expect(second.message).toBe('SYNC: 2 failed');
    const third = await layer.get('run_1');
    expect(third.state).toBe('succeeded');
    expect(third.message).toBe('SYNC');
  });

  it('keeps a COMPLETE task with only warnings and inline row issues succeeded', async () => {
    serve([fixture('constructed-task-normalize')]);
    const done = await client().wait('run_01HZX5N0RM');
    expect(done.state).toBe('succeeded');
    expect(done.raw.normalizedRows?.data?.[1]?.issues?.[0]?.code).toBe('unknown_model');
  });

  it('rejects a FAILED task with TaskFailedError carrying the error text', async () => {
    serve([fixture('constructed-task-failed')]);
    const error = await client()
      .wait('run_01HZX4B2M1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const failed = error as TaskFailedError;
    expect(failed.message).toContain('organization storage quota exceeded');
    expect(failed.snapshot).toMatchObject({ state: 'failed', rawStatus: 'FAILED', progress: 0.1 });
    expect(failed.snapshot.error?.message).toBe('Bulk update aborted: organization storage quota exceeded');
  });

  it('rejects a CANCELED task with TaskFailedError in the canceled state', async () => {
    serve([render(view('running', { progress: 0.5 })), render(view('canceled'))]);
    const error = await client()
      .wait('run_1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot.state).toBe('canceled');
    expect((error as TaskFailedError).message).toContain('was canceled');
  });

  it('keeps waiting through a status it does not know', async () => {
    serve([{ ...render(view('running')), status: 'PAUSED' }, render(view('succeeded'))]);
    const states: string[] = [];
    for await (const s of client().watch('run_1')) states.push(`${s.state}:${s.rawStatus}`);
    expect(states).toEqual(['unknown:PAUSED', 'succeeded:COMPLETE']);
  });

  it('accepts enum values it does not know in mode, syncMode and severity', async () => {
    serve([
      {
        ...render(view('succeeded')),
        mode: 'MERGE',
        syncMode: 'INCREMENTAL',
        issues: { data: [{ code: 'x', message: 'y', rowIndex: 0, severity: 'NOTICE' }] },
      },
    ]);
    const done = await client().get('run_1');
    expect(done.raw).toMatchObject({ mode: 'MERGE', syncMode: 'INCREMENTAL' });
    expect(done.state).toBe('succeeded');
  });
});

describe('validation', () => {
  it('fails with ResponseValidationError naming the path when counts is missing', async () => {
    const { counts: _counts, ...body } = render(view('running'));
    serve([body]);
    const error = await client()
      .get('run_1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    const invalid = error as ResponseValidationError;
    expect(invalid).toMatchObject({ vendor: 'layer-iq', model: 'Task', reason: 'schema' });
    expect(invalid.issues.map((i) => i.path)).toEqual([['counts']]);
  });

  it('fails on a wrong type inside a documented model, with its path', async () => {
    serve([
      { ...render(view('running')), issues: { data: [{ code: 'c', message: 'm', rowIndex: '4', severity: 'ERROR' }] } },
    ]);
    const error = (await client()
      .get('run_1')
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.issues[0]?.path).toEqual(['issues', 'data', 0, 'rowIndex']);
  });

  it('does not fail a task over an unexpected pagination shape, which is undocumented', async () => {
    serve([{ ...render(view('succeeded')), issues: { data: [], pagination: { page: '1', next: 42 } } }]);
    await expect(client().get('run_1')).resolves.toMatchObject({ state: 'succeeded' });
  });

  it('accepts the verbatim 202 body and the constructed fixtures', () => {
    expect(fixture('intro-task-accepted')).toEqual({ taskId: '…' });
    for (const name of [
      'constructed-task-running',
      'constructed-task-complete-partial',
      'constructed-task-normalize',
    ]) {
      expect(TaskSchema.safeParse(fixture(name)).success).toBe(true);
    }
    expect(WebhookEventSchema.safeParse(fixture('constructed-webhook-event-completed')).success).toBe(true);
  });
});

describe('auth', () => {
  it('sends an API key in X-API-Key and nothing in Authorization', async () => {
    const requests = serve([render(view('succeeded'))]);
    await client(KEY).get('run_1');
    expect(requests[0]?.headers.get('x-api-key')).toBe(KEY);
    expect(requests[0]?.headers.get('authorization')).toBeNull();
  });

  it('sends a session JWT as Authorization: Bearer', async () => {
    const requests = serve([render(view('succeeded'))]);
    await client(JWT).get('run_1');
    expect(requests[0]?.headers.get('authorization')).toBe(`Bearer ${JWT}`);
    expect(requests[0]?.headers.get('x-api-key')).toBeNull();
  });

  it.each([
    ['API key', KEY],
    ['JWT', JWT],
  ])('never puts the %s in an error, even when the server echoes it', async (_, token) => {
    server.use(
      http.get(`${BASE}/tasks/:taskId`, ({ request }) =>
        HttpResponse.json(
          {
            error: {
              code: 'UNAUTHORIZED',
              message: `bad credential ${request.headers.get('x-api-key') ?? request.headers.get('authorization')}`,
            },
          },
          { status: 401 },
        ),
      ),
    );
    const error = await client(token)
      .get('run_1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect((error as Error).message).not.toContain(token);
    expect(JSON.stringify(error)).not.toContain(token);
  });
});

describe('references', () => {
  const done = render(view('succeeded', { id: 'run_9' }));

  it('follows an absolute Location URL', async () => {
    const requests = serve([done]);
    const snap = await client().wait(`${BASE}/tasks/run_9`);
    expect(snap.id).toBe('run_9');
    expect(requests[0]?.url).toBe(`${BASE}/tasks/run_9`);
  });

  it.each([
    ['a root-relative taskUrl under the base path', '/api/v1/public/tasks/run_9'],
    ['a taskUrl relative to the base URL', 'tasks/run_9'],
  ])('follows { url } with %s', async (_, url) => {
    const requests = serve([done]);
    await expect(client().wait({ url })).resolves.toMatchObject({ id: 'run_9', state: 'succeeded' });
    expect(requests[0]?.url).toBe(`${BASE}/tasks/run_9`);
  });

  it('turns a webhook taskUrl into a reference, reading a path outside the base path as relative to it', async () => {
    const requests = serve([done]);
    const layer = client();
    const event = { ...fixture('constructed-webhook-event-completed') } as never;
    expect(layer.webhookRef(event)).toBe(`${BASE}/tasks/run_01HZX3K9Q7`);
    const ref = layer.webhookRef({
      ...(fixture('constructed-webhook-event-completed').data as object),
      taskUrl: '/tasks/run_9',
    } as never);
    expect(ref).toBe(`${BASE}/tasks/run_9`);
    await layer.wait(ref);
    expect(requests).toHaveLength(1);
  });

  it('refuses a task URL on another origin, so the key never leaves for it', async () => {
    await expect(client().wait('https://evil.example/tasks/run_9')).rejects.toBeInstanceOf(ConfigError);
  });

  it('has no cancel: the API documents none', async () => {
    await expect(client().cancel('run_1')).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('fake', () => {
  it.each(layerIqFake.outcomes.map((s) => [s]))(
    'renders %s as a Task the vendor reads back as that state',
    async (state) => {
      serve([render(view(state, { failedItems: 2, totalItems: 10, error: 'boom' }))]);
      const snap = await client().get(layerIqFake.ref('task', 'run_1'));
      expect(snap.state).toBe(state);
    },
  );

  it('serves its error body as an HttpError the client reads', async () => {
    const { body, contentType } = layerIqFake.errorBody(403, 'API access is not enabled');
    server.use(
      http.get(`${BASE}/tasks/:taskId`, () =>
        HttpResponse.json(body as object, { status: 403, headers: { 'content-type': contentType } }),
      ),
    );
    const error = (await client()
      .get('run_1')
      .catch((e: unknown) => e)) as HttpError;
    expect(error.status).toBe(403);
    expect(error.bodyExcerpt).toContain('FEATURE_NOT_AVAILABLE');
  });
});

describe('types', () => {
  it('types the snapshot, the references and the vendor methods', () => {
    const layer = createClient(layerIq, { token: KEY });
    expectTypeOf<RefOf<typeof layerIq>>().toEqualTypeOf<string>();
    expectTypeOf(layer.get).returns.resolves.toHaveProperty('raw').toEqualTypeOf<Task>();
    expectTypeOf(layer.issues('run_1')).toExtend<AsyncIterable<{ code: string; rowIndex: number }>>();
    expectTypeOf(layer.normalizedRows('run_1')).toExtend<AsyncIterable<{ identifier?: string | undefined }>>();
    expectTypeOf(layer.ingest).returns.resolves.toEqualTypeOf<string[]>();
    expectTypeOf<Task['status']>().toExtend<string>();
    expectTypeOf<'COMPLETE'>().toExtend<Task['status']>();
  });
});
