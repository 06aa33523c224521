// softwareOneVendor() made inside each test (not the module's `softwareOne`), so that what it sets up
// (auth, models, the batch key, the option check) is pinned by the tests that use it.
import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createClient, ResponseValidationError } from '../../src/index.js';
import { fakeTask, softwareOneFake, softwareOneTaskList, taskwaitHandlers } from '../../src/testing/index.js';
import { softwareOneVendor } from '../../src/vendors/softwareone/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const BASE = 'https://api.platform.softwareone.com/public';
const TASKS = `${BASE}/v1/system/tasks`;
const ID = 'TSK-0001-2474-4798-1266';
const TOKEN = 'swo-token-5f2c9a7e1d';
const fast = {
  token: TOKEN,
  wait: { minDelayMs: 1, maxDelayMs: 1, jitter: 0, estimate: false },
  retry: { retries: 0 },
};
const client = () => createClient(softwareOneVendor(), fast);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/softwareone/${name}`, import.meta.url), 'utf8'));
}

/** Serves `body` at GET /v1/system/tasks/{ID} and records each request. */
function serveTask(body: unknown) {
  const seen: Request[] = [];
  server.use(
    http.get(`${TASKS}/${ID}`, ({ request }) => {
      seen.push(request.clone());
      return HttpResponse.json(body as Record<string, unknown>);
    }),
  );
  return seen;
}

/** An empty RQL list at `url`; records each raw query string. */
function serveEmptyList(url: string) {
  const raw: string[] = [];
  server.use(
    http.get(url, ({ request }) => {
      raw.push(new URL(request.url).search);
      return HttpResponse.json({ $meta: { pagination: { offset: 0, limit: 100, total: 0 } }, data: [] });
    }),
  );
  return raw;
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => e,
  );

describe('softwareOneVendor()', () => {
  it('refuses an errorFromLogs that is not a boolean, naming it', () => {
    const error = (() => {
      try {
        softwareOneVendor({ errorFromLogs: 'yes' as unknown as boolean });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      field: 'errorFromLogs',
      message: 'softwareone: errorFromLogs must be true or false, got string',
    });
  });

  it('sends the token as Authorization: Bearer', async () => {
    const seen = serveTask(fixture('task-completed-minimal.json'));
    await client().get(ID);
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual([`Bearer ${TOKEN}`]);
  });

  it('names the Task model in a validation error', async () => {
    serveTask({ id: ID, status: 42 });
    const error = await rejection(client().get(ID));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ model: 'Task', vendor: 'softwareone' });
  });

  it('reads the end time of a task whose status is PascalCase from the audit event of that end', async () => {
    const audit = {
      created: { at: '2025-09-04T09:03:08.790Z' },
      completed: { at: '2025-09-04T09:05:00.000Z' },
      failed: { at: '2025-09-04T09:06:00.000Z' },
    };
    serveTask({ ...fixture('task-completed-minimal.json'), status: 'Completed', audit });
    expect((await client().get(ID)).completedAt).toBe('2025-09-04T09:05:00.000Z');
    serveTask({ ...fixture('task-completed-minimal.json'), status: 'Failed', audit });
    expect((await client().get(ID)).completedAt).toBe('2025-09-04T09:06:00.000Z');
    serveTask({ ...fixture('task-completed-minimal.json'), status: 'Processing', audit });
    expect((await client().get(ID)).completedAt).toBeUndefined();
    serveTask({ ...fixture('task-completed-minimal.json'), status: ' completed ', audit });
    expect(await client().get(ID)).toMatchObject({ state: 'succeeded', completedAt: '2025-09-04T09:05:00.000Z' });
  });

  it('reads no logs for a failed task unless errorFromLogs is on', async () => {
    serveTask({ ...fixture('task-completed-minimal.json'), status: 'Failed' });
    const logs: string[] = [];
    server.use(
      http.get(`${TASKS}/${ID}/logs`, ({ request }) => {
        logs.push(request.url);
        return HttpResponse.json({ $meta: { pagination: { offset: 0, limit: 100, total: 0 } }, data: [] });
      }),
    );
    const error = await rejection(client().wait(ID));
    expect(error).toMatchObject({ name: 'TaskFailedError', snapshot: { state: 'failed' } });
    expect(logs).toEqual([]);
  });

  it('reads waits on task ids together through the task list', async () => {
    const ids = [0, 1, 2].map((i) => `TSK-0000-0000-0000-000${i}`);
    const tasks = ids.map((id) => fakeTask(softwareOneFake, { id, queuedPolls: 0, progress: [] }));
    const paths: string[] = [];
    const listener = ({ request }: { request: Request }) => {
      const url = new URL(request.url);
      paths.push(decodeURIComponent(url.pathname + url.search));
    };
    server.events.on('request:start', listener);
    server.use(...taskwaitHandlers(tasks, { routes: [softwareOneTaskList()] }));
    try {
      await createClient(softwareOneVendor(), {
        ...fast,
        wait: { ...fast.wait, minDelayMs: 5, maxDelayMs: 5 },
      }).waitAll(ids);
    } finally {
      server.events.removeListener('request:start', listener);
    }
    expect(paths).toEqual([
      `/public/v1/system/tasks/${ids[0]}`,
      `/public/v1/system/tasks?in(id,("${ids[1]}","${ids[2]}"))&limit=2`,
    ]);
  });
});

describe('result()', () => {
  it('asks GET …/result when the result URI is blank', async () => {
    serveTask({ ...fixture('task-completed-minimal.json'), result: '   ' });
    server.use(http.get(`${TASKS}/${ID}/result`, () => HttpResponse.json({ ok: true })));
    expect(await client().result(ID)).toEqual({ ok: true });
  });

  it('names the task result model when the result does not match the schema', async () => {
    const { result: _result, ...task } = fixture('task-completed-minimal.json');
    serveTask(task);
    server.use(http.get(`${TASKS}/${ID}/result`, () => HttpResponse.json({ id: 7 })));
    const error = await rejection(client().result(ID, { schema: z.object({ id: z.string() }) }));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ model: 'task result' });
  });

  it('takes only its own vendor’s snapshot, with its payload, as a snapshot; anything else is a bad reference', async () => {
    const seen = serveTask(fixture('task-completed-minimal.json'));
    const layer = client();
    const snapshot = await layer.get(ID);
    const { raw: _raw, ...withoutRaw } = snapshot;
    const others = [withoutRaw, { ...snapshot, vendor: 'mixpeek' }, null];
    for (const other of others) {
      const error = await rejection(layer.result(other as never));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('ref');
    }
    expect(seen).toHaveLength(1);
  });
});

describe('lists', () => {
  it('sends no RQL part when none is given, and a saved offset of 0 starts at 0', async () => {
    const raw = serveEmptyList(TASKS);
    await client().tasks().toArray({ limit: 10 });
    await client().tasks({ startAt: 0 }).toArray({ limit: 10 });
    expect(raw).toEqual(['?limit=100&offset=0', '?limit=100&offset=0']);
  });

  it('refuses a startAt that is no offset, saying what an offset is', () => {
    const error = (() => {
      try {
        client().tasks({ startAt: -1 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      field: 'startAt',
      message: "softwareone: startAt must be a page's cursor (an offset, a whole number of at least 0), got -1",
    });
  });

  it('cleans a raw RQL filter: blanks, a lone "?", its own limit and offset out; "#" escaped', async () => {
    const raw = serveEmptyList(TASKS);
    await client()
      .tasks({ rql: '  eq(a,1)&&?&offset=3&LIMIT=4&q=limit=5&c=d?e&order=-x#frag ' })
      .toArray({ limit: 10 });
    expect(raw).toEqual(['?eq(a,1)&q=limit=5&c=d?e&order=-x%23frag&limit=100&offset=0']);
  });

  it('names the TaskLog list model when a page of logs does not match', async () => {
    server.use(http.get(`${TASKS}/${ID}/logs`, () => HttpResponse.json({ data: 'none' })));
    const error = await rejection(client().logs(ID).toArray({ limit: 10 }));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ model: 'TaskLog list' });
  });
});
