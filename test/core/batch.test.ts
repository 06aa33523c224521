import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  authorization,
  ConfigError,
  createBudget,
  createClient,
  defineBatch,
  defineTask,
  defineVendor,
  openEnum,
} from '../../src/index.js';

// A vendor the way a user would write one, with a list endpoint that reads many jobs by id.
const Status = openEnum(['working', 'done', 'broken']);
const Job = z.looseObject({ id: z.string(), state: Status });
const JobList = z.looseObject({ jobs: z.array(z.unknown()) });

const batchy = defineVendor({
  name: 'batchy',
  baseUrl: 'https://api.batchy.test/v1',
  auth: authorization('Bearer'),
  statuses: Status.values,
  states: { working: 'running', done: 'succeeded', broken: 'failed' },
  tasks: {
    job: defineTask({ model: 'Job', schema: Job, status: (job) => job.state, snapshot: (job) => ({ id: job.id }) }),
  },
  ref: z.string(),
  route: (id) => ({ kind: 'job', path: ['jobs', id] }),
  batch: defineBatch({
    max: 3,
    // Ids starting with "solo" can't be listed.
    key: (task) => (task.id.startsWith('solo') ? undefined : 'all'),
    list: (tasks) => ({ path: ['jobs'], query: { ids: tasks.map((t) => t.id).join(',') }, schema: JobList }),
    found: (list) => list.jobs.map((job) => [(job as { id: string }).id, job] as const),
  }),
});

interface Call {
  at: number;
  path: string;
  ids?: string[];
  signal: AbortSignal;
}

/**
 * The batchy API: `GET /jobs/:id` and `GET /jobs?ids=…`. `state(id, n)` is job `id`'s state at its
 * n-th read (list or single); `list` may replace the list's answer.
 */
function fakeBatchy(
  state: (id: string, n: number) => string,
  options: { list?: (ids: string[], jobs: unknown[]) => Response; latencyMs?: number } = {},
) {
  const calls: Call[] = [];
  const reads = new Map<string, number>();
  const read = (id: string) => {
    const n = (reads.get(id) ?? 0) + 1;
    reads.set(id, n);
    return { id, state: state(id, n) };
  };
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    let response: Response;
    if (url.pathname === '/v1/jobs') {
      const ids = (url.searchParams.get('ids') ?? '').split(',');
      calls.push({ at: Date.now(), path: url.pathname, ids, signal: request.signal });
      const jobs = ids.map(read);
      response = options.list ? options.list(ids, jobs) : Response.json({ jobs });
    } else {
      calls.push({ at: Date.now(), path: url.pathname, signal: request.signal });
      response = Response.json(read(url.pathname.split('/').pop() as string));
    }
    const latency = options.latencyMs ?? 0;
    if (latency === 0) return Promise.resolve(response);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(response), latency);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(request.signal.reason);
      });
    });
  };
  const lists = () => calls.filter((c) => c.path === '/v1/jobs');
  const singles = () => calls.filter((c) => c.path !== '/v1/jobs').map((c) => `${c.path.slice(9)}@${c.at}`);
  return { fetch, calls, lists, singles };
}

