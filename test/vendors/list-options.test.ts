// Every paging option reaches the paginator on every list of every vendor: prefetch, maxPages,
// maxEmptyPages, detectRepeats and signal, each tried on each list method against a server whose
// pages never end (distinct items, empty pages that still say "more", or the same items again
// behind ever-new cursors or offsets).
import { readFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createClient, type Paginator, PagingError, type PagingOptions } from '../../src/index.js';
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

/** How the endless server fills page `k` (0-based): two new items, none, or the same two each time. */
type Mode = 'distinct' | 'empty' | 'same';
const itemsOf = (mode: Mode, k: number) => (mode === 'empty' ? [] : mode === 'same' ? [0, 1] : [2 * k, 2 * k + 1]);
const HUGE = 1e12;

interface ListCase {
  name: string;
  /** Serves endless pages; returns the log of requests. */
  serve(mode: Mode): unknown[];
  /** Starts the walk with `options`. */
  walk(options: PagingOptions): Paginator<unknown>;
  /**
   * What an empty page that says "more" does: the walk goes on, it ends there, or it ends with a
   * PagingError (Anaplan: an offset that does not move past the page is the server's fault).
   */
  onEmpty: 'goes on' | 'ends' | 'refused';
}

/** A cursor page `k` is asked for with (absent for the first page). */
const pageOf = (cursor: string | null) => (cursor ? Number(cursor.slice(1)) : 0);

function layerIqCase(field: 'issues' | 'normalizedRows'): ListCase {
  const item = (n: number) =>
    field === 'issues'
      ? { code: 'invalid_row', message: `issue ${n}`, rowIndex: n, severity: 'ERROR' }
      : { rowIndex: n, identifier: `asset-${n}` };
  const client = createClient(layerIq, { token: 'liq_test_listOptions01', retry: { retries: 0 } });
  return {
    name: `layerIq.${field}()`,
    onEmpty: 'goes on',
    serve(mode) {
      const log: string[] = [];
      server.use(
        http.get(`${LAYER_IQ_BASE_URL}/tasks/run_1`, ({ request }) => {
          const cursor = new URL(request.url).searchParams.get(`${field}Cursor`);
          log.push(cursor ?? 'first');
          const k = pageOf(cursor);
          return HttpResponse.json({
            taskId: 'run_1',
            [field]: { data: itemsOf(mode, k).map(item), pagination: { nextCursor: `c${k + 1}` } },
          });
        }),
      );
      return log;
    },
    walk: (options) =>
      field === 'issues'
        ? (client.issues('run_1', options) as Paginator<unknown>)
        : (client.normalizedRows('run_1', options) as Paginator<unknown>),
  };
}

const mixpeekCase: ListCase = (() => {
  const client = createClient(mixpeek, { token: 'sk_test_listOptions01', retry: { retries: 0 } });
  return {
    name: 'mixpeek.tasks()',
    onEmpty: 'goes on',
    serve(mode) {
      const log: string[] = [];
      server.use(
        http.post('https://api.mixpeek.com/v1/tasks/list', ({ request }) => {
          const cursor = new URL(request.url).searchParams.get('cursor');
          log.push(cursor ?? 'first');
          const k = pageOf(cursor);
          return HttpResponse.json({
            results: itemsOf(mode, k).map((n) => ({ task_id: `task_${n}`, task_type: 'x', status: 'COMPLETED' })),
            pagination: { next_cursor: `c${k + 1}` },
          });
        }),
      );
      return log;
    },
    walk: (options) => client.tasks({}, options) as Paginator<unknown>,
  };
})();

function softwareOneCase(list: 'tasks' | 'logs'): ListCase {
  const client = createClient(softwareOne, { token: 'idt:TKN-listOptions', retry: { retries: 0 } });
  const id = 'TSK-0001-2474-4798-1266';
  const template = fixture(`softwareone/${list === 'tasks' ? 'task-completed-minimal' : 'task-log-complete'}.json`);
  const base = 'https://api.platform.softwareone.com/public/v1/system/tasks';
  return {
    name: `softwareOne.${list}()`,
    onEmpty: 'ends',
    serve(mode) {
      const log: string[] = [];
      server.use(
        http.get(list === 'tasks' ? base : `${base}/${id}/logs`, ({ request }) => {
          const offset = Number(new URL(request.url).searchParams.get('offset'));
          log.push(String(offset));
          const data = itemsOf(mode, offset / 2).map((n) => ({ ...template, id: `TLR-0000-0000-0000-${n}` }));
          // The requested offset echoed, a total that never ends.
          return HttpResponse.json({ $meta: { pagination: { offset, limit: 2, total: HUGE } }, data });
        }),
      );
      return log;
    },
    walk: (options) =>
      (list === 'tasks'
        ? client.tasks({ ...options, pageSize: 2 })
        : client.logs(id, { ...options, pageSize: 2 })) as Paginator<unknown>,
  };
}

