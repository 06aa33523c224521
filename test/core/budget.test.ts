import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createBudget, createClient, HttpError } from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { postman } from '../../src/vendors/postman/index.js';
import { acme } from '../helpers/acme.js';

/** A request the fake API saw: when, what, and the signal it came with. */
interface Call {
  at: number;
  path: string;
  signal: AbortSignal | null;
}

type Answer = Response | { after: number; response: Response };

/**
 * An injected `fetch` that records every request and answers with `answer(path, n)` (n counts the
 * requests to that path, from 1); `{ after, response }` answers after `after` ms of (fake) time.
 */
function fakeApi(answer: (path: string, n: number) => Answer) {
  const calls: Call[] = [];
  const counts = new Map<string, number>();
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const path = new URL(request.url).pathname;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    calls.push({ at: Date.now(), path, signal: request.signal });
    const result = answer(path, n);
    if (result instanceof Response) return Promise.resolve(result);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(result.response), result.after);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(request.signal.reason);
      });
    });
  };
  const at = (path: string) => calls.filter((c) => c.path === path).map((c) => c.at);
  return { fetch, calls, at };
}

const job = (state: string, headers?: Record<string, string>) =>
  Response.json({ id: 'j', state }, { headers: headers ?? {} });
const status = (code: number, headers: Record<string, string> = {}) =>
  new Response('{"error":"slow down"}', { status: code, headers: { 'content-type': 'application/json', ...headers } });
const exact = { jitter: 0, estimate: false };

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the request budget: a shared floor', () => {
  it("one wait's 429 delays the others: every request of the client waits out its Retry-After", async () => {
    const api = fakeApi((path, n) =>
      path === '/v2/jobs/a' && n === 1 ? status(429, { 'retry-after': '5' }) : job(n >= 3 ? 'done' : 'working'),
    );
    const client = createClient(acme, {
      token: 'test-token',
      fetch: api.fetch,
      retry: { retries: 0 },
      wait: { ...exact, minDelayMs: 1000 },
    });
    const a = client.wait('a');
    const b = client.wait('b');
    await vi.advanceTimersByTimeAsync(20_000);
    await expect(Promise.all([a, b])).resolves.toHaveLength(2);
    // b polled at 0 and wanted its next poll at 1000: the floor from a's 429 held it to 5000.
    expect(api.at('/v2/jobs/b')).toEqual([0, 5000, 7000]);
    expect(api.at('/v2/jobs/a')).toEqual([0, 5000, 7000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a budget (budget: false) each wait discovers the limit on its own', async () => {
    const api = fakeApi((path, n) =>
      path === '/v2/jobs/a' && n === 1 ? status(429, { 'retry-after': '5' }) : job(n >= 3 ? 'done' : 'working'),
    );
    const client = createClient(acme, {
      token: 'test-token',
      fetch: api.fetch,
      budget: false,
      retry: { retries: 0 },
      wait: { ...exact, minDelayMs: 1000 },
    });
    await Promise.all([client.wait('a'), client.wait('b'), vi.advanceTimersByTimeAsync(20_000)]);
    expect(api.at('/v2/jobs/b')).toEqual([0, 1000, 3000]);
  });

  it('holds back the retry within a request too, and counts each attempt', async () => {
    const api = fakeApi((_, n) => (n === 1 ? status(503, { 'retry-after': '2' }) : job('done')));
    const budget = createBudget();
    const client = createClient(acme, {
      token: 'test-token',
      fetch: api.fetch,
      budget,
      retry: { retries: 2, minDelayMs: 0, maxDelayMs: 0 },
    });
    const got = client.get('j');
    await vi.advanceTimersByTimeAsync(5000);
    await expect(got).resolves.toMatchObject({ state: 'succeeded' });
    expect(api.at('/v2/jobs/j')).toEqual([0, 2000]);
    expect(budget.stats).toMatchObject({ sent: 2, inFlight: 0, queued: 0, throttled: 1 });
  });

  it('a wait that asked for a shorter maxRetryAfterMs is held back no longer than that', async () => {
    const api = fakeApi((path, n) =>
      path === '/v2/jobs/a' && n === 1 ? status(429, { 'retry-after': '60' }) : job('done'),
    );
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, retry: { retries: 0 }, wait: exact });
    const a = client.wait('a', { maxRetryAfterMs: 3000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    const b = client.get('b', {});
    await vi.advanceTimersByTimeAsync(100_000);
    await expect(a).resolves.toMatchObject({ state: 'succeeded' });
    await expect(b).resolves.toMatchObject({ state: 'succeeded' });
    expect(api.at('/v2/jobs/a')).toEqual([0, 3000]);
    expect(api.at('/v2/jobs/b')).toEqual([60_000]);
  });
});

