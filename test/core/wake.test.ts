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
  type TaskSnapshot,
  type WaitState,
} from '../../src/index.js';
import { acme } from '../helpers/acme.js';
import { settle } from '../helpers/fake-time.js';

const TOKEN = 'tok_wake_test';
const BASE = 'https://api.acme.test/v2';

/**
 * An injected fetch serving acme jobs. `state(id, n)` is job `id`'s state at its n-th read;
 * `status(id, n)` may answer an error instead. Each answer takes `latencyMs`.
 */
function fakeJobs(
  state: (id: string, n: number) => string,
  options: { latencyMs?: number; status?: (id: string, n: number) => Response | undefined } = {},
) {
  const calls: { at: number; id: string }[] = [];
  const reads = new Map<string, number>();
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const id = decodeURIComponent(new URL(request.url).pathname.split('/').pop() as string);
    calls.push({ at: Date.now(), id });
    const n = (reads.get(id) ?? 0) + 1;
    reads.set(id, n);
    const response = options.status?.(id, n) ?? Response.json({ id, state: state(id, n) });
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
  const at = (id?: string) => calls.filter((c) => id === undefined || c.id === id).map((c) => c.at);
  return { fetch, calls, at };
}

/** Ends at its n-th read. */
const doneAt = (n: number) => (_: string, read: number) => (read >= n ? 'done' : 'working');
// Polls a minute apart unless woken.
const slow = { jitter: 0, estimate: false, minDelayMs: 60_000, maxDelayMs: 60_000 };

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('client.wake', () => {
  it('polls at once a wait asleep until its deadline, which then still ends it on time', async () => {
    const api = fakeJobs(() => 'working');
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    // Its next poll (60 s) is past its deadline (20 s): it sleeps until the deadline.
    const waiting = settle(client.wait('a', { timeoutMs: 20_000 }), 0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.wake('a')).toBe(1);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(api.at()).toEqual([0, 5000]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const result = await waiting;
    expect(result).toMatchObject({
      status: 'rejected',
      reason: { name: 'WaitTimeoutError', elapsedMs: 20_000, polls: 2 },
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a wait woken out of its sleep to the deadline, but held back by Retry-After, polls once that has passed', async () => {
    const api = fakeJobs(() => 'working', {
      status: (id, n) =>
        n === 1 ? Response.json({ id, state: 'working' }, { headers: { 'retry-after': '10' } }) : undefined,
    });
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: { ...slow, minDelayMs: 1000 } });
    // Resumed deep into the backoff: the next poll is 60 s away, past the deadline (20 s), and the
    // server's hint holds a push back until 10 s.
    const deep: WaitState = { v: 1, vendor: 'acme', ref: 'a', startedAt: 0, polls: 10, attempt: 10, history: [] };
    const waiting = settle(client.wait('a', { timeoutMs: 20_000, resumeFrom: deep }), 0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.wake('a')).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    // Not timed out at 10 s: it polled then, and slept on to its deadline.
    expect(api.at()).toEqual([0, 10_000]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await waiting).toMatchObject({
      status: 'rejected',
      reason: { name: 'WaitTimeoutError', elapsedMs: 20_000, polls: 12 },
    });
  });

  it('polls a sleeping wait at once, and the poll decides', async () => {
    const api = fakeJobs(doneAt(2));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const waiting = client.wait('a');
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.at()).toEqual([0]);
    expect(client.wake('a')).toBe(1);
    const result = await settle(waiting, 0);
    expect(result).toMatchObject({ status: 'fulfilled', value: { id: 'a', state: 'succeeded' } });
    expect(api.at()).toEqual([0, 5000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never ends a wait by itself: a poll that still finds the task running goes back to the schedule', async () => {
    const api = fakeJobs(doneAt(3));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const waiting = client.wait('a');
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.wake('a')).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    // Woken at 5000 (still working), then the next poll a minute after that one.
    const result = await settle(waiting, 60_000);
    expect(result.status).toBe('fulfilled');
    expect(api.at()).toEqual([0, 5000, 65_000]);
  });

  it('during a request, lets that answer be the check: no extra poll when it ends the wait', async () => {
    const api = fakeJobs(doneAt(1), { latencyMs: 500 });
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const waiting = client.wait('a');
    await vi.advanceTimersByTimeAsync(200);
    expect(client.wake('a')).toBe(1);
    const result = await settle(waiting, 120_000);
    expect(result).toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
    expect(api.at()).toEqual([0]);
  });

  it('during a request whose answer predates the push, polls once more as soon as it comes back', async () => {
    const api = fakeJobs(doneAt(2), { latencyMs: 500 });
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const waiting = client.wait('a');
    await vi.advanceTimersByTimeAsync(200);
    client.wake('a');
    const result = await settle(waiting, 2000);
    expect(result.status).toBe('fulfilled');
    // The first answer (working) came at 500; the second poll went then, not a minute later.
    expect(api.at()).toEqual([0, 500]);
  });

  it('is a no-op for a task nobody awaits, and for a wait that has ended', async () => {
    const api = fakeJobs(doneAt(2));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    expect(client.wake('nobody')).toBe(0);
    const waiting = client.wait('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.wake('b')).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.at()).toEqual([0]);
    client.wake('a');
    await settle(waiting, 0);
    expect(client.wake('a')).toBe(0);
    expect(api.at()).toEqual([0, 1000 + 1000]);
  });

  it('forgets an aborted wait', async () => {
    const api = fakeJobs(doneAt(5));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const stop = new AbortController();
    const waiting = client.wait('a', { signal: stop.signal });
    await vi.advanceTimersByTimeAsync(1000);
    stop.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(client.wake('a')).toBe(0);
    expect(api.at()).toEqual([0]);
  });

  it('matches tasks by URL: an id and { url } reach the same waits, and a URL fragment is ignored', async () => {
    const api = fakeJobs(doneAt(99));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const stop = new AbortController();
    const byUrl = client.wait({ url: `${BASE}/jobs/a` }, { signal: stop.signal });
    const byId = client.wait('a', { signal: stop.signal });
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.wake('a')).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.wake(`${BASE}/jobs/a#frag`)).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(api.at('a')).toEqual([0, 0, 1000, 1000, 2000, 2000]);
    stop.abort();
    await Promise.allSettled([byUrl, byId]);
  });

  it('refuses a reference the client cannot resolve, as every method does', () => {
    const client = createClient(acme, { token: TOKEN, fetch: fakeJobs(doneAt(1)).fetch });
    expect(() => client.wake('https://elsewhere.test/jobs/a')).toThrow(ConfigError);
    expect(() => client.wake(42 as never)).toThrow(ConfigError);
  });

  it('never polls sooner than the server allowed: a Retry-After holds the woken poll back', async () => {
    const api = fakeJobs(doneAt(3), {
      status: (_, n) => (n === 2 ? new Response('busy', { status: 503, headers: { 'retry-after': '30' } }) : undefined),
    });
    // 1 s, then 100 s: the 503 at 1000 asks for 30 s, less than the schedule's 100 s.
    const wait = { jitter: 0, estimate: false, minDelayMs: 1000, maxDelayMs: 100_000, factor: 100 };
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, retry: { retries: 0 }, wait });
    const waiting = client.wait('a');
    await vi.advanceTimersByTimeAsync(2000);
    expect(api.at()).toEqual([0, 1000]);
    expect(client.wake('a')).toBe(1);
    const result = await settle(waiting, 100_000);
    expect(result.status).toBe('fulfilled');
    // The woken poll went when the server allowed (31 000), not at once (2000) nor on the schedule (101 000).
    expect(api.at()).toEqual([0, 1000, 31_000]);
  });

  it('wakes the members of a group that hold the task, and only those', async () => {
    const api = fakeJobs((id, n) => (id === 'b' && n >= 2 ? 'done' : id === 'a' && n >= 3 ? 'done' : 'working'));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const ended: string[] = [];
    const all = client.waitAll(['a', 'b'], {
      onTaskProgress: (s) => s.terminal && ended.push(`${s.id}@${Date.now()}`),
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(client.wake('b')).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(ended).toEqual(['b@3000']);
    expect(api.at('a')).toEqual([0]);
    const result = await settle(all, 120_000);
    expect(result.status).toBe('fulfilled');
    expect(api.at('a')).toEqual([0, 60_000, 120_000]);
    expect(client.wake('a')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wakes a watch', async () => {
    const api = fakeJobs(doneAt(2));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: slow });
    const seen: TaskSnapshot[] = [];
    const watching = (async () => {
      for await (const snapshot of client.watch('a')) seen.push(snapshot);
    })();
    await vi.advanceTimersByTimeAsync(2000);
    expect(client.wake('a')).toBe(1);
    await settle(watching, 0);
    expect(seen.map((s) => s.state)).toEqual(['running', 'succeeded']);
    expect(api.at()).toEqual([0, 2000]);
  });
});

