import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createClient, ResponseValidationError } from '../../src/index.js';
import { isRunNotice, LAYER_IQ_BASE_URL, layerIq, type TaskIssue } from '../../src/vendors/layer-iq/index.js';

const BASE = LAYER_IQ_BASE_URL;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const layer = createClient(layerIq, { token: 'liq_live_0123456789abcdef', retry: { retries: 0 } });

const issue = (rowIndex: number, severity = 'ERROR'): TaskIssue => ({
  code: rowIndex < 0 ? 'issues_truncated' : 'invalid_row',
  message: `issue at ${rowIndex}`,
  rowIndex,
  severity,
});

const task = (issues: unknown, extra: Record<string, unknown> = {}) => ({
  taskId: 'run_1',
  mode: 'INGEST',
  status: 'COMPLETE',
  progress: 1,
  counts: { received: 50, failed: 7 },
  issues,
  ...extra,
});

/** Serves the task at /tasks/run_1; `pageOf` answers for each request's query. */
function serveTask(pageOf: (query: URLSearchParams) => unknown) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${BASE}/tasks/run_1`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      queries.push(query);
      return HttpResponse.json(pageOf(query) as object);
    }),
  );
  return queries;
}

// Three pages of issues, asked for with issuesPage=N; page 1 is the task's embedded one.
const PAGES = [
  [issue(-1, 'INFO'), issue(0), issue(3)],
  [issue(4), issue(9)],
  [issue(12), issue(20)],
];
const paged = (query: URLSearchParams) => {
  const page = Number(query.get('issuesPage') ?? 1);
  return task({ data: PAGES[page - 1], pagination: { page, pageSize: 3, total: 7, totalPages: 3 } });
};

describe('issues()', () => {
  it('walks every page once, in order, asking for page N with issuesPage', async () => {
    const queries = serveTask(paged);
    const all: TaskIssue[] = [];
    for await (const item of layer.issues('run_1')) all.push(item);
    expect(all).toEqual(PAGES.flat());
    expect(new Set(all.map((i) => i.rowIndex)).size).toBe(7);
    expect(queries.map((q) => q.get('issuesPage'))).toEqual([null, '2', '3']);
  });

  it('yields whole pages with their pagination from .pages()', async () => {
    serveTask(paged);
    const pages: [number, number | null | undefined][] = [];
    for await (const page of layer.issues('run_1').pages()) pages.push([page.items.length, page.meta?.page]);
    expect(pages).toEqual([
      [3, 1],
      [2, 2],
      [2, 3],
    ]);
  });

  it('stops fetching after a break mid-walk', async () => {
    let requests = 0;
    server.use(
      http.get(`${BASE}/tasks/run_1`, ({ request }) => {
        requests += 1;
        const page = Number(new URL(request.url).searchParams.get('issuesPage') ?? 1);
        return HttpResponse.json(
          task({ data: [issue(page * 10), issue(page * 10 + 1)], pagination: { page, hasMore: true } }),
        );
      }),
    );
    const seen: number[] = [];
    for await (const item of layer.issues('run_1')) {
      seen.push(item.rowIndex);
      if (seen.length === 5) break;
    }
    const atBreak = requests;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([10, 11, 20, 21, 30]);
    expect(atBreak).toBeLessThanOrEqual(4);
    expect(requests).toBe(atBreak);
  });

  it('collects a bounded array with toArray({ limit })', async () => {
    serveTask(paged);
    const first = await layer.issues('run_1').toArray({ limit: 4 });
    expect(first.map((i) => i.rowIndex)).toEqual([-1, 0, 3, 4]);
  });

  it('goes on past an empty page that still has a next page', async () => {
    const queries = serveTask((query) => {
      const page = Number(query.get('issuesPage') ?? 1);
      const data = page === 2 ? [] : [issue(page)];
      return task({ data, pagination: { page, hasMore: page < 3 } });
    });
    const all = await layer.issues('run_1').toArray({ limit: Number.POSITIVE_INFINITY });
    expect(all.map((i) => i.rowIndex)).toEqual([1, 3]);
    expect(queries).toHaveLength(3);
  });

  it('tells run-level notices from row issues with scope and isRunNotice', async () => {
    serveTask(paged);
    const rows = await layer.issues('run_1', { scope: 'rows' }).toArray({ limit: 100 });
    const run = await layer.issues('run_1', { scope: 'run' }).toArray({ limit: 100 });
    expect(rows.map((i) => i.rowIndex)).toEqual([0, 3, 4, 9, 12, 20]);
    expect(run.map((i) => i.code)).toEqual(['issues_truncated']);
    expect(isRunNotice(issue(-1))).toBe(true);
    expect(isRunNotice(issue(0))).toBe(false);
  });

  it('uses the page parameter names and page size it is given', async () => {
    const queries = serveTask((query) => {
      const page = Number(query.get('page') ?? 1);
      return task({ data: PAGES[page - 1], pagination: { totalPages: 3 } });
    });
    const all = await layer
      .issues('run_1', { pageParam: 'page', pageSizeParam: 'limit', pageSize: 3 })
      .toArray({ limit: 100 });
    expect(all).toHaveLength(7);
    expect(queries.map((q) => [q.get('page'), q.get('limit')])).toEqual([
      [null, '3'],
      ['2', '3'],
      ['3', '3'],
    ]);
  });

  it('follows a next URL, also to a bare { data, pagination } collection', async () => {
    serveTask(() => task({ data: [issue(0)], pagination: { next: '/api/v1/public/tasks/run_1/issues?after=0' } }));
    server.use(
      http.get(`${BASE}/tasks/run_1/issues`, ({ request }) => {
        const after = new URL(request.url).searchParams.get('after');
        return after === '0'
          ? HttpResponse.json({ data: [issue(1)], pagination: { next: `${BASE}/tasks/run_1/issues?after=1` } })
          : HttpResponse.json({ data: [issue(2)], pagination: { next: null } });
      }),
    );
    const all = await layer.issues('run_1').toArray({ limit: 100 });
    expect(all.map((i) => i.rowIndex)).toEqual([0, 1, 2]);
  });

  it('sends a nextCursor back in the cursor parameter', async () => {
    const queries = serveTask((query) => {
      const cursor = query.get('issuesCursor');
      if (cursor === null) return task({ data: [issue(0)], pagination: { nextCursor: 'c1' } });
      return task({
        data: [issue(cursor === 'c1' ? 1 : 2)],
        pagination: { nextCursor: cursor === 'c1' ? 'c2' : null },
      });
    });
    const all = await layer.issues('run_1').toArray({ limit: 100 });
    expect(all.map((i) => i.rowIndex)).toEqual([0, 1, 2]);
    expect(queries.map((q) => q.get('issuesCursor'))).toEqual([null, 'c1', 'c2']);
  });

  it('reads total without totalPages, stopping once every item is seen', async () => {
    const queries = serveTask((query) => {
      const page = Number(query.get('issuesPage') ?? 1);
      return task({ data: PAGES[page - 1] ?? [], pagination: { page, pageSize: 3, total: 7 } });
    });
    const all = await layer.issues('run_1').toArray({ limit: 100 });
    expect(all).toHaveLength(7);
    expect(queries).toHaveLength(3);
  });

  it.each([
    ['echoes page 1', { page: 1, hasMore: true }],
    ['sends the same items again', { hasMore: true }],
  ])(
    'stops with a ConfigError naming pageParam, not a loop, when the server ignores the page parameter and %s',
    async (_, pagination) => {
      const queries = serveTask(() => task({ data: [issue(0), issue(1)], pagination }));
      const error = await layer
        .issues('run_1', { prefetch: 0 })
        .toArray({ limit: 1000 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('pageParam');
      expect((error as Error).message).toContain('?issuesPage=2');
      expect(queries).toHaveLength(2);
    },
  );

  it('refuses a next URL on another origin as the server’s fault (a ResponseValidationError), sending nothing there', async () => {
    serveTask(() => task({ data: [issue(0)], pagination: { next: 'https://evil.example/steal?page=2' } }));
    const error = await layer
      .issues('run_1')
      .toArray({ limit: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ model: 'TaskIssue page', reason: 'schema', url: `${BASE}/tasks/run_1`, status: 200 });
    const [first] = (error as ResponseValidationError).issues;
    expect(first?.path).toEqual(['pagination', 'next']);
    expect(first?.message).toMatch(/^a URL the client does not follow: layer-iq: https:\/\/evil\.example is not/);
  });

  it('stops at the same items behind ever-new next URLs', async () => {
    let n = 0;
    const queries = serveTask(() =>
      task({ data: [issue(0), issue(1)], pagination: { next: `/api/v1/public/tasks/run_1?after=${++n}` } }),
    );
    const error = await layer
      .issues('run_1', { prefetch: 0 })
      .toArray({ limit: 1000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PagingError', pages: 2 });
    expect(queries).toHaveLength(2);
  });

  it('stops at pages A, B, A, B when the server ignores the page parameter and claims a huge total', async () => {
    const queries = serveTask((query) => {
      const page = Number(query.get('issuesPage') ?? 1);
      return task({ data: page % 2 ? [issue(0), issue(1)] : [issue(2), issue(3)], pagination: { total: 1e12 } });
    });
    const error = await layer
      .issues('run_1', { prefetch: 0 })
      .toArray({ limit: 1e6 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PagingError', pages: 3 });
    expect(queries.map((q) => q.get('issuesPage'))).toEqual([null, '2', '3']);
  });

  it('follows the server when it numbers pages from 0', async () => {
    const queries = serveTask((query) => {
      const page = Number(query.get('issuesPage') ?? 0);
      return task({ data: PAGES[page], pagination: { page, totalPages: 3 } });
    });
    expect(await layer.issues('run_1').toArray({ limit: 100 })).toEqual(PAGES.flat());
    expect(queries.map((q) => q.get('issuesPage'))).toEqual([null, '1', '2']);
  });

  it('yields nothing for a task without issues, in one request', async () => {
    const queries = serveTask(() => task(undefined));
    expect(await layer.issues('run_1').toArray({ limit: 10 })).toEqual([]);
    expect(queries).toHaveLength(1);
  });

  it('reaches the task through a Location URL and a { url } reference too', async () => {
    serveTask(paged);
    expect(await layer.issues(`${BASE}/tasks/run_1`).toArray({ limit: 100 })).toHaveLength(7);
    expect(await layer.issues({ url: 'tasks/run_1' }).toArray({ limit: 100 })).toHaveLength(7);
  });
});

describe('normalizedRows()', () => {
  it('walks the cleaned rows of a NORMALIZE task with their inline issues', async () => {
    const normalize = JSON.parse(
      readFileSync(new URL('../fixtures/layer-iq/constructed-task-normalize.json', import.meta.url), 'utf8'),
    );
    const queries = serveTask((query) => {
      if (query.get('normalizedRowsPage') === '2') {
        return {
          ...normalize,
          normalizedRows: { data: [{ identifier: 'SN-0003', rowIndex: 2 }], pagination: { page: 2, totalPages: 2 } },
        };
      }
      return { ...normalize, normalizedRows: { ...normalize.normalizedRows, pagination: { page: 1, totalPages: 2 } } };
    });
    const rows = await layer.normalizedRows('run_1').toArray({ limit: 100 });
    expect(rows.map((r) => r.identifier)).toEqual(['SN-0001', 'SN-0002', 'SN-0003']);
    expect(rows[1]?.issues?.[0]?.severity).toBe('WARNING');
    expect(queries.map((q) => q.get('normalizedRowsPage'))).toEqual([null, '2']);
  });

  it('says why there are no rows when the task has no normalizedRows (an ingest without normalize: true)', async () => {
    const queries = serveTask(() => task({ data: [issue(0)] }));
    const error = await layer
      .normalizedRows('run_1')
      .toArray({ limit: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('ref');
    expect((error as ConfigError).message).toBe(
      'layer-iq: the task (mode INGEST, status COMPLETE) has no normalizedRows: only a task started with ingest(rows, { normalize: true }) has them, once it has ended',
    );
    expect(queries).toHaveLength(1);
  });

  it('yields no rows, without an error, from an empty normalizedRows collection', async () => {
    serveTask(() => task(undefined, { mode: 'NORMALIZE', normalizedRows: { data: [] } }));
    expect(await layer.normalizedRows('run_1').toArray({ limit: 100 })).toEqual([]);
  });

  it('keeps hostile mode and status text out of that message', async () => {
    serveTask(() => task(undefined, { mode: 'x'.repeat(5000), status: 'COMPLETE<script>' }));
    const error = await layer
      .normalizedRows('run_1')
      .toArray({ limit: 100 })
      .catch((e: unknown) => e);
    expect((error as ConfigError).message).toContain('(mode ?, status ?)');
  });
});