describe('the request budget: rate-limit headers', () => {
  it('waits for the reset when RateLimit-Remaining says nothing is left (Postman and X- forms)', async () => {
    for (const headers of [
      { 'ratelimit-remaining': '0', 'ratelimit-reset': '4' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(4) },
      // An epoch time in seconds, as Postman documents X-RateLimit-Reset.
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 4) },
      { ratelimit: 'limit=300, remaining=0, reset=4' },
      { ratelimit: '"default";r=0;t=4', 'ratelimit-policy': '"default";q=100;w=60' },
    ] as Record<string, string>[]) {
      vi.setSystemTime(1_000_000_000_000);
      const api = fakeApi(() => job('done', headers));
      const client = createClient(acme, { token: 'test-token', fetch: api.fetch });
      await client.get('first');
      const second = client.get('second');
      await vi.advanceTimersByTimeAsync(3999);
      expect(api.at('/v2/jobs/second')).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await second;
      expect(api.at('/v2/jobs/second')).toEqual([1_000_000_004_000]);
    }
  });

  it('spreads the last few requests of a window until it resets, and takes the tightest of several windows', async () => {
    const api = fakeApi(() => job('done', { ratelimit: '"burst";r=50;t=1, "minute";r=3;t=8' }));
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch });
    await client.get('a');
    const rest = [client.get('b'), client.get('c')];
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(rest);
    // 3 left in an 8 s window: one every 8 / (3 + 1) = 2 s.
    expect(api.calls.map((c) => c.at)).toEqual([0, 2000, 4000]);
  });

  it('assumes the next window follows when the server said its quota and length', async () => {
    // Only the first answer says where the window stands: 1 of 2 left, reset in 1 s, windows of 1 s.
    const api = fakeApi((path) =>
      path === '/v2/jobs/first'
        ? job('done', { ratelimit: 'limit=2, remaining=1, reset=1', 'ratelimit-policy': '2;w=1' })
        : job('done'),
    );
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch });
    await client.get('first');
    await Promise.all([...['b', 'c', 'd', 'e'].map((id) => client.get(id)), vi.advanceTimersByTimeAsync(5000)]);
    // One left until 1000, then two per second, each spread over what is left of its window.
    expect(api.calls.map((c) => c.at)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('does not cut the rate for a 429 whose headers say where the window stands', async () => {
    const api = fakeApi((_, n) =>
      n === 1
        ? status(429, { 'retry-after': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' })
        : job('done'),
    );
    const budget = createBudget();
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, budget, retry: { retries: 0 } });
    await expect(client.get('a')).rejects.toBeInstanceOf(HttpError);
    expect(budget.stats).toMatchObject({ throttled: 1, requestsPerSecond: Number.POSITIVE_INFINITY });
    expect(budget.stats.pausedUntil).toBe(1000);
  });

  it('ignores garbage in the headers', async () => {
    const api = fakeApi(() =>
      job('done', { 'ratelimit-remaining': 'lots', 'ratelimit-reset': '-3', ratelimit: 'r=;t=x' }),
    );
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch });
    await client.get('a');
    await client.get('b');
    expect(api.calls.map((c) => c.at)).toEqual([0, 0]);
  });
});

