// Hooks: told of every request, retry, poll and end; frozen, redacted data; a hook that throws or
// rejects is logged and changes nothing.
import { HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  createClient,
  type PollInfo,
  type ResponseInfo,
  type RetryInfo,
  type SettledInfo,
  WaitTimeoutError,
} from '../../../src/index.js';
import { jobs, serveJob } from '../../helpers/jobs.js';
import { recordingLogger } from '../../helpers/records.js';
import { useMsw } from '../../helpers/server.js';

const server = useMsw();
const TOKEN = 'sk_live_H00kS3cretValue77';
const fast = {
  token: TOKEN,
  retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 },
  wait: { minDelayMs: 1, maxDelayMs: 1, jitter: 0, estimate: false },
  telemetry: false as const,
};
const URL_J1 = 'https://api.jobs.test/v1/jobs/j-1';

describe('what each hook is told', () => {
  it('calls onRequest, onResponse, onRetry, onPoll and onSettled in order, with exact data', async () => {
    serveJob(server, [
      () =>
        new HttpResponse('busy', {
          status: 503,
          headers: { 'x-jobs-trace': 'tr-1', 'x-request-id': 'rq-1', 'set-cookie': 'sid=abc', 'x-api-key': TOKEN },
        }),
      { state: 'working', percent: 25 },
      { state: 'done', percent: 100 },
    ]);
    const seen: [string, unknown][] = [];
    const client = createClient(jobs, {
      ...fast,
      hooks: {
        onRequest: (info) => seen.push(['onRequest', info]),
        onResponse: (info) => seen.push(['onResponse', info]),
        onRetry: (info) => seen.push(['onRetry', info]),
        onPoll: (info) => seen.push(['onPoll', info]),
        onSettled: (info) => seen.push(['onSettled', info]),
      },
    });
    const done = await client.wait('j-1');
    expect(seen.map(([name]) => name)).toEqual([
      'onRequest',
      'onResponse',
      'onRetry',
      'onRequest',
      'onResponse',
      'onPoll',
      'onRequest',
      'onResponse',
      'onPoll',
      'onSettled',
    ]);
    const request = { vendor: 'jobs', method: 'GET', url: URL_J1 };
    expect(seen[0]?.[1]).toEqual({ ...request, attempt: 1 });
    expect(seen[1]?.[1]).toEqual({
      ...request,
      attempt: 1,
      status: 503,
      durationMs: expect.any(Number),
      // The vendor's own request-id header wins over x-request-id.
      requestId: 'tr-1',
      // No cookie, no header named like a credential.
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'x-jobs-trace': 'tr-1', 'x-request-id': 'rq-1' },
      error: { name: 'HttpError', message: `jobs: GET ${URL_J1} answered 503: busy` },
    } satisfies ResponseInfo);
    expect(seen[2]?.[1]).toEqual({
      ...request,
      attempt: 1,
      reason: 'http_503',
      message: 'the server answered 503',
      status: 503,
      delayMs: 1,
    } satisfies RetryInfo);
    expect(seen[3]?.[1]).toEqual({ ...request, attempt: 2 });
    expect(seen[4]?.[1]).toMatchObject({ attempt: 2, status: 200 });
    expect(Object.keys(seen[4]?.[1] ?? {})).not.toContain('error');
    expect(seen[5]?.[1]).toEqual({
      vendor: 'jobs',
      id: 'j-1',
      polls: 1,
      snapshot: expect.objectContaining({ state: 'running', progress: 0.25 }),
      done: false,
      delayMs: 1,
      basis: 'backoff',
    } satisfies PollInfo);
    expect(seen[8]?.[1]).toEqual({
      vendor: 'jobs',
      id: 'j-1',
      polls: 2,
      snapshot: done,
      done: true,
      delayMs: 0,
    } satisfies PollInfo);
    expect(seen[9]?.[1]).toEqual({
      vendor: 'jobs',
      id: 'j-1',
      outcome: 'completed',
      polls: 2,
      durationMs: expect.any(Number),
      snapshot: done,
    } satisfies SettledInfo);
  });

  it('gives frozen data: a hook can’t change the wait’s snapshot', async () => {
    serveJob(server, [{ state: 'done', percent: 100, nested: { list: [1, { deep: 'x' }] } }]);
    let polled: PollInfo | undefined;
    const client = createClient(jobs, { ...fast, hooks: { onPoll: (info) => (polled = info) } });
    const done = await client.wait('j-1');
    const snapshot = polled?.snapshot as typeof done;
    expect(Object.isFrozen(polled)).toBe(true);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.raw)).toBe(true);
    expect(Object.isFrozen((snapshot.raw as unknown as { nested: { list: unknown[] } }).nested.list[1])).toBe(true);
    expect(() => {
      (snapshot as { state: string }).state = 'failed';
    }).toThrow(TypeError);
    expect(snapshot).not.toBe(done);
    expect(done.state).toBe('succeeded');
    expect(Object.isFrozen(done)).toBe(false);
  });

  it('gives redacted data: credentials in a payload are masked in the hook’s copy, keys too', async () => {
    serveJob(server, [{ state: 'done', note: 'call with Bearer abcdefghij123', token_ABCDEFGH: 'x', echo: TOKEN }]);
    let settled: SettledInfo | undefined;
    const client = createClient(jobs, { ...fast, hooks: { onSettled: (info) => (settled = info) } });
    await client.wait('j-1');
    const raw = settled?.snapshot?.raw as Record<string, unknown>;
    expect(raw.note).toBe('call with Bearer [REDACTED]');
    expect(raw.echo).toBe('[REDACTED]');
    expect(JSON.stringify(settled)).not.toContain('H00kS3cret');
  });

  it('calls a wait’s own hooks after the client’s', async () => {
    serveJob(server, [{ state: 'done' }]);
    const order: string[] = [];
    const client = createClient(jobs, { ...fast, hooks: { onPoll: () => order.push('client') } });
    await client.wait('j-1', { hooks: { onPoll: () => order.push('wait'), onSettled: () => order.push('wait end') } });
    await client.wait('j-1');
    expect(order).toEqual(['client', 'wait', 'wait end', 'client']);
  });

  it('tells onPoll of a failed poll, and a poll() of onPoll but not onSettled', async () => {
    serveJob(server, [() => new HttpResponse(null, { status: 500 }), { state: 'working' }]);
    const polls: PollInfo[] = [];
    const settled: SettledInfo[] = [];
    const client = createClient(jobs, {
      ...fast,
      retry: { retries: 0 },
      hooks: { onPoll: (info) => polls.push(info), onSettled: (info) => settled.push(info) },
    });
    await expect(client.poll('j-1')).rejects.toThrow('answered 500');
    const step = await client.poll('j-1');
    expect(polls).toEqual([
      expect.objectContaining({ polls: 1, done: false, basis: 'backoff', delayMs: step.delayMs }),
    ]);
    expect(step.basis).toBe('backoff');
    expect(settled).toEqual([]);
    serveJob(server, [() => new HttpResponse(null, { status: 500 }), { state: 'done' }]);
    await client.wait('j-2');
    expect(polls[1]).toEqual({
      vendor: 'jobs',
      id: 'j-2',
      polls: 1,
      error: { name: 'HttpError', message: 'jobs: GET https://api.jobs.test/v1/jobs/j-2 answered 500' },
      done: false,
      delayMs: 1,
      basis: 'backoff',
    });
    expect(settled.map((s) => [s.outcome, s.polls])).toEqual([['completed', 2]]);
  });
});

