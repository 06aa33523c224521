// The wait loop's timing, through client.wait(): the client's one timer wakes each wait at its own
// time, a deadline ends a sleep or a request exactly when it falls, and a push or an abort during
// a callback is honoured at once. Fake timers throughout.
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type WaitState, type WaitTimeoutError } from '../../src/index.js';
import { acme } from '../helpers/acme.js';
import { settle } from '../helpers/fake-time.js';

const TOKEN = 'tok_loop_test';

/**
 * An injected fetch: `answer(id, n)` gives job `id`'s n-th answer (from 1), or 'hang' for a
 * request that never answers but ends when its signal aborts. Records when each request went out.
 */
function jobsFetch(answer: (id: string, n: number) => Response | 'hang', latencyMs = 0) {
  const sent = new Map<string, number[]>();
  const aborted: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const id = decodeURIComponent(new URL(request.url).pathname.split('/').pop() as string);
    const times = sent.get(id) ?? [];
    times.push(Date.now());
    sent.set(id, times);
    const response = answer(id, times.length);
    if (response !== 'hang' && latencyMs === 0) return Promise.resolve(response);
    return new Promise((resolve, reject) => {
      const timer = response === 'hang' ? undefined : setTimeout(() => resolve(response), latencyMs);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        aborted.push(id);
        reject(request.signal.reason);
      });
    });
  };
  return { fetch, sent: (id: string) => sent.get(id) ?? [], aborted };
}

const job = (id: string, state: string, headers?: Record<string, string>) =>
  Response.json({ id, state }, headers ? { headers } : {});
/** Ends at its `n`-th read. */
const doneAt = (n: number) => (id: string, read: number) => job(id, read >= n ? 'done' : 'working');
const exact = (ms: number) => ({ jitter: 0, estimate: false, minDelayMs: ms, maxDelayMs: ms });

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a client's waits on its one timer", () => {
  it('wakes each wait at its own time, whatever order they fell asleep in', async () => {
    const api = jobsFetch(doneAt(3));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch });
    // Delays in seconds, in no order; each wait polls at 0, d and 2d, so later sleeps go into the
    // timers while others are pending.
    const delays = [7, 3, 11, 1, 9, 5, 12, 2, 8, 4, 10, 6, 3, 7];
    const waits = delays.map((d, i) => client.wait(`j${i}`, { ...exact(d * 1000) }));
    const all = settle(Promise.all(waits), 30_000);
    await expect(all).resolves.toMatchObject({ status: 'fulfilled' });
    delays.forEach((d, i) => {
      expect(api.sent(`j${i}`)).toEqual([0, d * 1000, 2 * d * 1000]);
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind when every wait due at one moment is aborted', async () => {
    const api = jobsFetch(doneAt(5));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: exact(1000) });
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const waits = controllers.map((c, i) => settle(client.wait(`j${i}`, { signal: c.signal }), 0));
    await vi.advanceTimersByTimeAsync(500);
    expect(vi.getTimerCount()).toBe(1);
    // The first of the three due at 1000 leaves; the others still poll then.
    controllers[0]?.abort(new Error('first'));
    await vi.advanceTimersByTimeAsync(500);
    expect([api.sent('j0'), api.sent('j1'), api.sent('j2')]).toEqual([[0], [0, 1000], [0, 1000]]);
    controllers[1]?.abort(new Error('second'));
    controllers[2]?.abort(new Error('third'));
    expect(vi.getTimerCount()).toBe(0);
    const ends = await Promise.all(waits);
    expect(ends.map((e) => (e.status === 'rejected' ? (e.reason as Error).message : 'resolved'))).toEqual([
      'first',
      'second',
      'third',
    ]);
  });
});

describe('the deadline of a wait', () => {
  it('aborts a poll still in flight when it falls, and the wait times out then', async () => {
    const api = jobsFetch((id, n) => (n === 1 ? job(id, 'working') : 'hang'));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: exact(1000) });
    const result = await settle(client.wait('j', { timeoutMs: 5000 }), 5000);
    expect(result).toMatchObject({ status: 'rejected', reason: { name: 'WaitTimeoutError', elapsedMs: 5000 } });
    expect(api.sent('j')).toEqual([0, 1000]);
    expect(api.aborted).toEqual(['j']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends the wait without a poll when the next one would fall on the deadline itself', async () => {
    const api = jobsFetch(doneAt(2));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: exact(1000) });
    const result = await settle(client.wait('j', { timeoutMs: 1000 }), 1000);
    expect(result).toMatchObject({ status: 'rejected', reason: { name: 'WaitTimeoutError', polls: 1 } });
    expect(api.sent('j')).toEqual([0]);
  });

  it('reports the time since the wait started, whatever the clock says', async () => {
    vi.setSystemTime(1_700_000_000_000);
    const api = jobsFetch(() => job('j', 'working'));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: exact(1000) });
    const result = await settle(client.wait('j', { timeoutMs: 2500 }), 2500);
    expect((result as PromiseRejectedResult).reason as WaitTimeoutError).toMatchObject({ elapsedMs: 2500, polls: 3 });
  });
});

