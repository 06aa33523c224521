import { describe, expect, it } from 'vitest';
import {
  createClient,
  HttpError,
  NetworkError,
  ResponseValidationError,
  type WaitOptions,
  WaitTimeoutError,
} from '../../src/index.js';
import { type FaultRule, fakeTask, mixpeekFake, postmanFake, taskwaitHandlers } from '../../src/testing/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { postman } from '../../src/vendors/postman/index.js';
import { acme } from '../helpers/acme.js';
import { acmeFake } from '../helpers/acme-fake.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const FAST = { minDelayMs: 1, maxDelayMs: 5, jitter: 0, maxRetryAfterMs: 5 };
const client = (extra: { timeoutMs?: number; retries?: number } = {}) =>
  createClient(acme, {
    token: 'acme-secret-token',
    wait: FAST,
    retry: { minDelayMs: 1, maxDelayMs: 2, ...(extra.retries === undefined ? {} : { retries: extra.retries }) },
    ...(extra.timeoutMs === undefined ? {} : { requestTimeoutMs: extra.timeoutMs }),
  });

function serve(faults: FaultRule[], options: { seed?: number } = {}) {
  const task = fakeTask(acmeFake, { queuedPolls: 1, progress: [0.5], faults, ...options });
  server.use(...taskwaitHandlers(task));
  return task;
}