const exact = { jitter: 0, estimate: false, minDelayMs: 1000, maxDelayMs: 1000 };
const doneAt = (n: number) => (_: string, read: number) => (read >= n ? 'done' : 'working');

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batched reads', () => {
  it('reads the polls that fall due together in one request, at most `max` tasks each', async () => {
    const api = fakeBatchy(doneAt(2));
    const budget = createBudget();
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, budget, wait: exact });
    const all = client.waitAll(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    await vi.advanceTimersByTimeAsync(5000);
    await expect(all).resolves.toHaveLength(7);
    // a comes after a quiet spell: it goes at once, alone. The six polls that follow within the
    // window go together when it closes, three to a list. Their second polls come due 1 s after
    // their answers: a's alone at 1000, then b's (the window has passed), then the rest together.
    expect(api.singles()).toEqual(['a@0', 'a@1000', 'b@1250']);
    expect(api.lists().map((c) => `${c.ids?.join(',')}@${c.at}`)).toEqual([
      'b,c,d@250',
      'e,f,g@250',
      'c,d,e@1500',
      'f,g@1500',
    ]);
    // Each list is one unit of the budget.
    expect(budget.stats.sent).toBe(7);
  });

  it('batches separate waits due within the window, and never holds back a lone one', async () => {
    const api = fakeBatchy(() => 'done');
    const client = createClient(batchy, {
      token: 'test-token',
      fetch: api.fetch,
      batch: { windowMs: 100 },
      wait: exact,
    });
    const first = client.wait('a');
    await vi.advanceTimersByTimeAsync(30);
    const second = client.wait('b');
    await vi.advanceTimersByTimeAsync(20);
    const third = client.wait('c');
    await vi.advanceTimersByTimeAsync(500);
    const fourth = client.wait('d');
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all([first, second, third, fourth]);
    expect(api.singles()).toEqual(['a@0', 'd@550']);
    expect(api.lists().map((c) => `${c.ids?.join(',')}@${c.at}`)).toEqual(['b,c@130']);
  });

  it('never holds back a lone wait, however often it polls', async () => {
    const api = fakeBatchy(doneAt(4));
    const client = createClient(batchy, {
      token: 'test-token',
      fetch: api.fetch,
      wait: { ...exact, minDelayMs: 10, maxDelayMs: 10 },
    });
    await Promise.all([client.wait('a'), vi.advanceTimersByTimeAsync(1000)]);
    expect(api.singles()).toEqual(['a@0', 'a@10', 'a@20', 'a@30']);
    expect(api.lists()).toEqual([]);
  });

  it('reads a task the answer leaves out with its own GET, in the same round', async () => {
    const api = fakeBatchy(doneAt(1), {
      list: (_, jobs) => Response.json({ jobs: jobs.filter((job) => (job as { id: string }).id !== 'b') }),
    });
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, wait: exact });
    const all = client.waitAll(['lead', 'a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(all).resolves.toMatchObject([{ id: 'lead' }, { id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(api.lists().map((c) => c.ids)).toEqual([['a', 'b', 'c']]);
    expect(api.singles()).toEqual(['lead@0', 'b@250']);
  });

  it('reads a task whose listed payload does not fit its schema with its own GET', async () => {
    const api = fakeBatchy(doneAt(1), {
      list: (_, jobs) =>
        Response.json({ jobs: jobs.map((job) => ((job as { id: string }).id === 'c' ? { id: 'c' } : job)) }),
    });
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, wait: exact });
    await Promise.all([client.waitAll(['lead', 'a', 'b', 'c']), vi.advanceTimersByTimeAsync(1000)]);
    expect(api.singles()).toEqual(['lead@0', 'c@250']);
  });

  it('falls back to single GETs for good when the list refuses (a 400), and says nothing', async () => {
    const api = fakeBatchy(doneAt(3), { list: () => Response.json({ error: 'no such filter' }, { status: 400 }) });
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, wait: exact });
    const all = client.waitAll(['lead', 'a', 'b']);
    await vi.advanceTimersByTimeAsync(5000);
    await expect(all).resolves.toHaveLength(3);
    expect(api.lists()).toHaveLength(1);
    // The refusal, then a and b read on their own that round and every round after.
    expect(api.singles()).toEqual(['lead@0', 'a@250', 'b@250', 'lead@1000', 'a@1250', 'b@1250', 'lead@2000']);
  });

  it('reads one round with single GETs when the list fails, and gives it up after three in a row', async () => {
    const api = fakeBatchy(doneAt(8), { list: () => new Response('bad gateway', { status: 502 }) });
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, retry: { retries: 0 }, wait: exact });
    const all = client.waitAll(['lead', 'a', 'b', 'c', 'd']);
    await vi.advanceTimersByTimeAsync(20_000);
    await expect(all).resolves.toHaveLength(5);
    const lists = api.lists();
    // Three failures in a row (two lists in the first round: at most three tasks each).
    expect(lists.map((c) => `${c.ids?.join(',')}@${c.at}`)).toEqual(['a,b,c@250', 'd@250', 'b,c,d@1500']);
    // Each failed list's tasks were read on their own at once; every task still ended.
    for (const list of lists) {
      for (const id of list.ids ?? []) expect(api.singles()).toContain(`${id}@${list.at}`);
    }
    // From then on every read is a single GET, round after round.
    const later = api.singles().filter((s) => Number(s.split('@')[1]) > 2000);
    expect(new Set(later.map((s) => s.split('@')[0]))).toEqual(new Set(['lead', 'a', 'b', 'c', 'd']));
  });

  it('meets a throttled list (429, 503) as each poll’s fault: backoff, then the list again', async () => {
    let failures = 1;
    const api = fakeBatchy(doneAt(1), {
      list: (_, jobs) => (failures-- > 0 ? new Response('busy', { status: 503 }) : Response.json({ jobs })),
    });
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, retry: { retries: 0 }, wait: exact });
    const all = client.waitAll(['lead', 'a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(5000);
    await expect(all).resolves.toHaveLength(4);
    // After the 503 each poll backs off 1 s; a then leads a new round alone, b and c share a list.
    expect(api.lists().map((c) => `${c.ids?.join(',')}@${c.at}`)).toEqual(['a,b,c@250', 'b,c@1500']);
    expect(api.singles()).toEqual(['lead@0', 'a@1250']);
  });

  it('reads a task no list can read, and every get(), with its own GET', async () => {
    const api = fakeBatchy(() => 'done');
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, wait: exact });
    await Promise.all([client.waitAll(['lead', 'solo-1', 'a', 'b']), vi.advanceTimersByTimeAsync(1000)]);
    await client.get('c');
    expect(api.singles()).toEqual(['lead@0', 'solo-1@0', 'c@1000']);
    expect(api.lists().map((c) => c.ids)).toEqual([['a', 'b']]);
  });

  it('reads every task with its own GET with batch: false', async () => {
    const api = fakeBatchy(() => 'done');
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, batch: false, wait: exact });
    await client.waitAll(['a', 'b']);
    expect(api.singles()).toEqual(['a@0', 'b@0']);
    expect(api.lists()).toEqual([]);
  });

  it('a poll that stops leaves its batch; the request ends when the last one has', async () => {
    const api = fakeBatchy(() => 'done', { latencyMs: 500 });
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, wait: exact });
    const stopA = new AbortController();
    const stopB = new AbortController();
    void client.wait('lead');
    const a = client.wait('a', { signal: stopA.signal }).catch((e: unknown) => e);
    const b = client.wait('b', { signal: stopB.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300);
    expect(api.lists()).toHaveLength(1);
    stopA.abort(new Error('a stopped'));
    await expect(a).resolves.toEqual(new Error('a stopped'));
    expect(api.lists()[0]?.signal.aborted).toBe(false);
    stopB.abort(new Error('b stopped'));
    await expect(b).resolves.toEqual(new Error('b stopped'));
    expect(api.lists()[0]?.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a poll that stops before its batch goes leaves the window, and the timer with the last one', async () => {
    const api = fakeBatchy(() => 'done');
    const client = createClient(batchy, { token: 'test-token', fetch: api.fetch, wait: exact });
    const stop = new AbortController();
    await client.wait('lead');
    const a = client.wait('a', { signal: stop.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    stop.abort(new Error('never mind'));
    await expect(a).resolves.toEqual(new Error('never mind'));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.calls.map((c) => c.path)).toEqual(['/v1/jobs/lead']);
  });
});

