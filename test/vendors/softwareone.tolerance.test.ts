// SoftwareOne publishes no machine-readable spec: what its docs, its python client and its own mock
// extension show, and the SDK must read. A Task needs only `id` and `status`.
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, ResponseValidationError, TaskFailedError } from '../../src/index.js';
import { softwareOne, TaskSchema } from '../../src/vendors/softwareone/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const BASE = 'https://api.platform.softwareone.com/public';
const TASKS = `${BASE}/v1/system/tasks`;
const ID = 'TSK-0001-2474-4798-1266';
const fast = { token: 'swo-tolerance-token', wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0 }, retry: { retries: 0 } };

function answer(url: string, body: unknown) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(url, ({ request }) => {
      queries.push(new URL(request.url).searchParams);
      return HttpResponse.json(body as Record<string, unknown>);
    }),
  );
  return queries;
}

describe('a canceled task', () => {
  it.each(['Canceled', 'canceled', 'CANCELED', 'Cancelled', 'cancelled'])(
    'status %s is canceled, and ends the wait at once',
    async (status) => {
      answer(`${TASKS}/${ID}`, { id: ID, status });
      const error = await createClient(softwareOne, fast)
        .wait(ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).snapshot).toMatchObject({
        state: 'canceled',
        terminal: true,
        rawStatus: status,
      });
    },
  );
});

describe('a trimmed task (select=-*,+id,+status)', () => {
  it('a task with only id and status is a snapshot; without a name it has no message', async () => {
    answer(`${TASKS}/${ID}`, { id: ID, status: 'Processing' });
    const snapshot = await createClient(softwareOne, fast).get(ID);
    expect(snapshot).toMatchObject({ id: ID, state: 'running', rawStatus: 'Processing', raw: { id: ID } });
    expect('message' in snapshot).toBe(false);
  });

  it('nested references without their ids, and audit events without `at`, are kept', () => {
    const task = { id: ID, status: 'Completed', owner: { name: 'platform' }, object: {}, audit: { created: {} } };
    expect(TaskSchema.parse(task)).toEqual(task);
  });

  it('a list page of trimmed tasks is yielded whole', async () => {
    const items = [
      { id: ID, status: 'Completed' },
      { id: 'TSK-0001-2474-4798-1267', status: 'failed' },
    ];
    answer(TASKS, { $meta: { pagination: { offset: 0, limit: 100, total: 2 } }, data: items });
    const seen = await createClient(softwareOne, fast).tasks({ rql: 'select=-*,+id,+status' }).toArray({ limit: 10 });
    expect(seen).toEqual(items);
  });

  it('id and status stay required: a task without status is a ResponseValidationError naming it', async () => {
    answer(`${TASKS}/${ID}`, { id: ID, name: 'Transferring' });
    const error = await createClient(softwareOne, fast)
      .get(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues.map((i) => i.path)).toEqual([['status']]);
  });
});

describe('a list page without $meta', () => {
  it('is a single, last page: its items are yielded and nothing more is asked for', async () => {
    const items = [{ id: ID, status: 'Completed' }];
    const queries = answer(TASKS, { data: items });
    const pages = [];
    for await (const page of createClient(softwareOne, fast).tasks({ pageSize: 1 }).pages()) pages.push(page);
    expect(pages).toEqual([{ items, meta: {}, next: undefined, cursor: 0 }]);
    expect(queries).toHaveLength(1);
  });

  it('a $meta without pagination, or pagination without a total, is the last page too', async () => {
    const items = [{ id: ID, status: 'Completed' }];
    const queries = answer(TASKS, { $meta: { ignored: ['x'] }, data: items });
    expect(await createClient(softwareOne, fast).tasks({ pageSize: 1 }).toArray({ limit: 10 })).toEqual(items);
    server.resetHandlers();
    const again = answer(TASKS, { $meta: { pagination: { offset: 0, limit: 1 } }, data: items });
    expect(await createClient(softwareOne, fast).tasks({ pageSize: 1 }).toArray({ limit: 10 })).toEqual(items);
    expect([queries.length, again.length]).toEqual([1, 1]);
  });

  it('log records need no field at all', async () => {
    const records = [{ severity: 'Info' }, {}, { message: 'Done.' }];
    answer(`${TASKS}/${ID}/logs`, { data: records });
    expect(await createClient(softwareOne, fast).logs(ID).toArray({ limit: 10 })).toEqual(records);
  });
});
