// Every vendor's list starts again from a saved page: walk three pages, save a page's cursor as
// JSON, and a new walk (a new client, as after a crash) from it yields exactly the items left.
import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Paginator, type PagingOptions } from '../../src/index.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';
import { LAYER_IQ_BASE_URL, layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { softwareOne } from '../../src/vendors/softwareone/index.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

// Five pages of two items: 0..9.
const PAGES = 5;
const SIZE = 2;
const ALL = Array.from({ length: PAGES * SIZE }, (_, n) => n);
const itemsOfPage = (k: number) => [SIZE * k, SIZE * k + 1];

interface ListCase {
  name: string;
  /** Serves the five pages; returns the log of the pages asked for (0-based). */
  serve(): number[];
  /** A walk with `options`, from a new client; yields each item's number. */
  walk(options: PagingOptions): Paginator<number>;
}

/** `paginator`'s items mapped to numbers, pages and all. */
function numbered<T>(paginator: Paginator<T>, n: (item: T) => number): Paginator<number> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const item of paginator) yield n(item);
    },
    async *pages() {
      for await (const page of paginator.pages()) yield { ...page, items: page.items.map(n) };
    },
    async toArray(options) {
      return (await paginator.toArray(options)).map(n);
    },
  };
}

const mixpeekCase: ListCase = {
  name: 'mixpeek.tasks()',
  serve() {
    const log: number[] = [];
    server.use(
      http.post('https://api.mixpeek.com/v1/tasks/list', ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        const k = cursor ? Number(cursor.slice(1)) : 0;
        log.push(k);
        return HttpResponse.json({
          results: itemsOfPage(k).map((n) => ({ task_id: `task_${n}`, task_type: 'x', status: 'COMPLETED' })),
          pagination: { next_cursor: k + 1 < PAGES ? `c${k + 1}` : null },
        });
      }),
    );
    return log;
  },
  walk: (options) =>
    numbered(createClient(mixpeek, { token: 'sk_test_resume01' }).tasks({}, options), (t) =>
      Number(t.task_id.slice(5)),
    ),
};

function softwareOneCase(list: 'tasks' | 'logs'): ListCase {
  const id = 'TSK-0001-2474-4798-1266';
  const template = fixture(`softwareone/${list === 'tasks' ? 'task-completed-minimal' : 'task-log-complete'}.json`);
  const base = 'https://api.platform.softwareone.com/public/v1/system/tasks';
  return {
    name: `softwareOne.${list}()`,
    serve() {
      const log: number[] = [];
      server.use(
        http.get(list === 'tasks' ? base : `${base}/${id}/logs`, ({ request }) => {
          const offset = Number(new URL(request.url).searchParams.get('offset'));
          log.push(offset / SIZE);
          const data = itemsOfPage(offset / SIZE).map((n) => ({ ...template, id: `TLR-0000-0000-0000-${n}` }));
          return HttpResponse.json({ $meta: { pagination: { offset, limit: SIZE, total: PAGES * SIZE } }, data });
        }),
      );
      return log;
    },
    walk(options) {
      const client = createClient(softwareOne, { token: 'idt:TKN-resume' });
      const walk =
        list === 'tasks'
          ? client.tasks({ ...options, pageSize: SIZE })
          : client.logs(id, { ...options, pageSize: SIZE });
      return numbered(walk as Paginator<{ id?: string | undefined }>, (t) => Number(t.id?.split('-').at(-1)));
    },
  };
}

function anaplanCase(list: 'tasks' | 'almTasks'): ListCase {
  const ws = '8a81b09d5e8c6f27015ece3402487d33';
  const model = '75A40874E6B64FA3AE0743278996850F';
  const url =
    list === 'tasks'
      ? `https://api.anaplan.com/2/0/workspaces/${ws}/models/${model}/processes/118000000002/tasks`
      : `https://api.anaplan.com/2/0/models/${model}/alm/syncTasks`;
  return {
    name: `anaplan.${list}()`,
    serve() {
      const log: number[] = [];
      server.use(
        http.get(url, ({ request }) => {
          const offset = Number(new URL(request.url).searchParams.get('offset'));
          log.push(offset / SIZE);
          const tasks = itemsOfPage(offset / SIZE).map((n) => ({
            taskId: `TASK${String(n).padStart(28, '0')}`,
            taskState: 'COMPLETE',
            creationTime: 1535145539157 + n,
          }));
          return HttpResponse.json({
            meta: {
              paging: { currentPageSize: tasks.length, offset, totalSize: PAGES * SIZE },
              schema: `https://api.anaplan.com/2/0/models/${model}/objects/task`,
            },
            tasks,
          });
        }),
      );
      return log;
    },
    walk(options) {
      const client = createClient(anaplan, { token: 'AnaplanResume01' });
      const walk =
        list === 'tasks'
          ? client.tasks({ workspaceId: ws, modelId: model, actionId: '118000000002' }, { ...options, limit: SIZE })
          : client.almTasks({ modelId: model }, { ...options, limit: SIZE });
      return numbered(walk as Paginator<{ taskId?: string | undefined }>, (t) => Number(t.taskId?.slice(4)));
    },
  };
}

