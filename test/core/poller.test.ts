import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createClient,
  HttpError,
  TaskFailedError,
  type TaskSnapshot,
  type WaitState,
  WaitTimeoutError,
} from '../../src/index.js';
import { acme } from '../helpers/acme.js';
import { settle } from '../helpers/fake-time.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const JOB = 'https://api.acme.test/v2/jobs/:id';

/**
 * Serves `states` one per poll of each task (the last repeats) and records when each request
 * came: all of them in order, and per task id in `byId`.
 */
function serveStates(states: Array<Record<string, unknown> | (() => Response)>) {
  // `byId` is not enumerable, so `times` still compares equal to a plain array of times.
  const times = Object.defineProperty([] as number[], 'byId', { value: {}, enumerable: false }) as number[] & {
    byId: Record<string, number[]>;
  };
  server.use(
    http.get(JOB, ({ params }) => {
      const id = String(params.id);
      const own = times.byId[id] ?? [];
      times.byId[id] = own;
      times.push(Date.now());
      own.push(Date.now());
      const next = states[Math.min(own.length - 1, states.length - 1)];
      if (typeof next === 'function') return next();
      return HttpResponse.json({ id, ...next });
    }),
  );
  return times;
}

const exact = { token: 'test-token', wait: { jitter: 0, estimate: false } };

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('wait: the schedule', () => {
  it('polls at once, then backs off 1 s, 2 s, 4 s ... up to the 30 s cap', async () => {
    const times = serveStates([...Array(8).fill({ state: 'working' }), { state: 'done' }]);
    const client = createClient(acme, { ...exact, token: 't0ken-abc' });
    const result = await settle(client.wait('j1'), 200_000);
    expect(result.status).toBe('fulfilled');
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(times[0]).toBe(0);
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps polling an unknown status, with backoff rather than a hot loop', async () => {
    const times = serveStates([
      { state: 'MIGRATING_TO_MARS' },
      { state: 'MIGRATING_TO_MARS' },
      { state: 'MIGRATING_TO_MARS' },
      { state: 'done' },
    ]);
    const client = createClient(acme, exact);
    const seen: TaskSnapshot[] = [];
    const result = await settle(client.wait('j1', { onProgress: (s) => seen.push(s) }), 60_000);
    expect(result.status).toBe('fulfilled');
    expect(seen[0]?.state).toBe('unknown');
    expect(seen[0]?.rawStatus).toBe('MIGRATING_TO_MARS');
    expect(seen[0]?.terminal).toBe(false);
    expect(times).toEqual([0, 1000, 3000, 7000]);
  });

  it('calls onProgress on the first snapshot and on every change of state or progress only', async () => {
    serveStates([
      { state: 'waiting' },
      { state: 'waiting' },
      { state: 'working', percent: 10 },
      { state: 'working', percent: 10 },
      { state: 'working', percent: 55 },
      { state: 'done', percent: 100 },
    ]);
    const client = createClient(acme, exact);
    const calls: string[] = [];
    await settle(client.wait('j1', { onProgress: (s) => calls.push(`${s.state}:${s.progress ?? '-'}`) }), 120_000);
    expect(calls).toEqual(['queued:-', 'running:0.1', 'running:0.55', 'succeeded:1']);
  });

  it('honours Retry-After on a 429, in seconds and as an HTTP date', async () => {
    const times = serveStates([
      () => new HttpResponse('slow down', { status: 429, headers: { 'Retry-After': '12' } }),
      () =>
        new HttpResponse(null, {
          status: 503,
          headers: { 'Retry-After': new Date(Date.now() + 20_000).toUTCString() },
        }),
      { state: 'done' },
    ]);
    const client = createClient(acme, { ...exact, retry: { retries: 0 } });
    const result = await settle(client.wait('j1'), 120_000);
    expect(result.status).toBe('fulfilled');
    expect(times[1]).toBeGreaterThanOrEqual(12_000);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(19_000);
  });

  it('honours the vendor’s own retry header and a Retry-After on a 200', async () => {
    const times = serveStates([
      () => new HttpResponse(null, { status: 429, headers: { 'X-Acme-Retry-In': '9' } }),
      () => HttpResponse.json({ id: 'j1', state: 'working' }, { headers: { 'Retry-After': '15' } }),
      { state: 'done' },
    ]);
    const client = createClient(acme, { ...exact, retry: { retries: 0 } });
    await settle(client.wait('j1'), 120_000);
    expect(times[1]).toBeGreaterThanOrEqual(9000);
    expect((times[2] as number) - (times[1] as number)).toBe(15_000);
  });

  it('clamps a huge Retry-After to maxRetryAfterMs and a zero one to minDelayMs', async () => {
    const times = serveStates([
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '999999' } }),
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '0' } }),
      { state: 'done' },
    ]);
    const client = createClient(acme, {
      token: 'test-token',
      wait: { jitter: 0, estimate: false, maxRetryAfterMs: 45_000 },
      retry: { retries: 0 },
    });
    await settle(client.wait('j1'), 200_000);
    expect(times).toEqual([0, 45_000, 47_000]);
  });
});