describe('transient faults a wait survives', () => {
  const cases: { name: string; faults: FaultRule[]; expected: (number | 'dropped')[] }[] = [
    { name: 'a 503 with the vendor body', faults: [{ on: 2, status: 503 }], expected: [200, 503, 200, 200] },
    {
      name: 'a 500, a 502 and a 504 in a row',
      faults: [{ on: [1, 2, 3], status: 502 }],
      expected: [502, 502, 502, 200, 200, 200],
    },
    { name: 'a 429 with the vendor retry header', faults: [{ on: 2, rateLimit: 1 }], expected: [200, 429, 200, 200] },
    { name: 'a dropped connection', faults: [{ on: 2, drop: true }], expected: [200, 'dropped', 200, 200] },
    { name: 'a truncated JSON body', faults: [{ on: 2, body: 'truncated' }], expected: [200, 200, 200, 200] },
    { name: 'an HTML page with 200', faults: [{ on: 2, body: 'html' }], expected: [200, 200, 200, 200] },
    { name: 'a slow answer', faults: [{ on: 2, latencyMs: 20 }], expected: [200, 200, 200] },
  ];

  it.each(cases)('$name', async ({ faults, expected }) => {
    const task = serve(faults);
    const end = await client().wait(task.ref);
    expect(end.state).toBe('succeeded');
    expect(task.requests.map((r) => r.status)).toEqual(expected);
    expect(task.polls).toBe(3);
  });

  it('an answer slower than the request timeout: the request times out and is retried', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const task = serve([{ on: 2, latencyMs: 10_000 }]);
    const seen: string[] = [];
    const end = await client({ timeoutMs: 30 }).wait(task.ref, { onProgress: (s) => seen.push(s.state) });
    expect(end.state).toBe('succeeded');
    expect(task.requests.map((r) => r.fault)).toEqual([undefined, 'latency', undefined]);
    // The server did answer `running` (late, to nobody): the client saw the poll before and after.
    expect(seen).toEqual(['queued', 'succeeded']);
    // The held-back answer ended with the request: its timer is gone.
    for (let i = 0; i < 50 && timers() > before; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('faults at a seeded rate, the same on every run with the same seed', async () => {
    const faults: FaultRule[] = [
      { rate: 0.2, status: 503 },
      { rate: 0.2, drop: true },
      { rate: 0.2, body: 'html' },
    ];
    const pattern = (seed: number) => {
      const task = fakeTask(acmeFake, { faults, seed });
      for (let i = 0; i < 40; i++)
        task.respond({ method: 'GET', url: `https://api.acme.test/v2/jobs/${task.id}`, headers: {} });
      return task.requests.map((r) => r.fault ?? '-').join(',');
    };
    expect(pattern(7)).toBe(pattern(7));
    expect(pattern(7)).not.toBe(pattern(8));
    expect(pattern(7)).toMatch(/status/);

    const task = serve(faults, { seed: 7 });
    const end = await client({ retries: 10 }).wait(task.ref);
    expect(end.state).toBe('succeeded');
    expect(task.requests.length).toBeGreaterThan(3);
  });
});

describe('the answers faults carry', () => {
  it('a 429 carries the vendor retry header, which the client reads', async () => {
    const task = serve([{ on: 1, rateLimit: 2 }]);
    const error = await client({ retries: 0 })
      .get(task.ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 2000 });
    expect((error as HttpError).bodyExcerpt).toContain('Too many requests');
  });

  it('a 429 can carry the standard Retry-After instead, or both', () => {
    const task = fakeTask(acmeFake, {
      faults: [
        { on: 1, rateLimit: 3, retryHeaders: 'standard' },
        { on: 2, rateLimit: 3, retryHeaders: 'both' },
        { on: 3, rateLimit: 3 },
      ],
    });
    const headers = [1, 2, 3].map(
      () => task.respond({ method: 'GET', url: `https://api.acme.test/v2/jobs/${task.id}`, headers: {} }).headers,
    );
    expect(headers[0]).toMatchObject({ 'retry-after': '3' });
    expect(headers[0]).not.toHaveProperty('x-acme-retry-in');
    expect(headers[1]).toMatchObject({ 'retry-after': '3', 'x-acme-retry-in': '3' });
    expect(headers[2]).toMatchObject({ 'x-acme-retry-in': '3' });
    expect(headers[2]).not.toHaveProperty('retry-after');
  });

  it("Postman's 429 carries Postman's own headers", async () => {
    const task = fakeTask(postmanFake, { faults: [{ on: 1, rateLimit: 4 }] });
    server.use(...taskwaitHandlers(task));
    const error = await createClient(postman, { token: 'PMAK-0123456789abcdef', retry: { retries: 0 } })
      .get(task.ref)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HttpError', status: 429, retryAfterMs: 4000 });
  });

  it('an error status carries the vendor own error body', async () => {
    const task = fakeTask(mixpeekFake, { faults: [{ on: 1, status: 422, message: 'bad filter' }] });
    server.use(...taskwaitHandlers(task));
    const error = await createClient(mixpeek, { token: 'sk_test_0123456789' })
      .get(task.ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(JSON.parse((error as HttpError).bodyExcerpt)).toEqual({
      success: false,
      status: 422,
      error: { message: 'bad filter', type: 'validation_error' },
    });
  });

  it('a truncated body and an HTML page are told apart from a schema change', async () => {
    const task = serve([
      { on: 1, body: 'truncated' },
      { on: 2, body: 'html' },
    ]);
    const get = () =>
      client({ retries: 0 })
        .get(task.ref)
        .catch((e: unknown) => e);
    const truncated = await get();
    const html = await get();
    expect(truncated).toBeInstanceOf(ResponseValidationError);
    expect(truncated).toMatchObject({ reason: 'not-json', transient: true });
    expect(html).toMatchObject({ reason: 'not-json', transient: true });
    expect((html as Error).message).toContain('text/html');
  });

  it('a dropped connection is a network error', async () => {
    const task = serve([{ on: 1, drop: true }]);
    const error = await client({ retries: 0 })
      .get(task.ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ timedOut: false, transient: true });
  });
});

describe('faults a wait does not survive', () => {
  it('a 401 fails fast with an HttpError, without retrying', async () => {
    const task = serve([{ on: 1, status: 401 }]);
    const error = await client()
      .wait(task.ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 401 });
    expect(task.requests).toHaveLength(1);
  });

  it('a wrong token gets the vendor 401 from a task that checks it', async () => {
    const task = fakeTask(acmeFake, { token: 'the-right-token' });
    server.use(...taskwaitHandlers(task));
    const error = await client()
      .wait(task.ref)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HttpError', status: 401 });
    expect(task.requests.map((r) => r.fault)).toEqual(['unauthorized']);
    expect(task.polls).toBe(0);
  });

  it('a 403 and a 404 fail fast too', async () => {
    for (const status of [403, 404]) {
      const task = serve([{ on: 1, status }]);
      await expect(client().wait(task.ref)).rejects.toMatchObject({ name: 'HttpError', status });
      expect(task.requests).toHaveLength(1);
    }
  });

  it('a 503 that never ends runs the wait out of time, the last fault as its cause', async () => {
    const task = serve([{ rate: 1, status: 503 }]);
    const options: WaitOptions = { timeoutMs: 50 };
    const error = await client({ retries: 0 })
      .wait(task.ref, options)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).cause).toMatchObject({ name: 'HttpError', status: 503 });
    expect(task.polls).toBe(0);
  });
});