function anaplanCase(list: 'tasks' | 'almTasks'): ListCase {
  const client = createClient(anaplan, { token: 'AnaplanListOptions01', retry: { retries: 0 } });
  const ws = '8a81b09d5e8c6f27015ece3402487d33';
  const model = '75A40874E6B64FA3AE0743278996850F';
  const url =
    list === 'tasks'
      ? `https://api.anaplan.com/2/0/workspaces/${ws}/models/${model}/processes/118000000002/tasks`
      : `https://api.anaplan.com/2/0/models/${model}/alm/syncTasks`;
  return {
    name: `anaplan.${list}()`,
    onEmpty: 'refused',
    serve(mode) {
      const log: string[] = [];
      server.use(
        http.get(url, ({ request }) => {
          const offset = Number(new URL(request.url).searchParams.get('offset'));
          log.push(String(offset));
          const tasks = itemsOf(mode, offset / 2).map((n) => ({
            taskId: `TASK${String(n).padStart(28, '0')}`,
            taskState: 'COMPLETE',
            creationTime: 1535145539157 + n,
          }));
          return HttpResponse.json({
            meta: {
              paging: { currentPageSize: tasks.length, offset, totalSize: HUGE },
              schema: `https://api.anaplan.com/2/0/models/${model}/objects/task`,
            },
            tasks,
          });
        }),
      );
      return log;
    },
    walk: (options) =>
      (list === 'tasks'
        ? client.tasks({ workspaceId: ws, modelId: model, actionId: '118000000002' }, { ...options, limit: 2 })
        : client.almTasks({ modelId: model }, { ...options, limit: 2 })) as Paginator<unknown>,
  };
}

const LISTS: ListCase[] = [
  layerIqCase('issues'),
  layerIqCase('normalizedRows'),
  mixpeekCase,
  softwareOneCase('tasks'),
  softwareOneCase('logs'),
  anaplanCase('tasks'),
  anaplanCase('almTasks'),
];

async function failure(walk: Paginator<unknown>): Promise<unknown> {
  return walk.toArray({ limit: Number.POSITIVE_INFINITY }).then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

describe.each(LISTS)('$name', (list) => {
  it('prefetch: 1 (the default) asks for page 2 while page 1 is consumed; 0 does not', async () => {
    for (const [prefetch, requests] of [
      [undefined, 2],
      [1, 2],
      [0, 1],
    ] as const) {
      const log = list.serve('distinct');
      const pages = list
        .walk(prefetch === undefined ? {} : { prefetch })
        .pages()
        [Symbol.asyncIterator]();
      await pages.next();
      await tick();
      expect(log).toHaveLength(requests);
      await pages.return?.();
    }
  });

  it('maxPages: ends the walk with a PagingError after that many pages', async () => {
    const log = list.serve('distinct');
    const error = await failure(list.walk({ maxPages: 3, prefetch: 0 }));
    expect(error).toBeInstanceOf(PagingError);
    expect(error).toMatchObject({ pages: 3, message: 'paging stopped after 3 pages (maxPages)' });
    expect(log).toHaveLength(3);
  });

  it('maxEmptyPages: a bad value is refused by the paginator; empty pages that say "more" end the walk', async () => {
    expect(() => list.walk({ maxEmptyPages: 0 })).toThrow(ConfigError);
    const log = list.serve('empty');
    const error = await failure(list.walk({ maxEmptyPages: 2, prefetch: 0 }));
    if (list.onEmpty === 'goes on') {
      expect(error).toBeInstanceOf(PagingError);
      expect(error).toMatchObject({ pages: 2 });
      expect((error as Error).message).toMatch(/2 empty pages in a row .* \(maxEmptyPages\)$/);
      expect(log).toHaveLength(2);
    } else if (list.onEmpty === 'refused') {
      expect(error).toBeInstanceOf(PagingError);
      expect(error).toMatchObject({ pages: 1 });
      expect((error as Error).message).toMatch(/the next offset would be 0, which is not past 0$/);
      expect(log).toHaveLength(1);
    } else {
      expect(error).toBe('resolved');
      expect(log).toHaveLength(1);
    }
  });

  it('detectRepeats: the same items behind new cursors end the walk; off, only maxPages does', async () => {
    expect(() => list.walk({ detectRepeats: 'no' as unknown as boolean })).toThrow(ConfigError);
    const log = list.serve('same');
    const error = await failure(list.walk({ prefetch: 0 }));
    expect(error).toBeInstanceOf(PagingError);
    expect(error).toMatchObject({ pages: 2 });
    expect((error as Error).message).toMatch(/page 2 holds the same items as an earlier page/);
    expect(log).toHaveLength(2);

    const off = await failure(list.walk({ detectRepeats: false, maxPages: 5, prefetch: 0 }));
    expect(off).toMatchObject({ pages: 5, message: 'paging stopped after 5 pages (maxPages)' });
  });

  it('signal: an abort ends the walk with its reason; one given aborted sends nothing', async () => {
    const log = list.serve('distinct');
    const reason = Symbol('stop');
    await expect(list.walk({ signal: AbortSignal.abort(reason) }).toArray({ limit: 10 })).rejects.toBe(reason);
    expect(log).toEqual([]);
    const control = new AbortController();
    const pages = list.walk({ signal: control.signal, prefetch: 0 }).pages()[Symbol.asyncIterator]();
    await pages.next();
    control.abort(reason);
    await expect(pages.next()).rejects.toBe(reason);
    expect(log).toHaveLength(1);
  });
});

describe("a list's own option of any bad value is a ConfigError that names it", () => {
  it.each([
    ['a Symbol', Symbol('ten'), 'Symbol(ten)'],
    ['an object without a prototype', Object.create(null), '[object Object]'],
  ])('%s', (_, value, shown) => {
    const layer = createClient(layerIq, { token: 'liq_test_listOptions01' });
    expect(() => layer.issues('run_1', { pageSize: value as number })).toThrow(
      new ConfigError('pageSize', `layer-iq: pageSize must be a whole number above 0, got ${shown}`),
    );
    const client = createClient(anaplan, { token: 'AnaplanListOptions01' });
    expect(() => client.almTasks({ modelId: 'm' }, { limit: value as number })).toThrow(
      `anaplan: limit must be a whole number of at least 1, got ${shown}`,
    );
    // Refused by the paginator: `maxPages >= 1` would throw a TypeError for a Symbol.
    expect(() => client.almTasks({ modelId: 'm' }, { maxPages: value as number })).toThrow(ConfigError);
  });
});
