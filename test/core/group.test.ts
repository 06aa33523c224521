import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  createClient,
  type GroupProgress,
  type HttpError,
  TaskFailedError,
  type TaskSnapshot,
  WaitTimeoutError,
} from '../../src/index.js';
import { acme } from '../helpers/acme.js';
import { settle } from '../helpers/fake-time.js';

/**
 * An injected fetch serving acme jobs: `lives[id]` is the list of states the job answers, one per
 * poll (the last repeats); an id with no life answers 404. Records each request and its signal.
 */
function fakeJobs(lives: Record<string, readonly string[]>, latency: number | ((id: string) => number) = 0) {
  const calls: { at: number; id: string; signal: AbortSignal }[] = [];
  const polls = new Map<string, number>();
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const id = decodeURIComponent(new URL(request.url).pathname.split('/').pop() as string);
    calls.push({ at: Date.now(), id, signal: request.signal });
    const n = polls.get(id) ?? 0;
    polls.set(id, n + 1);
    const life = lives[id];
    const response = life
      ? Response.json({ id, state: life[Math.min(n, life.length - 1)] })
      : Response.json({ error: 'no such job' }, { status: 404 });
    const latencyMs = typeof latency === 'number' ? latency : latency(id);
    if (latencyMs === 0) return Promise.resolve(response);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(response), latencyMs);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(request.signal.reason);
      });
    });
  };
  return { fetch, calls, polls };
}