describe('declaring a batched read', () => {
  const base = {
    name: 'broken',
    baseUrl: 'https://x.test',
    auth: authorization('Bearer'),
    statuses: Status.values,
    states: { working: 'running', done: 'succeeded', broken: 'failed' } as const,
    tasks: {
      job: defineTask({ model: 'Job', schema: Job, status: (job) => job.state, snapshot: (job) => ({ id: job.id }) }),
    },
    ref: z.string(),
    route: (id: string) => ({ kind: 'job' as const, path: ['jobs', id] }),
  };

  it.each([
    ['without a list', { max: 10, found: () => [] }, /batch needs a list/],
    ['without found', { max: 10, list: () => ({ path: ['jobs'] }) }, /batch needs found/],
    ['with max 0', { max: 0, list: () => ({ path: ['jobs'] }), found: () => [] }, /batch.max must be at least 1/],
    [
      'naming an unknown kind',
      { max: 5, kinds: ['nope'], list: () => ({ path: ['jobs'] }), found: () => [] },
      /batch.kinds names unknown kinds: nope/,
    ],
  ])('%s is a ConfigError naming batch', (_, batch, message) => {
    const define = () => defineVendor({ ...base, batch: batch as never });
    expect(define).toThrow(ConfigError);
    expect(define).toThrow(message);
    try {
      define();
    } catch (error) {
      expect((error as ConfigError).field).toBe('batch');
    }
  });

  it('a vendor rateLimit of 0 is a ConfigError naming rateLimit', () => {
    expect(() => defineVendor({ ...base, rateLimit: { requestsPerSecond: 0 } })).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'rateLimit' }),
    );
  });
});