describe('the request budget: concurrency, rate and order', () => {
  it('keeps at most maxConcurrency requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const api = fakeApi(() => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      return { after: 100, response: job('done') };
    });
    const fetch: typeof globalThis.fetch = async (input, init) => {
      try {
        return await api.fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    const budget = createBudget({ maxConcurrency: 3 });
    const client = createClient(acme, { token: 'test-token', fetch, budget });
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => client.get(`j${i}`)));
    await vi.advanceTimersByTimeAsync(0);
    expect(budget.stats).toMatchObject({ inFlight: 3, queued: 7 });
    await vi.advanceTimersByTimeAsync(1000);
    await all;
    expect(most).toBe(3);
    expect(api.calls.map((c) => c.at)).toEqual([0, 0, 0, 100, 100, 100, 200, 200, 200, 300]);
  });

  it('paces to rateLimit: a burst, then one request per 1/requestsPerSecond', async () => {
    const api = fakeApi(() => job('done'));
    const client = createClient(acme, {
      token: 'test-token',
      fetch: api.fetch,
      rateLimit: { requestsPerSecond: 4, burst: 2 },
    });
    await Promise.all([...Array.from({ length: 5 }, (_, i) => client.get(`j${i}`)), vi.advanceTimersByTimeAsync(2000)]);
    expect(api.calls.map((c) => c.at)).toEqual([0, 0, 250, 500, 750]);
  });

  it("starts from the vendor's documented limit: Postman's 300 requests per minute", async () => {
    const api = fakeApi(() => Response.json({ id: 't', status: 'successful' }));
    const client = createClient(postman, { token: 'PMAK-test-0000', fetch: api.fetch });
    const refs = Array.from({ length: 7 }, (_, i) => ({ kind: 'collection-update' as const, taskId: `t${i}` }));
    await Promise.all([...refs.map((ref) => client.get(ref)), vi.advanceTimersByTimeAsync(2000)]);
    // A burst of one second's worth (5), then one every 200 ms.
    expect(api.calls.map((c) => c.at)).toEqual([0, 0, 0, 0, 0, 200, 400]);
  });

  it("keeps the vendor's limit to its own base URL: a sandbox or a fake server has its own", async () => {
    const api = fakeApi(() => Response.json({ id: 't', status: 'successful' }));
    const client = createClient(postman, {
      token: 'PMAK-test-0000',
      fetch: api.fetch,
      baseUrl: 'https://sandbox.test',
    });
    const refs = Array.from({ length: 7 }, (_, i) => ({ kind: 'collection-update' as const, taskId: `t${i}` }));
    await Promise.all(refs.map((ref) => client.get(ref)));
    expect(api.calls.map((c) => c.at)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('turns the vendor default off with rateLimit: false', async () => {
    const api = fakeApi(() => Response.json({ id: 't', status: 'successful' }));
    const client = createClient(postman, { token: 'PMAK-test-0000', fetch: api.fetch, rateLimit: false });
    const refs = Array.from({ length: 7 }, (_, i) => ({ kind: 'collection-update' as const, taskId: `t${i}` }));
    await Promise.all(refs.map((ref) => client.get(ref)));
    expect(api.calls.map((c) => c.at)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('after a throttle, cuts the rate of every request and then recovers it (adaptive)', async () => {
    let throttle = true;
    const api = fakeApi(() => (throttle ? status(429, { 'retry-after': '1' }) : job('done')));
    const budget = createBudget();
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, budget, retry: { retries: 0 } });
    expect(budget.stats.requestsPerSecond).toBe(Number.POSITIVE_INFINITY);
    // 20 requests in the first second, the last of which is throttled.
    for (let i = 0; i < 19; i++) {
      throttle = false;
      await client.get(`j${i}`);
      await vi.advanceTimersByTimeAsync(50);
    }
    throttle = true;
    await expect(client.get('throttled')).rejects.toBeInstanceOf(HttpError);
    const cut = budget.stats.requestsPerSecond;
    expect(cut).toBeGreaterThanOrEqual(0.5);
    expect(cut).toBeLessThan(20);
    expect(budget.stats.pausedUntil).toBe(Date.now() + 1000);
    throttle = false;
    // Requests keep going at the cut rate while it climbs back (a cubic curve, as AWS's adaptive mode).
    const rates: number[] = [];
    const start = Date.now();
    for (let i = 0; i < 40; i++) {
      await drive(client.get(`k${i}`));
      await vi.advanceTimersByTimeAsync(400);
      rates.push(budget.stats.requestsPerSecond);
    }
    // The first request after the cut waited out the 1 s floor.
    expect(api.at('/v2/jobs/k0')).toEqual([start + 1000]);
    expect(rates[0]).toBeLessThan(20);
    expect(rates.at(-1)).toBe(Number.POSITIVE_INFINITY);
    // Climbing: each rate at least the one before, until it is unlimited again.
    expect(rates.every((rate, i) => i === 0 || rate >= (rates[i - 1] as number))).toBe(true);
    expect(budget.stats.throttled).toBe(1);
  });

  it('serves the poll of a wait already late before one due a moment earlier', async () => {
    // One request at a time. "blocker" requests hold the slot; x and y are waits polled every 1 s.
    const api = fakeApi((path) => {
      if (path === '/v2/jobs/blocker1') return { after: 500, response: job('done') };
      if (path === '/v2/jobs/blocker2') return { after: 900, response: job('done') };
      return job('working');
    });
    const client = createClient(acme, {
      token: 'test-token',
      fetch: api.fetch,
      maxConcurrency: 1,
      wait: { ...exact, minDelayMs: 1000, maxDelayMs: 1000 },
    });
    const stop = new AbortController();
    void client.get('blocker1');
    // x's first poll waits 500 ms behind blocker1: x runs late from then on; its next poll is due at 1500.
    void client.wait('x', { signal: stop.signal }).catch(() => {});
    await vi.advanceTimersByTimeAsync(1100);
    void client.get('blocker2');
    await vi.advanceTimersByTimeAsync(399);
    // y starts at 1499: its first poll is due 1 ms before x's, and both queue behind blocker2.
    void client.wait('y', { signal: stop.signal }).catch(() => {});
    await vi.advanceTimersByTimeAsync(700);
    const order = api.calls.filter((c) => c.at >= 1100).map((c) => `${c.path.slice(9)}@${c.at}`);
    expect(order.slice(0, 3)).toEqual(['blocker2@1100', 'x@2000', 'y@2000']);
    stop.abort();
    await vi.advanceTimersByTimeAsync(0);
  });

  it('lets due polls go before a page of a list: pages never starve polls', async () => {
    const api = fakeApi((path) => {
      if (path === '/v1/tasks/blocker') return { after: 1000, response: Response.json(mixpeekTask('blocker')) };
      if (path === '/v1/tasks/list') return Response.json({ results: [mixpeekTask('listed')], pagination: {} });
      return Response.json(mixpeekTask(path.slice(10), 'COMPLETED'));
    });
    const client = createClient(mixpeek, { token: 'sk_test_0000', fetch: api.fetch, maxConcurrency: 1 });
    void client.get('blocker');
    const page = client.tasks().toArray({ limit: 10 });
    await vi.advanceTimersByTimeAsync(500);
    const wait = client.wait('w');
    await vi.advanceTimersByTimeAsync(1000);
    await expect(page).resolves.toHaveLength(1);
    await expect(wait).resolves.toMatchObject({ state: 'succeeded' });
    expect(api.calls.map((c) => c.path)).toEqual(['/v1/tasks/blocker', '/v1/tasks/w', '/v1/tasks/list']);
  });

  it('stops waiting in the queue when the signal aborts, and leaves no timer', async () => {
    const api = fakeApi(() => ({ after: 10_000, response: job('done') }));
    const budget = createBudget({ maxConcurrency: 1 });
    const client = createClient(acme, { token: 'test-token', fetch: api.fetch, budget });
    const first = client.get('a');
    const stop = new AbortController();
    const queued = client.get('b', { signal: stop.signal });
    await vi.advanceTimersByTimeAsync(10);
    expect(budget.stats.queued).toBe(1);
    stop.abort(new Error('no longer needed'));
    await expect(queued).rejects.toThrow('no longer needed');
    expect(budget.stats.queued).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    await first;
    expect(api.calls.map((c) => c.path)).toEqual(['/v2/jobs/a']);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('sharing a budget', () => {
  it('clients share a budget only when given the same one', async () => {
    const api = fakeApi(() => ({ after: 100, response: job('done') }));
    const shared = createBudget({ maxConcurrency: 1 });
    const a = createClient(acme, { token: 'same-token', fetch: api.fetch, budget: shared });
    const b = createClient(acme, { token: 'same-token', fetch: api.fetch, budget: shared });
    await Promise.all([a.get('1'), b.get('2'), vi.advanceTimersByTimeAsync(1000)]);
    expect(api.calls.map((c) => c.at)).toEqual([0, 100]);

    api.calls.length = 0;
    const c = createClient(acme, { token: 'same-token', fetch: api.fetch, maxConcurrency: 1 });
    const d = createClient(acme, { token: 'same-token', fetch: api.fetch, maxConcurrency: 1 });
    await Promise.all([c.get('3'), d.get('4'), vi.advanceTimersByTimeAsync(1000)]);
    expect(api.calls.map((c) => c.at)).toEqual([1000, 1000]);
  });
});

describe('budget options: bad input is a ConfigError naming the option', () => {
  it.each([
    [
      { rateLimit: { requestsPerSecond: 0 } },
      'rateLimit',
      /requestsPerSecond must be a finite number above 0 .*, got 0$/,
    ],
    [{ rateLimit: { requestsPerSecond: -5 } }, 'rateLimit', /got -5/],
    [{ rateLimit: 0 }, 'rateLimit', /requestsPerSecond must be/],
    [{ rateLimit: { requestsPerSecond: 5, burst: 0 } }, 'rateLimit', /burst must be a finite number of at least 1/],
    [{ maxConcurrency: 0 }, 'maxConcurrency', /at least 1/],
    [{ maxConcurrency: 2.5 }, 'maxConcurrency', /whole number/],
    [{ budget: {} }, 'budget', /made by createBudget/],
    [{ budget: createBudget(), maxConcurrency: 2 }, 'budget', /give maxConcurrency and rateLimit to createBudget/],
    [{ budget: false, rateLimit: { requestsPerSecond: 1 } }, 'budget', /budget: false/],
    [{ batch: { windowMs: -1 } }, 'batch.windowMs', /from 0 to 60000, got -1/],
  ])('%j', (options, field, message) => {
    const make = () => createClient(acme, options as never);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
    try {
      make();
    } catch (error) {
      expect((error as ConfigError).field).toBe(field);
    }
  });

  it('createBudget checks its options the same way', () => {
    expect(() => createBudget({ rateLimit: { requestsPerSecond: Number.NaN } })).toThrow(
      /rateLimit.requestsPerSecond must be a finite number above 0 .*, got NaN$/,
    );
    expect(() => createBudget({ maxConcurrency: -1 })).toThrow(ConfigError);
  });
});

/** Advances fake time in steps until `promise` settles. */
async function drive<T>(promise: Promise<T>, stepMs = 100, steps = 1000): Promise<T> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < steps && !settled; i++) await vi.advanceTimersByTimeAsync(stepMs);
  return promise;
}

function mixpeekTask(id: string, status = 'PROCESSING') {
  return { task_id: id, task_type: 'api_buckets_batches_process', status };
}