describe('a push or an abort during a wait’s own work', () => {
  it('a push during a request is honoured once the server’s Retry-After has passed, and only once', async () => {
    // The answer in flight carries a hint of 10 s; the wait, deep in its backoff, would sleep 60 s.
    const api = jobsFetch(
      (id, n) => (n === 1 ? job(id, 'working', { 'x-acme-retry-in': '10' }) : job(id, 'working')),
      100,
    );
    const client = createClient(acme, {
      token: TOKEN,
      fetch: api.fetch,
      wait: { jitter: 0, estimate: false, minDelayMs: 1000, maxDelayMs: 60_000 },
    });
    const deep: WaitState = { v: 1, vendor: 'acme', ref: 'j', startedAt: 0, polls: 10, attempt: 10, history: [] };
    const waiting = settle(client.wait('j', { resumeFrom: deep, timeoutMs: 100_000 }), 0);
    await vi.advanceTimersByTimeAsync(50);
    expect(client.wake('j')).toBe(1);
    await vi.advanceTimersByTimeAsync(80_000);
    // Then back on the schedule: 60 s after the poll the push brought.
    expect(api.sent('j')).toEqual([0, 10_100, 70_200]);
    await vi.advanceTimersByTimeAsync(20_000);
    await expect(waiting).resolves.toMatchObject({ status: 'rejected', reason: { name: 'WaitTimeoutError' } });
  });

  it('an onProgress that aborts the wait ends it at once, with no further poll', async () => {
    const api = jobsFetch(doneAt(3));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: exact(1000) });
    const stop = new AbortController();
    const reason = new Error('seen enough');
    const result = await settle(client.wait('j', { signal: stop.signal, onProgress: () => stop.abort(reason) }), 0);
    expect(result).toEqual({ status: 'rejected', reason });
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.sent('j')).toEqual([0]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the bookkeeping of pending waits', () => {
  it('holds one listener on a signal many waits share, gone once they all end or it aborts', async () => {
    const api = jobsFetch((id, n) => job(id, n >= Number(id.slice(1)) ? 'done' : 'working'));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: exact(1000) });
    const shared = new AbortController();
    // j2 ends at its 2nd read, j3 at its 3rd.
    const ending = [client.wait('j2', { signal: shared.signal }), client.wait('j3', { signal: shared.signal })];
    await vi.advanceTimersByTimeAsync(0);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(Promise.all(ending)).resolves.toHaveLength(2);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);

    const stopped = [client.wait('j8', { signal: shared.signal }), client.wait('j9', { signal: shared.signal })];
    await vi.advanceTimersByTimeAsync(0);
    shared.abort(new Error('shutdown'));
    await expect(Promise.allSettled(stopped)).resolves.toMatchObject([{ status: 'rejected' }, { status: 'rejected' }]);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('wakes only the waits still pending on a task, after one of two has ended', async () => {
    const api = jobsFetch(() => job('j', 'working'));
    const client = createClient(acme, { token: TOKEN, fetch: api.fetch, wait: exact(60_000) });
    const [first, rest] = [new AbortController(), new AbortController()];
    const waits = [
      client.wait('j', { signal: first.signal }),
      client.wait('j', { signal: rest.signal }),
      client.wait('j', { signal: rest.signal }),
    ].map((w) => settle(w, 0));
    await vi.advanceTimersByTimeAsync(0);
    first.abort(new Error('first gone'));
    expect(client.wake('j')).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    // Three first polls, then one more for each of the two roused.
    expect(api.sent('j')).toEqual([0, 0, 0, 0, 0]);
    await expect(waits[0]).resolves.toMatchObject({ status: 'rejected', reason: { message: 'first gone' } });
    rest.abort(new Error('done here'));
    expect(client.wake('j')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