describe('how onSettled names the end', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says failed, timeout, aborted or error', async () => {
    const outcomes: string[] = [];
    const client = createClient(jobs, {
      ...fast,
      retry: { retries: 0 },
      hooks: { onSettled: (i) => outcomes.push(i.outcome) },
    });
    serveJob(server, [{ state: 'broken' }]);
    await client.wait('a', { throwOnFailure: false });
    serveJob(server, [{ state: 'working' }]);
    const timedOut = client.wait('b', { timeoutMs: 50 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await timedOut).toBeInstanceOf(WaitTimeoutError);
    const stop = new AbortController();
    const aborted = client.wait('c', { signal: stop.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5);
    stop.abort(new Error('bye'));
    await aborted;
    serveJob(server, [() => new HttpResponse(null, { status: 404 })]);
    await client.wait('d').catch(() => {});
    expect(outcomes).toEqual(['failed', 'timeout', 'aborted', 'error']);
  });
});

describe('a hook that throws', () => {
  it('is logged at error level and does not break the wait', async () => {
    serveJob(server, [{ state: 'working' }, { state: 'done' }]);
    const { logger, records } = recordingLogger();
    let calls = 0;
    const client = createClient(jobs, {
      ...fast,
      logLevel: 'error',
      logger,
      hooks: {
        onPoll: () => {
          calls += 1;
          throw new Error(`bad hook with ${TOKEN}`);
        },
      },
    });
    await expect(client.wait('j-1')).resolves.toMatchObject({ state: 'succeeded' });
    expect(calls).toBe(2);
    expect(records).toEqual([
      {
        level: 'error',
        message: 'taskwait: a hook threw; the wait goes on',
        fields: { event: 'hook-error', hook: 'onPoll', error: { name: 'Error', message: 'bad hook with [REDACTED]' } },
      },
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ hook: 'onPoll' }) }),
    ]);
  });

  it('is reported when it returns a promise that rejects, and is not awaited', async () => {
    serveJob(server, [{ state: 'done' }]);
    const { logger, records } = recordingLogger();
    let resolveLate: (() => void) | undefined;
    const client = createClient(jobs, {
      ...fast,
      logLevel: 'error',
      logger,
      hooks: {
        // A hook typed to return nothing that returns a promise anyway (an async function).
        onSettled: (() => Promise.reject(new Error('async hook failed'))) as unknown as () => undefined,
        onPoll: (() => new Promise<void>((resolve) => (resolveLate = resolve))) as unknown as () => undefined,
      },
    });
    await expect(client.wait('j-1')).resolves.toMatchObject({ state: 'succeeded' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(records.map((r) => r.fields)).toEqual([
      { event: 'hook-error', hook: 'onSettled', error: { name: 'Error', message: 'async hook failed' } },
    ]);
    resolveLate?.();
  });

  it('with logging off, still does not break the wait', async () => {
    serveJob(server, [{ state: 'done' }]);
    const client = createClient(jobs, {
      ...fast,
      hooks: {
        onRequest: () => {
          throw new Error('x');
        },
        onSettled: () => {
          throw new Error('y');
        },
      },
    });
    await expect(client.wait('j-1')).resolves.toMatchObject({ state: 'succeeded' });
  });
});

describe('checking hooks', () => {
  it('refuses a hook that is not a function, on the client and on a wait', async () => {
    expect(() => createClient(jobs, { hooks: { onPoll: 'log' as never } })).toThrow(
      new ConfigError('hooks', 'hooks.onPoll must be a function'),
    );
    const client = createClient(jobs, fast);
    await expect(client.wait('j-1', { hooks: 42 as never })).rejects.toThrow(
      'hooks must be an object of hook functions (onRequest, onPoll, ...)',
    );
  });
});
