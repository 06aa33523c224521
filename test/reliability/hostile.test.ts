// Hostile and unlucky servers and callbacks, through the public API: every await on the network or
// on user code ends (by the request timeout, the wait's timeout or the caller's signal), whatever
// the reason of an abort is, and no socket outlives a request that gave up.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createClient,
  encodeState,
  initialState,
  NetworkError,
  type WaitState,
  WaitTimeoutError,
} from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { runGcCheck } from '../helpers/gc.js';
import { answer, type Behaviour, type HostileServer, stallHeaders, startHostile, trickle } from '../helpers/hostile.js';

const TOKEN = 'sk_test_H0stile5erverToken01';
const NOWHERE = 'http://127.0.0.1:9';
const task = (status: string, extra: Record<string, unknown> = {}) => ({
  task_id: 'task_1',
  task_type: 'api_buckets_batches_process',
  status,
  ...extra,
});

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(behave: Behaviour): Promise<HostileServer> {
  const server = await startHostile(behave);
  servers.push(server);
  return server;
}

type Options = Parameters<typeof createClient>[1];

function client(options: Options & { baseUrl: string }) {
  return createClient(mixpeek, {
    token: TOKEN,
    retry: { retries: 0 },
    wait: { minDelayMs: 1, maxDelayMs: 5, jitter: 0 },
    ...options,
  });
}

/** Resolves once `check` holds, polling every 10 ms for at most 2 s; rejects otherwise. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

const STOP = new Error('the caller gave up');

/** Each await that must be bounded, and how to set it up: a base URL and client options. */
const AWAITS: {
  name: string;
  setup: () => Promise<Options & { baseUrl: string }>;
  /** What get() with a short request timeout rejects with. */
  timedOut: (error: unknown) => void;
  /** Whether a socket was opened (and must be closed again). */
  server?: () => HostileServer | undefined;
}[] = (() => {
  let current: HostileServer | undefined;
  const network = (error: unknown) => {
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ timedOut: true, method: 'GET' });
  };
  return [
    {
      name: 'the response headers (a server that never answers)',
      setup: async () => {
        current = await serve(stallHeaders);
        return { baseUrl: current.url };
      },
      timedOut: network,
      server: () => current,
    },
    {
      name: 'the response body (a server that trickles one byte per 100 ms forever)',
      setup: async () => {
        current = await serve(trickle(100));
        return { baseUrl: current.url };
      },
      timedOut: network,
      server: () => current,
    },
    {
      name: 'a token function that never settles',
      setup: async () => ({ baseUrl: NOWHERE, token: () => new Promise<string>(() => {}) }),
      timedOut: (error) => {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).field).toBe('token');
        expect((error as ConfigError).message).toBe(
          'mixpeek: the `token` function did not settle within the request timeout (300 ms)',
        );
      },
    },
    {
      name: 'a custom fetch that never settles',
      setup: async () => ({ baseUrl: NOWHERE, fetch: () => new Promise<Response>(() => {}) }),
      timedOut: network,
    },
  ];
})();

