import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, type TaskSnapshot } from '../../src/index.js';
import { type FakeTask, fakeTask, taskwaitHandlers } from '../../src/testing/index.js';
import { acme } from '../helpers/acme.js';
import { acmeFake } from '../helpers/acme-fake.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const URL_OF = (id: string) => `https://api.acme.test/v2/jobs/${id}`;
const FAST = { minDelayMs: 1, maxDelayMs: 5, jitter: 0 };
const client = () =>
  createClient(acme, { token: 'acme-secret-token', wait: FAST, retry: { minDelayMs: 1, maxDelayMs: 2 } });

/** Polls `task` directly, `count` times, `stepMs` apart on a manual clock. */
function poll(task: FakeTask, count: number, clock?: { now: number; stepMs: number }) {
  return Array.from({ length: count }, () => {
    const answer = task.respond({ method: 'GET', url: URL_OF(task.id), headers: {} });
    if (clock) clock.now += clock.stepMs;
    return answer.status === 200 ? (JSON.parse(answer.body) as { state: string; percent?: number }) : answer.status;
  });
}

async function watchAll(ref: string): Promise<TaskSnapshot[]> {
  const seen: TaskSnapshot[] = [];
  for await (const snapshot of client().watch(ref)) seen.push(snapshot);
  return seen;
}

describe('a fake task life', () => {
  it('is queued, then runs through its progress steps, then ends as told', async () => {
    const task = fakeTask(acmeFake, { queuedPolls: 2, progress: [0.3, 0.6], outcome: 'partial' });
    server.use(...taskwaitHandlers(task));
    const seen = await watchAll(task.ref);
    expect(seen.map((s) => [s.state, s.progress])).toEqual([
      ['queued', undefined],
      ['queued', undefined],
      ['running', 0.3],
      ['running', 0.6],
      ['partial', 1],
    ]);
    expect(task.polls).toBe(5);
    expect(task.state).toBe('partial');
    expect(seen.at(-1)?.error?.message).toBe('1 of 10 items failed');
  });

  it('defaults to one queued poll, one running poll at 50 % and success', async () => {
    const task = fakeTask(acmeFake);
    server.use(...taskwaitHandlers(task));
    const seen = await watchAll(task.ref);
    expect(seen.map((s) => s.state)).toEqual(['queued', 'running', 'succeeded']);
    expect(seen[1]?.progress).toBe(0.5);
  });

  it('stays queued for queuedMs, then rises evenly over runningMs, by its clock', () => {
    const clock = { now: 1_000_000, stepMs: 100 };
    const task = fakeTask(acmeFake, { queuedMs: 250, runningMs: 400, clock: () => clock.now });
    const states = poll(task, 10, clock).map((b) => (typeof b === 'number' ? b : `${b.state}:${b.percent ?? '-'}`));
    expect(states).toEqual([
      'waiting:-',
      'waiting:-',
      'waiting:-',
      'working:13', // 300 ms: the running phase began at 250 ms, on the clock
      'working:38',
      'working:63',
      'working:88',
      'done:100', // 700 ms: it ended at 650 ms, 400 ms of running after 250 ms queued
      'done:100',
      'done:100',
    ]);
  });

  it('ends on its clock however seldom it is polled, and says when once only time moves it', () => {
    const clock = { now: 1_000_000, stepMs: 0 };
    const task = fakeTask(acmeFake, { queuedPolls: 1, runningMs: 400, clock: () => clock.now });
    // Before any request nothing runs; the queued phase counts one poll, so the end waits on it.
    expect(task.endsAt).toBe(undefined);
    expect(poll(task, 1, clock).map((b) => (typeof b === 'number' ? b : b.state))).toEqual(['waiting']);
    expect(task.endsAt).toBe(undefined);
    clock.now += 100;
    expect(poll(task, 1, clock).map((b) => (typeof b === 'number' ? b : b.state))).toEqual(['working']);
    // From the poll that started it, 400 ms of running: nothing but time moves it now.
    expect(task.endsAt).toBe(1_000_500);
    clock.now += 5000;
    // A peek reports without counting a poll.
    expect(task.peek()).toMatchObject({ view: { state: 'succeeded', completedAt: new Date(1_000_500) } });
    expect(task.polls).toBe(2);
    expect(poll(task, 1, clock).map((b) => (typeof b === 'number' ? b : b.state))).toEqual(['done']);
    expect(task.endsAt).toBe(1_000_500);
    expect(task.requests).toHaveLength(3);
  });

  it('follows explicit phases, keeping the last progress through a blocked stretch', () => {
    const task = fakeTask(acmeFake, {
      phases: [
        { state: 'running', progress: [0.2] },
        { state: 'blocked', polls: 2 },
        { state: 'running', progress: 0.9 },
      ],
      outcome: 'failed',
      error: 'disk full',
    });
    expect(poll(task, 5)).toEqual([
      expect.objectContaining({ state: 'working', percent: 20 }),
      expect.objectContaining({ state: 'waiting', percent: 20 }),
      expect.objectContaining({ state: 'waiting', percent: 20 }),
      expect.objectContaining({ state: 'working', percent: 90 }),
      expect.objectContaining({ state: 'broken', percent: 90, failure: 'disk full' }),
    ]);
  });

  it('reports an eta relative to its first poll until it ends', () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const seen: (Date | undefined)[] = [];
    const fake = {
      ...acmeFake,
      kinds: { job: { ...acmeFake.kinds.job, render: (view: { eta?: Date }) => seen.push(view.eta) } },
    };
    const task = fakeTask(fake, { etaMs: 60_000, clock: () => now });
    seen.length = 0; // fakeTask renders each state once up front, to check the fake can
    for (let i = 0; i < 3; i++) {
      task.respond({ method: 'GET', url: URL_OF(task.id), headers: {} });
      now += 1000;
    }
    expect(seen.map((d) => d?.toISOString())).toEqual([
      '2025-01-01T00:01:00.000Z',
      '2025-01-01T00:01:00.000Z',
      undefined,
    ]);
  });

  it('does not advance its life on requests that got a fault', () => {
    const task = fakeTask(acmeFake, { queuedPolls: 1, progress: [0.5], faults: [{ on: [1, 3], status: 503 }] });
    expect(poll(task, 5).map((b) => (typeof b === 'number' ? b : b.state))).toEqual([
      503,
      'waiting',
      503,
      'working',
      'done',
    ]);
    expect(task.polls).toBe(3);
    expect(task.requests.map((r) => r.fault)).toEqual(['status', undefined, 'status', undefined, undefined]);
  });

  it('lets a payload hook reshape the body, with the query of the request', () => {
    const task = fakeTask(acmeFake, {
      payload: (body, view, url) => ({ ...(body as object), poll: view.poll, page: url.searchParams.get('page') }),
    });
    const answer = task.respond({ method: 'GET', url: `${URL_OF(task.id)}?page=2`, headers: {} });
    expect(JSON.parse(answer.body)).toMatchObject({ id: task.id, state: 'waiting', poll: 1, page: '2' });
  });

  it('gives each task a fresh id, or the one asked for', () => {
    const a = fakeTask(acmeFake);
    const b = fakeTask(acmeFake);
    expect(a.id).not.toBe(b.id);
    expect(fakeTask(acmeFake, { id: 'job-42' }).ref).toBe('job-42');
  });

  it('refuses a script it cannot play, naming the option', () => {
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const limited = { ...acmeFake, outcomes: ['succeeded', 'failed'] as const };
    expect(error(() => fakeTask(limited, { outcome: 'canceled' }))).toMatchObject({ field: 'outcome' });
    expect(error(() => fakeTask(acmeFake, { outcome: 'running' }))).toBeInstanceOf(ConfigError);
    expect(error(() => fakeTask(acmeFake, { progress: [1.5] }))).toMatchObject({ field: 'progress' });
    expect(error(() => fakeTask(acmeFake, { phases: [{ state: 'queued' }], queuedPolls: 1 }))).toMatchObject({
      field: 'phases',
    });
    expect(error(() => fakeTask(acmeFake, { faults: [{ on: 1 }] }))).toMatchObject({ field: 'faults' });
    expect(error(() => fakeTask(acmeFake, { faults: [{ on: 1, rate: 0.5, drop: true }] }))).toMatchObject({
      field: 'faults',
    });
    expect(error(() => fakeTask(acmeFake, { faults: [{ on: 1, status: 503, drop: true }] }))).toMatchObject({
      field: 'faults',
    });
    expect(error(() => fakeTask(acmeFake, { faults: [{ on: 1, status: 200 }] }))).toMatchObject({ field: 'faults' });
    expect(error(() => fakeTask(acmeFake, { id: 'a/b' }))).toMatchObject({ field: 'id' });
  });
});