// A vendor whose list endpoint reads many jobs at once.
const Status = openEnum(['working', 'done']);
const Job = z.looseObject({ id: z.string(), state: Status });
const batchy = defineVendor({
  name: 'batchy',
  baseUrl: 'https://api.batchy.test/v1',
  auth: authorization('Bearer'),
  statuses: Status.values,
  states: { working: 'running', done: 'succeeded' },
  tasks: {
    job: defineTask({ model: 'Job', schema: Job, status: (job) => job.state, snapshot: (job) => ({ id: job.id }) }),
  },
  ref: z.string(),
  route: (id) => ({ kind: 'job', path: ['jobs', id] }),
  batch: defineBatch({
    max: 10,
    list: (tasks) => ({
      path: ['jobs'],
      query: { ids: tasks.map((t) => t.id).join(',') },
      schema: z.looseObject({ jobs: z.array(z.unknown()) }),
    }),
    found: (list) => list.jobs.map((job) => [(job as { id: string }).id, job] as const),
  }),
});

describe('client.wake, through the budget and batched reads', () => {
  it('wakes many tasks at once into one batched read, counted once by the budget', async () => {
    const requests: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(new Request(input as RequestInfo, init).url);
      requests.push(`${url.pathname}${url.search}@${Date.now()}`);
      const state = Date.now() >= 10_000 ? 'done' : 'working';
      if (url.pathname === '/v1/jobs') {
        const ids = (url.searchParams.get('ids') ?? '').split(',');
        return Response.json({ jobs: ids.map((id) => ({ id, state })) });
      }
      return Response.json({ id: url.pathname.split('/').pop(), state });
    };
    const budget = createBudget();
    const client = createClient(batchy, { token: TOKEN, fetch, budget, wait: slow });
    const all = client.waitAll(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(10_000);
    const before = budget.stats.sent;
    for (const id of ['a', 'b', 'c']) client.wake(id);
    const result = await settle(all, 1000);
    expect(result.status).toBe('fulfilled');
    // The first woken poll goes at once; the two that follow within the window share one list.
    expect(requests.slice(-2)).toEqual(['/v1/jobs/a@10000', '/v1/jobs?ids=b%2Cc@10250']);
    expect(budget.stats.sent - before).toBe(2);
  });
});