describe('wait: outcomes', () => {
  it('resolves with the terminal snapshot on succeeded and partial', async () => {
    serveStates([
      { state: 'working', percent: 50 },
      { state: 'some_failed', failure: '3 rows rejected' },
    ]);
    const client = createClient(acme, exact);
    const result = await settle(client.wait('j1'), 10_000);
    expect(result).toMatchObject({
      status: 'fulfilled',
      value: { state: 'partial', terminal: true, vendor: 'acme', kind: 'job' },
    });
  });

  it('rejects with TaskFailedError carrying the snapshot on failed and canceled', async () => {
    serveStates([{ state: 'broken', failure: 'disk full' }]);
    const client = createClient(acme, exact);
    const failed = await settle(client.wait('j1'), 1000);
    expect(failed.status).toBe('rejected');
    const error = (failed as PromiseRejectedResult).reason as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.snapshot.state).toBe('failed');
    expect(error.snapshot.error).toEqual({ message: 'disk full' });
    expect(error.message).toContain('disk full');

    server.resetHandlers();
    serveStates([{ state: 'stopped' }]);
    const canceled = await settle(client.wait('j1'), 1000);
    expect(((canceled as PromiseRejectedResult).reason as TaskFailedError).snapshot.state).toBe('canceled');
  });

  it('resolves a failed task when throwOnFailure is false', async () => {
    serveStates([{ state: 'broken' }]);
    const client = createClient(acme, exact);
    const result = await settle(client.wait('j1', { throwOnFailure: false }), 1000);
    expect(result).toMatchObject({ status: 'fulfilled', value: { state: 'failed' } });
  });

  it('fails fast on 401 and 404: one request, a typed error, no waiting out the timeout', async () => {
    for (const status of [401, 404]) {
      server.resetHandlers();
      const times = serveStates([() => HttpResponse.json({ message: 'nope' }, { status })]);
      const client = createClient(acme, { token: 'secret-value-1' });
      const result = await settle(client.wait('j1'), 10);
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as HttpError;
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(status);
      expect(times).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it('retries 503s and network errors without ending the wait', async () => {
    const times = serveStates([
      () => new HttpResponse('busy', { status: 503 }),
      () => HttpResponse.error(),
      () => new HttpResponse('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      () => HttpResponse.error(),
      () => new HttpResponse('busy', { status: 503 }),
      { state: 'done' },
    ]);
    // retries: 1 per poll, so the faults also outlast a poll's own retries and reach the poller.
    const client = createClient(acme, { ...exact, retry: { retries: 1, minDelayMs: 100, maxDelayMs: 100 } });
    const result = await settle(client.wait('j1'), 120_000);
    expect(result).toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
    expect(times).toHaveLength(6);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('wait: abort, timeout and resume', () => {
  it('aborts during a sleep with the signal’s reason and leaves no timer', async () => {
    const times = serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    const controller = new AbortController();
    const pending = settle(client.wait('j1', { signal: controller.signal }), 500);
    const reason = new Error('user gave up');
    setTimeout(() => controller.abort(reason), 300);
    const result = await pending;
    expect(result).toEqual({ status: 'rejected', reason });
    expect(times).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts during a request, and a response after the abort schedules nothing', async () => {
    let release: (() => void) | undefined;
    let requests = 0;
    server.use(
      http.get(JOB, async () => {
        requests++;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return HttpResponse.json({ id: 'j1', state: 'working' });
      }),
    );
    const client = createClient(acme, exact);
    const controller = new AbortController();
    const pending = settle(client.wait('j1', { signal: controller.signal }), 10);
    await vi.advanceTimersByTimeAsync(5);
    controller.abort();
    const result = await pending;
    expect(result.status).toBe('rejected');
    expect(((result as PromiseRejectedResult).reason as Error).name).toBe('AbortError');
    release?.();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const times = serveStates([{ state: 'done' }]);
    const client = createClient(acme, { token: 'test-token' });
    const result = await settle(client.wait('j1', { signal: AbortSignal.abort('stop') }), 10);
    expect(result).toEqual({ status: 'rejected', reason: 'stop' });
    expect(times).toHaveLength(0);
  });

  it('times out with the last snapshot, elapsed time, polls and a resume token; a resumed wait finishes', async () => {
    const times = serveStates([
      { state: 'working', percent: 10 },
      { state: 'working', percent: 20 },
      { state: 'working', percent: 30 },
      { state: 'working', percent: 40 },
      { state: 'done', percent: 100 },
    ]);
    const client = createClient(acme, exact);
    const result = await settle(client.wait('j1', { timeoutMs: 5000 }), 5000);
    expect(result.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason as WaitTimeoutError;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.elapsedMs).toBe(5000);
    expect(error.polls).toBe(3); // at 0, 1000 and 3000 ms
    expect(error.snapshot?.progress).toBe(0.3);
    expect(vi.getTimerCount()).toBe(0);

    const token = JSON.parse(JSON.stringify(error.resumeToken)) as string;
    const resumed = await settle(createClient(acme, exact).resume(token), 60_000);
    expect(resumed).toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
    // The resumed wait polled at once, then went on with the backoff where it stopped
    // (delays of 1, 2 and 4 s were spent; the next is 8 s), not from 1 s again.
    expect(times[3]).toBe(5000);
    expect((times[4] as number) - (times[3] as number)).toBe(8000);
  });

  it('accepts the resume token through wait(ref, { resumeFrom }) too, and rejects a foreign one', async () => {
    serveStates([{ state: 'done' }]);
    const client = createClient(acme, exact);
    const state: WaitState = { v: 1, vendor: 'acme', ref: 'j1', startedAt: 0, polls: 4, attempt: 4, history: [] };
    await expect(settle(client.wait('j1', { resumeFrom: state }), 10)).resolves.toMatchObject({ status: 'fulfilled' });
    await expect(client.wait('j1', { resumeFrom: { ...state, vendor: 'mixpeek' } })).rejects.toThrow(
      /belongs to a mixpeek wait/,
    );
    await expect(client.wait('j1', { resumeFrom: '{not json' })).rejects.toThrow(/not a resume token/);
  });

  it("a resumed wait owes the server at most its own maxRetryAfterMs, whatever the token's notBefore says", async () => {
    const times = serveStates([{ state: 'done' }]);
    // A day ahead: another machine's clock, or a token edited by hand.
    const state: WaitState = { v: 1, vendor: 'acme', ref: 'j1', startedAt: 0, polls: 1, attempt: 1, history: [] };
    const owing = { ...state, notBefore: 86_400_000 };
    const client = createClient(acme, { ...exact, wait: { ...exact.wait, maxRetryAfterMs: 2000 } });
    const pending = client.wait('j1', { resumeFrom: owing, timeoutMs: Number.POSITIVE_INFINITY });
    await expect(settle(pending, 2000)).resolves.toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
    expect(times).toEqual([2000]);
    // What the token owes within that bound is still owed.
    const soon = client.wait('j1', { resumeFrom: { ...state, notBefore: Date.now() + 700 } });
    await expect(settle(soon, 700)).resolves.toMatchObject({ status: 'fulfilled' });
    expect(times).toEqual([2000, 2700]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('watch and poll', () => {
  it('watch yields every snapshot and ends at the terminal one', async () => {
    serveStates([{ state: 'waiting' }, { state: 'working', percent: 40 }, { state: 'done' }]);
    const client = createClient(acme, exact);
    const states: string[] = [];
    const done = (async () => {
      for await (const snapshot of client.watch('j1')) states.push(snapshot.state);
    })();
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(states).toEqual(['queued', 'running', 'succeeded']);
  });

  it('watch yields a failed task’s last snapshot and ends, where wait() would reject', async () => {
    serveStates([{ state: 'working' }, { state: 'broken' }]);
    const client = createClient(acme, exact);
    const states: string[] = [];
    const done = (async () => {
      for await (const snapshot of client.watch('j1')) states.push(snapshot.state);
    })();
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(done).resolves.toBeUndefined();
    expect(states).toEqual(['running', 'failed']);
  });

  it('break out of watch stops polling and leaves no timer', async () => {
    const times = serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    for await (const snapshot of client.watch('j1')) {
      expect(snapshot.state).toBe('running');
      break;
    }
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('poll is one step a job queue can drive: state in, snapshot, delay and new state out', async () => {
    serveStates([{ state: 'working', percent: 10 }, { state: 'working', percent: 20 }, { state: 'done' }]);
    const client = createClient(acme, exact);
    const first = await client.poll('j1');
    expect(first).toMatchObject({ done: false, delayMs: 1000, snapshot: { progress: 0.1 } });
    // The token is the state as JSON, the same text at every read, and goes along when the step is stored.
    expect(JSON.parse(first.resumeToken)).toEqual(first.state);
    expect(first.resumeToken).toBe(first.resumeToken);
    expect(JSON.parse(JSON.stringify(first)).resumeToken).toBe(first.resumeToken);
    expect(Object.keys(first)).toEqual(['snapshot', 'done', 'delayMs', 'state', 'resumeToken', 'basis']);
    // Through JSON, as a queue would store it.
    const second = await client.poll('j1', { state: JSON.parse(first.resumeToken) });
    expect(second).toMatchObject({ done: false, delayMs: 2000 });
    expect(second.state.polls).toBe(2);
    const third = await client.poll('j1', { state: second.resumeToken });
    expect(third).toMatchObject({ done: true, delayMs: 0, snapshot: { state: 'succeeded' } });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('wait: options given as undefined', () => {
  it('takes an option given as undefined as its default, at every level', async () => {
    const times = serveStates([{ state: 'working' }, { state: 'working' }, { state: 'done' }]);
    const client = createClient(acme, {
      token: 'test-token',
      baseUrl: undefined,
      requestTimeoutMs: undefined,
      retry: { retries: undefined },
      wait: { minDelayMs: undefined, jitter: 0, estimate: false },
    });
    const result = await settle(client.wait('j1', { maxDelayMs: undefined, signal: undefined }), 10_000);
    expect(result).toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
    expect(times).toEqual([0, 1000, 3000]);
  });
});

describe('wait: per-wait maxRetryAfterMs', () => {
  it('bounds the retry within a request by the wait’s own maxRetryAfterMs, not the client’s', async () => {
    const times = serveStates([
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '6' } }),
      { state: 'done' },
    ]);
    // The in-request retry (p-retry) sleeps the hint, capped; its own backoff floor is set to 0.
    const client = createClient(acme, { ...exact, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 } });
    const result = await settle(client.wait('j1', { maxRetryAfterMs: 1000 }), 20_000);
    expect(result).toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
    expect(times).toEqual([0, 1000]);

    const slow = serveStates([
      () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '6' } }),
      { state: 'done' },
    ]);
    await settle(client.wait('j2'), 20_000);
    expect(slow.byId.j2).toEqual([20_000, 26_000]);
  });

  it('bounds the retry of poll() by its own maxRetryAfterMs', async () => {
    const times = serveStates([
      () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '60' } }),
      { state: 'working' },
    ]);
    const client = createClient(acme, { ...exact, retry: { retries: 1, minDelayMs: 0, maxDelayMs: 0 } });
    const step = await settle(client.poll('j1', { maxRetryAfterMs: 2500 }), 10_000);
    expect(step).toMatchObject({ status: 'fulfilled', value: { done: false } });
    expect(times).toEqual([0, 2500]);
  });
});

describe('wait: callbacks and per-call options', () => {
  it('rejects with what onProgress throws, and leaves no timer', async () => {
    const times = serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    const oops = new Error('onProgress broke');
    const result = await settle(
      client.wait('j1', {
        onProgress: () => {
          throw oops;
        },
      }),
      10_000,
    );
    expect(result).toEqual({ status: 'rejected', reason: oops });
    expect(times.byId.j1).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops with the reason when onProgress aborts the signal, and resolves when the snapshot was terminal', async () => {
    serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    const controller = new AbortController();
    const stopped = await settle(
      client.wait('j1', { signal: controller.signal, onProgress: () => controller.abort('enough') }),
      10_000,
    );
    expect(stopped).toEqual({ status: 'rejected', reason: 'enough' });
    expect(vi.getTimerCount()).toBe(0);

    serveStates([{ state: 'done' }]);
    const late = new AbortController();
    const done = await settle(client.wait('j2', { signal: late.signal, onProgress: () => late.abort('too late') }), 10);
    expect(done).toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
  });

  it('gives each wait its own poll options, however the calls alternate', async () => {
    const times = serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    const control = new AbortController();
    const signal = control.signal;
    const waits = [
      client.wait('a', { signal, minDelayMs: 1000, maxDelayMs: 1000 }),
      client.wait('b', { signal, minDelayMs: 3000, maxDelayMs: 3000 }),
      client.wait('c', { signal, minDelayMs: 1000, maxDelayMs: 1000 }),
      client.wait('d', { signal }),
    ].map((p) => p.catch(() => undefined));
    await vi.advanceTimersByTimeAsync(6500);
    control.abort();
    await Promise.all(waits);
    expect(times.byId.a).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
    expect(times.byId.b).toEqual([0, 3000, 6000]);
    expect(times.byId.c).toEqual(times.byId.a);
    expect(times.byId.d).toEqual([0, 1000, 3000]);
    await expect(client.wait('e', { minDelayMs: -1 })).rejects.toThrow(/minDelayMs/);
  });
});