const every = (n: number, state: string, end: string) => [...Array(n).fill(state), end];
const exact = { jitter: 0, estimate: false, minDelayMs: 1000, maxDelayMs: 1000 };

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waitAll', () => {
  it('resolves with every terminal snapshot in the order of refs, each task on its own schedule', async () => {
    const api = fakeJobs({ a: every(3, 'working', 'done'), b: ['done'], c: every(1, 'waiting', 'some_failed') });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const result = await settle(client.waitAll(['a', 'b', 'c']), 10_000);
    expect(result.status).toBe('fulfilled');
    const snapshots = (result as PromiseFulfilledResult<TaskSnapshot[]>).value;
    expect(snapshots.map((s) => `${s.id}:${s.state}`)).toEqual(['a:succeeded', 'b:succeeded', 'c:partial']);
    expect(api.calls.filter((c) => c.id === 'a').map((c) => c.at)).toEqual([0, 1000, 2000, 3000]);
    expect(api.calls.filter((c) => c.id === 'c').map((c) => c.at)).toEqual([0, 1000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the first failure and stops the other waits', async () => {
    const api = fakeJobs({ a: every(100, 'working', 'done'), b: ['working', 'broken'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const result = await settle(client.waitAll(['a', 'b']), 5000);
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(TaskFailedError);
    expect((result as PromiseRejectedResult).reason.snapshot.id).toBe('b');
    // a was polled at 0 and 1000; the failure at 1000 stopped it.
    expect(api.calls.filter((c) => c.id === 'a').map((c) => c.at)).toEqual([0, 1000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with settled: true, gives each outcome like Promise.allSettled', async () => {
    const api = fakeJobs({ a: ['done'], b: ['working', 'broken'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, retry: { retries: 0 }, wait: exact });
    const result = await settle(client.waitAll(['a', 'b', 'missing'], { settled: true }), 5000);
    expect(result.status).toBe('fulfilled');
    const [a, b, missing] = (result as PromiseFulfilledResult<Array<Record<string, unknown>>>).value;
    expect(a).toMatchObject({ ref: 'a', snapshot: { state: 'succeeded' } });
    expect(b?.ref).toBe('b');
    expect(b?.error).toBeInstanceOf(TaskFailedError);
    expect(missing?.ref).toBe('missing');
    expect((missing?.error as HttpError | undefined)?.status).toBe(404);
  });

  it('with throwOnFailure: false, a failed task is a snapshot, not an error', async () => {
    const api = fakeJobs({ a: ['broken'], b: ['stopped'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const result = await settle(client.waitAll(['a', 'b'], { throwOnFailure: false }), 1000);
    expect((result as PromiseFulfilledResult<TaskSnapshot[]>).value.map((s) => s.state)).toEqual([
      'failed',
      'canceled',
    ]);
  });

  it('awaits a ref named twice once, and reports it for each', async () => {
    const api = fakeJobs({ a: ['working', 'done'], b: ['done'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const result = await settle(client.waitAll(['a', 'b', 'a']), 5000);
    const snapshots = (result as PromiseFulfilledResult<TaskSnapshot[]>).value;
    expect(snapshots.map((s) => s.id)).toEqual(['a', 'b', 'a']);
    expect(snapshots[0]).toBe(snapshots[2]);
    expect(api.calls.map((c) => c.id)).toEqual(['a', 'b', 'a']);
  });

  it('has one timeout for the group: each task still running ends with its own WaitTimeoutError', async () => {
    const api = fakeJobs({ a: ['done'], b: ['working'], c: ['working'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const result = await settle(client.waitAll(['a', 'b', 'c'], { settled: true, timeoutMs: 2500 }), 5000);
    const [a, b, c] = (result as PromiseFulfilledResult<Array<{ ref: string; error?: unknown }>>).value;
    expect(a).toMatchObject({ ref: 'a', snapshot: { state: 'succeeded' } });
    for (const [outcome, id] of [
      [b, 'b'],
      [c, 'c'],
    ] as const) {
      expect(outcome?.error).toBeInstanceOf(WaitTimeoutError);
      const error = outcome?.error as WaitTimeoutError;
      expect(error.elapsedMs).toBe(2500);
      expect(error.polls).toBe(3);
      expect(JSON.parse(error.resumeToken)).toMatchObject({ ref: id, polls: 3 });
    }
    expect(api.calls.filter((call) => call.id === 'b').map((call) => call.at)).toEqual([0, 1000, 2000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the signal’s reason and stops every wait, also mid-request', async () => {
    const api = fakeJobs({ a: ['working'], b: ['working'] }, 300);
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const stop = new AbortController();
    const pending = settle(client.waitAll(['a', 'b'], { signal: stop.signal, settled: true }), 0);
    // Answered at 300, polled again at 1300: in flight until 1600.
    await vi.advanceTimersByTimeAsync(1400);
    // Both are in their second request.
    expect(api.calls).toHaveLength(4);
    const reason = new Error('shutting down');
    stop.abort(reason);
    expect(await pending).toEqual({ status: 'rejected', reason });
    expect(api.calls.slice(2).every((c) => c.signal.aborted)).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.calls).toHaveLength(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('calls onProgress with the group’s counts and onTaskProgress per task, on changes only', async () => {
    const api = fakeJobs({ a: ['waiting', 'waiting', 'working', 'done'], b: ['working', 'broken'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const group: string[] = [];
    const tasks: string[] = [];
    await settle(
      client.waitAll(['a', 'b'], {
        settled: true,
        onProgress: (p: GroupProgress<unknown, TaskSnapshot>) =>
          group.push(`${p.ref}:${p.snapshot?.state ?? 'error'} ${p.ended}/${p.total} failed ${p.failed}`),
        onTaskProgress: (snapshot, ref) => tasks.push(`${ref}:${snapshot.state}`),
      }),
      10_000,
    );
    expect(tasks).toEqual(['a:queued', 'b:running', 'b:failed', 'a:running', 'a:succeeded']);
    expect(group).toEqual([
      'a:queued 0/2 failed 0',
      'b:running 0/2 failed 0',
      'b:failed 0/2 failed 0',
      'b:error 1/2 failed 1',
      'a:running 1/2 failed 1',
      'a:succeeded 1/2 failed 1',
    ]);
  });
});

describe('bad input is a ConfigError naming refs', () => {
  it.each([
    ['an empty list', [], /waitAll needs at least one task ref; refs is empty/],
    ['not a list', 'abc' as unknown as string[], /waitAll takes an array \(or iterable\) of task refs/],
    ['a bad ref', ['ok', 42 as unknown as string], /refs\[1\]: acme: bad task reference/],
  ])('%s', async (_, refs, message) => {
    const client = createClient(acme, { token: 'test-token', fetch: fakeJobs({}).fetch });
    const error = await client.waitAll(refs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('refs');
    expect((error as Error).message).toMatch(message);
    expect(() => client.waitEach(refs)).toThrow(message.source.includes('waitAll') ? /waitEach/ : message);
    await expect(client.waitAny(refs)).rejects.toThrow(ConfigError);
  });
});

describe('waitEach', () => {
  it('yields each outcome as its task ends, errors included', async () => {
    const api = fakeJobs({ slow: every(3, 'working', 'done'), fast: ['done'], bad: ['working', 'broken'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const outcome of client.waitEach(['slow', 'fast', 'bad'])) {
        seen.push(
          'snapshot' in outcome
            ? `${outcome.ref}:${outcome.snapshot.state}`
            : `${outcome.ref}:${(outcome.error as Error).name}`,
        );
      }
    })();
    await vi.advanceTimersByTimeAsync(10_000);
    await loop;
    expect(seen).toEqual(['fast:succeeded', 'bad:TaskFailedError', 'slow:succeeded']);
  });

  it('a break stops every timer and request of the group', async () => {
    // a answers at 100; b, c and d take 500 ms a request: at the break, they are in flight.
    const api = fakeJobs({ a: ['done'], b: ['working'], c: ['working'], d: ['working'] }, (id) =>
      id === 'a' ? 100 : 500,
    );
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    let first: unknown;
    const loop = (async () => {
      for await (const outcome of client.waitEach(['a', 'b', 'c', 'd'])) {
        first = outcome;
        break;
      }
    })();
    await vi.advanceTimersByTimeAsync(150);
    await loop;
    expect(first).toMatchObject({ ref: 'a', snapshot: { state: 'succeeded' } });
    const made = api.calls.length;
    expect(made).toBe(4);
    expect(api.calls.filter((c) => c.id !== 'a').every((c) => c.signal.aborted)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.calls).toHaveLength(made);
  });

  it('throws the signal’s reason when the group is aborted', async () => {
    const api = fakeJobs({ a: ['working'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const stop = new AbortController();
    const loop = (async () => {
      for await (const _ of client.waitEach(['a'], { signal: stop.signal })) {
        // never reached
      }
    })();
    const result = settle(loop, 0);
    await vi.advanceTimersByTimeAsync(2500);
    stop.abort(new Error('enough'));
    expect(await result).toMatchObject({ status: 'rejected', reason: new Error('enough') });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('waitAny', () => {
  it('resolves with the first task to end and stops the rest', async () => {
    const api = fakeJobs({ a: every(5, 'working', 'done'), b: ['working', 'working', 'done'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const result = await settle(client.waitAny(['a', 'b']), 10_000);
    expect(result).toMatchObject({ status: 'fulfilled', value: { ref: 'b', snapshot: { state: 'succeeded' } } });
    expect(api.calls.filter((c) => c.id === 'a').map((c) => c.at)).toEqual([0, 1000, 2000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects when the first task to end failed', async () => {
    const api = fakeJobs({ a: every(5, 'working', 'done'), b: ['broken'] });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const result = await settle(client.waitAny(['a', 'b']), 10_000);
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(TaskFailedError);
  });
});

describe('a group of many tasks', () => {
  it('holds one timer and one scheduler entry per due time, not one timer per task', async () => {
    const count = 500;
    const ids = Array.from({ length: count }, (_, i) => `t${i}`);
    const api = fakeJobs(Object.fromEntries(ids.map((id) => [id, every(2, 'working', 'done')])));
    const client = createClient(acme, {
      token: 'test-token',
      fetch: api.fetch,
      maxConcurrency: Number.POSITIVE_INFINITY,
      wait: exact,
    });
    const all = client.waitAll(ids, { timeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(api.calls).toHaveLength(count);
    // Every task is asleep until 1000: the group's one timer.
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    await expect(all).resolves.toHaveLength(count);
    expect(api.calls).toHaveLength(3 * count);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('separate waits sleep on one timer per client, however many there are', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `t${i}`);
    const others = Array.from({ length: 10 }, (_, i) => `u${i}`);
    const api = fakeJobs(Object.fromEntries([...ids, ...others].map((id) => [id, every(2, 'working', 'done')])));
    const one = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const other = createClient(acme, { token: 'test-token', fetch: api.fetch, wait: exact });
    const all = Promise.all([...ids.map((id) => one.wait(id)), ...others.map((id) => other.wait(id))]);
    await vi.advanceTimersByTimeAsync(10);
    expect(api.calls).toHaveLength(110);
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(5000);
    await expect(all).resolves.toHaveLength(110);
    expect(api.calls).toHaveLength(330);
    expect(vi.getTimerCount()).toBe(0);
  });
});