describe('what a fake task records', () => {
  it('records every request with its time, path and headers, credentials redacted', async () => {
    const task = fakeTask(acmeFake, { faults: [{ on: 2, status: 502 }] });
    server.use(...taskwaitHandlers(task));
    const before = Date.now();
    await createClient(acme, {
      token: 'acme-secret-token',
      headers: { 'X-Api-Key': 'another-secret', 'X-Request-Source': 'tests' },
      wait: FAST,
      retry: { minDelayMs: 1, maxDelayMs: 2 },
    }).wait(task.ref);
    expect(task.requests).toHaveLength(4);
    expect(task.requests.map((r) => r.status)).toEqual([200, 502, 200, 200]);
    for (const request of task.requests) {
      expect(request).toMatchObject({ method: 'GET', path: `/v2/jobs/${task.id}` });
      expect(request.headers).toMatchObject({
        authorization: 'Bearer [REDACTED]',
        'x-api-key': '[REDACTED]',
        'x-request-source': 'tests',
      });
      expect(request.at).toBeGreaterThanOrEqual(before);
    }
    expect(task.requests.map((r) => r.at)).toEqual([...task.requests.map((r) => r.at)].sort((a, b) => a - b));
    const text = JSON.stringify(task.requests);
    expect(text).not.toContain('acme-secret-token');
    expect(text).not.toContain('another-secret');
  });

  it('redacts credential-like query values in the recorded path', () => {
    const task = fakeTask(acmeFake);
    task.respond({ method: 'GET', url: `${URL_OF(task.id)}?api_key=hunter2hunter2&page=1`, headers: {} });
    expect(task.requests[0]?.path).toBe(`/v2/jobs/${task.id}?api_key=[REDACTED]&page=1`);
  });

  it('answers 401 in the vendor words unless a header carries its token', async () => {
    const task = fakeTask(acmeFake, { token: 'right-token' });
    const answer = task.respond({ method: 'GET', url: URL_OF(task.id), headers: { authorization: 'Bearer wrong' } });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: { status: 401, message: 'Invalid or missing credentials' } });
    const ok = task.respond({ method: 'GET', url: URL_OF(task.id), headers: { authorization: 'Bearer right-token' } });
    expect(ok.status).toBe(200);
    expect(task.polls).toBe(1);
  });
});
