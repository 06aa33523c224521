// softwareOneVendor({ errorFromLogs: true }): a failed task's reason, from the last Error record of its logs.
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, TaskFailedError } from '../../src/index.js';
import { softwareOne, softwareOneVendor } from '../../src/vendors/softwareone/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const BASE = 'https://api.platform.softwareone.com/public';
const TASKS = `${BASE}/v1/system/tasks`;
const ID = 'TSK-0001-2474-4798-1266';
const fast = { token: 'swo-ops-token', wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0 }, retry: { retries: 0 } };
const withLogs = () => createClient(softwareOneVendor({ errorFromLogs: true }), fast);

const failed = { id: ID, status: 'Failed', name: 'Transferring the buyer to a different account' };
const record = (severity: string, message: string, extra: Record<string, unknown> = {}) => ({
  severity,
  message,
  ...extra,
});

/** Serves the task (one body per poll, the last repeating) and its logs, paged; records the log queries. */
function serve(tasks: unknown[], logs: unknown[] | { status: number }) {
  const logQueries: string[] = [];
  let polls = 0;
  server.use(
    http.get(`${TASKS}/${ID}`, () => HttpResponse.json(tasks[Math.min(++polls, tasks.length) - 1] as object)),
    http.get(`${TASKS}/${ID}/logs`, ({ request }) => {
      const url = new URL(request.url);
      logQueries.push(url.search);
      if (!Array.isArray(logs)) {
        return HttpResponse.json({ title: 'Forbidden', status: logs.status }, { status: logs.status });
      }
      const limit = Number(url.searchParams.get('limit'));
      const offset = Number(url.searchParams.get('offset'));
      return HttpResponse.json({
        $meta: { pagination: { offset, limit, total: logs.length } },
        data: logs.slice(offset, offset + limit),
      });
    }),
  );
  return logQueries;
}

describe('errorFromLogs', () => {
  it("a failed wait rejects with the last Error record's message, its placeholders filled", async () => {
    serve(
      [{ id: ID, status: 'Processing' }, failed],
      [
        record('Info', 'Starting buyer transfer.'),
        record('Error', 'First attempt failed.', { timestamp: '2025-09-11T13:40:10Z' }),
        record('Error', "Buyer '{{BuyerId}}' is locked by {{Owner}}.", {
          timestamp: '2025-09-11T13:40:20Z',
          parameters: { BuyerId: 'BUY-4230-6788' },
        }),
        record('Info', 'Rolled back.', { timestamp: '2025-09-11T13:40:21Z' }),
      ],
    );
    const error = await withLogs()
      .wait(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot.error).toEqual({
      message: "Buyer 'BUY-4230-6788' is locked by {{Owner}}.",
    });
    expect((error as TaskFailedError).message).toContain("Buyer 'BUY-4230-6788' is locked");
  });

  it('reads the logs only once the task has failed, and matches the severity in any casing', async () => {
    const queries = serve([{ id: ID, status: 'Processing' }, failed], [record('ERROR', 'Quota exceeded.')]);
    const client = withLogs();
    expect((await client.get(ID)).error).toBeUndefined();
    expect(queries).toEqual([]);
    expect((await client.get(ID)).error?.message).toBe('Quota exceeded.');
    expect(queries).toEqual(['?limit=100&offset=0']);
  });

  it('with many records, reads the first page for the total and then the last page', async () => {
    const logs = Array.from({ length: 250 }, (_, i) => record('Info', `step ${i}`));
    logs[230] = record('Error', 'Step 230 failed.');
    const queries = serve([failed], logs);
    expect((await withLogs().get(ID)).error?.message).toBe('Step 230 failed.');
    expect(queries).toEqual(['?limit=100&offset=0', '?limit=100&offset=200']);
  });

  it('pages back from the end until a page holds an Error record', async () => {
    const logs = Array.from({ length: 250 }, (_, i) => record('Info', `step ${i}`));
    logs[120] = record('Error', 'Step 120 failed.');
    logs[5] = record('Error', 'Step 5 failed.');
    const queries = serve([failed], logs);
    expect((await withLogs().get(ID)).error?.message).toBe('Step 120 failed.');
    expect(queries).toEqual(['?limit=100&offset=0', '?limit=100&offset=200', '?limit=100&offset=100']);
  });

  it('reads at most 10 pages', async () => {
    const logs = Array.from({ length: 2000 }, (_, i) => record('Info', `step ${i}`));
    const queries = serve([failed], logs);
    expect((await withLogs().get(ID)).error).toBeUndefined();
    expect(queries).toHaveLength(10);
    expect(queries.at(-1)).toBe('?limit=100&offset=1100');
  });

  it.each([401, 403, 404])(
    'a token that may not read logs (%i) leaves the error out, the state as it is',
    async (status) => {
      serve([failed], { status });
      const error = await withLogs()
        .wait(ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).snapshot).toMatchObject({ state: 'failed' });
      expect((error as TaskFailedError).snapshot.error).toBeUndefined();
    },
  );

  it('logs without an Error record leave the error out', async () => {
    serve([failed], [record('Info', 'Nothing to see.'), record('Warning', 'Hmm.')]);
    expect((await withLogs().get(ID)).error).toBeUndefined();
  });

  it('is off by default: softwareOne never reads logs', async () => {
    const queries = serve([failed], [record('Error', 'Quota exceeded.')]);
    const snapshot = await createClient(softwareOne, fast).get(ID);
    expect(snapshot.error).toBeUndefined();
    expect(queries).toEqual([]);
  });

  it('a completed task is not looked up', async () => {
    const queries = serve([{ id: ID, status: 'Completed' }], [record('Error', 'old failure')]);
    expect((await withLogs().wait(ID)).state).toBe('succeeded');
    expect(queries).toEqual([]);
  });

  it('an errorFromLogs that is not a boolean is a ConfigError', () => {
    expect(() => softwareOneVendor({ errorFromLogs: 'yes' as never })).toThrow(ConfigError);
    expect(() => softwareOneVendor({ errorFromLogs: 'yes' as never })).toThrow(/errorFromLogs must be true or false/);
  });
});