/** Layer IQ's embedded collections, paged by `nextCursor`, by page number, or by `next` URLs. */
function layerIqCase(field: 'issues' | 'normalizedRows', style: 'cursor' | 'page' | 'url'): ListCase {
  const item = (n: number) =>
    field === 'issues'
      ? { code: 'invalid_row', message: `issue ${n}`, rowIndex: n, severity: 'ERROR' }
      : { rowIndex: n, identifier: `asset-${n}` };
  return {
    name: `layerIq.${field}() by ${style}`,
    serve() {
      const log: number[] = [];
      const pagination = (k: number) =>
        style === 'cursor'
          ? { nextCursor: k + 1 < PAGES ? `c${k + 1}` : null }
          : style === 'page'
            ? { page: k + 1, pageSize: SIZE, totalPages: PAGES }
            : { next: k + 1 < PAGES ? `${LAYER_IQ_BASE_URL}/tasks/run_1/${field}?at=${k + 1}` : null };
      server.use(
        http.get(`${LAYER_IQ_BASE_URL}/tasks/run_1`, ({ request }) => {
          const params = new URL(request.url).searchParams;
          const cursor = params.get(`${field}Cursor`);
          const page = params.get(`${field}Page`);
          const k = cursor ? Number(cursor.slice(1)) : page ? Number(page) - 1 : 0;
          log.push(k);
          return HttpResponse.json({
            taskId: 'run_1',
            [field]: { data: itemsOfPage(k).map(item), pagination: pagination(k) },
          });
        }),
        http.get(`${LAYER_IQ_BASE_URL}/tasks/run_1/${field}`, ({ request }) => {
          const k = Number(new URL(request.url).searchParams.get('at'));
          log.push(k);
          return HttpResponse.json({ data: itemsOfPage(k).map(item), pagination: pagination(k) });
        }),
      );
      return log;
    },
    walk(options) {
      const client = createClient(layerIq, { token: 'liq_test_resume01' });
      const walk = field === 'issues' ? client.issues('run_1', options) : client.normalizedRows('run_1', options);
      return numbered(walk as Paginator<{ rowIndex?: number | undefined }>, (i) => i.rowIndex ?? -1);
    },
  };
}

const LISTS: ListCase[] = [
  mixpeekCase,
  softwareOneCase('tasks'),
  softwareOneCase('logs'),
  anaplanCase('tasks'),
  anaplanCase('almTasks'),
  layerIqCase('issues', 'cursor'),
  layerIqCase('issues', 'page'),
  layerIqCase('issues', 'url'),
  layerIqCase('normalizedRows', 'cursor'),
];

describe.each(LISTS)('$name starts again from a saved page', (list) => {
  it('walks 3 pages, saves the cursor as JSON, and a new walk from it yields exactly the rest', async () => {
    const log = list.serve();
    const seen: number[] = [];
    let saved = '';
    for await (const page of list.walk({ prefetch: 0 }).pages()) {
      seen.push(...page.items);
      saved = JSON.stringify({ cursor: page.cursor, next: page.next });
      if (seen.length === 3 * SIZE) break;
    }
    expect(seen).toEqual(ALL.slice(0, 3 * SIZE));
    expect(log).toEqual([0, 1, 2]);
    const { cursor, next } = JSON.parse(saved) as { cursor: unknown; next: unknown };

    log.length = 0;
    const rest = await list.walk({ startAt: next }).toArray({ limit: Infinity });
    expect(rest).toEqual(ALL.slice(3 * SIZE));
    expect(log).toEqual([3, 4]);

    log.length = 0;
    const again = await list.walk({ startAt: cursor }).toArray({ limit: Infinity });
    expect(again).toEqual(ALL.slice(2 * SIZE));
    expect(log).toEqual([2, 3, 4]);
  });

  it('a startAt that is no cursor of this list is a ConfigError naming startAt, before any request', () => {
    const log = list.serve();
    for (const bad of [{ madeUp: 1 }, -1, new Date(0)]) {
      const error = (() => {
        try {
          list.walk({ startAt: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('startAt');
    }
    expect(log).toEqual([]);
  });
});

describe("a saved next URL goes through the server's origin check", () => {
  it('a startAt URL on another origin is a ConfigError naming startAt, and the token goes nowhere', async () => {
    const seen: string[] = [];
    server.use(
      http.get('https://evil.example/*', ({ request }) => {
        seen.push(request.headers.get('authorization') ?? '');
        return HttpResponse.json({ data: [], pagination: {} });
      }),
    );
    const client = createClient(layerIq, { token: 'liq_test_resume01' });
    const error = await client
      .issues('run_1', { startAt: { url: 'https://evil.example/tasks/run_1/issues?at=3', from: '' } })
      .toArray({ limit: Infinity })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('startAt');
    expect((error as ConfigError).message).toContain('evil.example');
    expect(seen).toEqual([]);
  });
});