describe('every await on the network or on user code is bounded', () => {
  describe.each(AWAITS)('$name', ({ setup, timedOut, server }) => {
    it('get() ends at the request timeout, and leaves no socket open', async () => {
      const c = client({ ...(await setup()), requestTimeoutMs: 300 });
      const error = await c.get('task_1').catch((e: unknown) => e);
      timedOut(error);
      const s = server?.();
      if (s) {
        // (On a very busy machine the request may not have reached the server in time.)
        expect(s.requests.length).toBeLessThanOrEqual(1);
        await eventually(() => s.openSockets === 0);
      }
    });

    it('wait() ends at its own timeout, however long the request timeout', async () => {
      const c = client({ ...(await setup()), requestTimeoutMs: 600_000 });
      const error = await c.wait('task_1', { timeoutMs: 150 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect(error).toMatchObject({ polls: 0, snapshot: undefined });
    });

    it('wait({ signal }) ends with the reason of the abort', async () => {
      const c = client({ ...(await setup()), requestTimeoutMs: 600_000 });
      const control = new AbortController();
      setTimeout(() => control.abort(STOP), 50);
      await expect(c.wait('task_1', { signal: control.signal })).rejects.toBe(STOP);
    });
  });

  describe("a resumed wait's first sleep (the Retry-After its token still owes)", () => {
    // A token that says the server asked for a day's pause: another machine's clock, or edited.
    const owing = (): WaitState => {
      const state = initialState('mixpeek', 'task_1', Date.now());
      return { ...state, polls: 1, attempt: 1, notBefore: Date.now() + 86_400_000 };
    };

    it('lasts at most the wait’s maxRetryAfterMs', async () => {
      const server = await serve(answer(200, task('COMPLETED')));
      const c = client({ baseUrl: server.url });
      const done = await c.wait('task_1', { resumeFrom: encodeState(owing()), maxRetryAfterMs: 20 });
      expect(done.state).toBe('succeeded');
      expect(server.requests).toHaveLength(1);
    });

    it('ends at the wait’s timeout', async () => {
      const server = await serve(answer(200, task('COMPLETED')));
      const error = await client({ baseUrl: server.url })
        .wait('task_1', { resumeFrom: owing(), timeoutMs: 60, maxRetryAfterMs: 3_600_000 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect(server.requests).toEqual([]);
    });

    it('ends with the reason of an abort', async () => {
      const server = await serve(answer(200, task('COMPLETED')));
      const control = new AbortController();
      setTimeout(() => control.abort(STOP), 30);
      await expect(
        client({ baseUrl: server.url }).wait('task_1', {
          resumeFrom: owing(),
          signal: control.signal,
          maxRetryAfterMs: 3_600_000,
          timeoutMs: Number.POSITIVE_INFINITY,
        }),
      ).rejects.toBe(STOP);
      expect(server.requests).toEqual([]);
    });
  });

  it('the Retry-After pause inside one request ends with the reason of an abort', async () => {
    const server = await serve(answer(429, { error: 'slow down' }, { 'retry-after': '3600' }));
    const c = client({ baseUrl: server.url, retry: { retries: 2 }, wait: { maxRetryAfterMs: 3_600_000 } });
    const control = new AbortController();
    const pending = c.get('task_1', { signal: control.signal });
    // Aborted once the 429 has come (a busy machine may take longer than any fixed delay to send it).
    await eventually(() => server.requests.length === 1);
    setTimeout(() => control.abort(STOP), 50);
    await expect(pending).rejects.toBe(STOP);
    expect(server.requests).toHaveLength(1);
  });

  it('a page of a list walk ends at the request timeout, or with the reason of an abort', async () => {
    const server = await serve(trickle(100));
    const c = client({ baseUrl: server.url, requestTimeoutMs: 100 });
    const error = await c
      .tasks()
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ timedOut: true, method: 'POST' });

    const patient = client({ baseUrl: server.url, requestTimeoutMs: 600_000 });
    const control = new AbortController();
    setTimeout(() => control.abort(STOP), 50);
    await expect(patient.tasks({}, { signal: control.signal }).toArray({ limit: 10 })).rejects.toBe(STOP);
    await eventually(() => server.openSockets === 0);
  });
});

describe('an abort rejects with its reason, whatever the reason is', () => {
  const reasons: [string, unknown][] = [
    ['a Symbol', Symbol('stop')],
    ['a string', 'stop'],
    ['a number', 42],
    ['an object without a prototype', Object.create(null)],
    ['an Error', new Error('stop')],
  ];

  it.each(reasons)('%s, during a request: get, poll, cancel, wait and a list walk', async (_, reason) => {
    const server = await serve(stallHeaders);
    const c = client({ baseUrl: server.url, requestTimeoutMs: 600_000 });
    const calls = [
      (signal: AbortSignal) => c.get('task_1', { signal }),
      (signal: AbortSignal) => c.poll('task_1', { signal }),
      (signal: AbortSignal) => c.cancel('task_1', { signal }),
      (signal: AbortSignal) => c.wait('task_1', { signal }),
      (signal: AbortSignal) => c.tasks({}, { signal }).toArray({ limit: 1 }),
    ];
    for (const call of calls) {
      const control = new AbortController();
      const pending = call(control.signal);
      setTimeout(() => control.abort(reason), 20);
      await expect(pending).rejects.toBe(reason);
    }
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'DELETE', 'GET', 'POST']);
  });

  it.each(reasons)('%s, already aborted: nothing is sent', async (_, reason) => {
    const server = await serve(stallHeaders);
    const c = client({ baseUrl: server.url });
    await expect(c.get('task_1', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(c.wait('task_1', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(server.requests).toEqual([]);
  });
});

describe('after a full garbage collection (node --expose-gc, gc() every 50 ms)', () => {
  // ky combines signals with AbortSignal.any, which Node 20 holds weakly: once collected, nothing
  // stopped a body that trickles forever. Here every kind of call meets every never-ending await.
  it('every get, wait and aborted wait still ends, with the error its deadline deserves', async () => {
    const { code, output, stderr } = await runGcCheck(
      {
        copies: 2,
        requestTimeoutMs: 300,
        waitTimeoutMs: 400,
        abortAfterMs: 350,
        startOverMs: 0,
        gcEveryMs: 50,
        guardMs: 8000,
      },
      30_000,
    );
    expect(stderr).not.toMatch(/still alive/);
    expect(output?.wrong).toEqual([]);
    expect(output?.settled).toBe(24);
    expect(output?.count).toBe(24);
    expect(output?.gcs).toBeGreaterThan(0);
    expect(code).toBe(0);
  }, 40_000);
});
