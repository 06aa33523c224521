import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  createClient,
  defineTask,
  defineVendor,
  HttpError,
  NetworkError,
  openEnum,
  ResponseValidationError,
  type TaskSnapshot,
} from '../../src/index.js';
import { type AcmeJob, acme } from '../helpers/acme.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const BASE = 'https://api.acme.test/v2';
const fast = { wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0 }, retry: { retries: 0 } };

function serveJob(body: unknown, init?: ResponseInit) {
  const seen: Request[] = [];
  server.use(
    http.get(`${BASE}/jobs/:id`, ({ request }) => {
      seen.push(request.clone());
      return HttpResponse.json(body as Record<string, unknown>, init);
    }),
  );
  return seen;
}

describe('a user-defined vendor, end to end', () => {
  it('gets, validates and normalizes a task, keeping unknown fields in raw', async () => {
    const seen = serveJob({
      id: 'j-7',
      state: 'working',
      percent: 42,
      created: '2024-05-01 10:00:00',
      shiny: { new: true },
    });
    const client = createClient(acme, { token: 'tok-123456', ...fast });
    const snapshot = await client.get('j-7');
    expect(snapshot).toEqual({
      vendor: 'acme',
      kind: 'job',
      id: 'j-7',
      state: 'running',
      terminal: false,
      rawStatus: 'working',
      progress: 0.42,
      createdAt: '2024-05-01T10:00:00.000Z',
      raw: { id: 'j-7', state: 'working', percent: 42, created: '2024-05-01 10:00:00', shiny: { new: true } },
    });
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer tok-123456');
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('types the snapshot from the schema', async () => {
    serveJob({ id: 'j', state: 'done' });
    const snapshot = await createClient(acme, fast).get('j');
    expectTypeOf(snapshot.raw).toEqualTypeOf<AcmeJob>();
    expectTypeOf(snapshot.kind).toEqualTypeOf<'job'>();
    expectTypeOf(snapshot).toExtend<TaskSnapshot>();
    expect(snapshot.raw.state).toBe('done');
  });

  it('cancels through the vendor’s cancel route', async () => {
    let canceled = '';
    server.use(
      http.post(`${BASE}/jobs/:id/cancel`, ({ params }) => {
        canceled = String(params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await createClient(acme, fast).cancel('j-9');
    expect(canceled).toBe('j-9');
  });

  it('gets a fresh token from a token function for each request', async () => {
    const seen = serveJob({ id: 'j', state: 'done' });
    let n = 0;
    const client = createClient(acme, { token: async () => `rotating-token-${++n}`, ...fast });
    await client.get('j');
    await client.get('j');
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer rotating-token-1',
      'Bearer rotating-token-2',
    ]);
  });

  it('sends extra headers and uses an injected fetch', async () => {
    const calls: string[] = [];
    const client = createClient(acme, {
      ...fast,
      headers: { 'X-Trace': 'abc' },
      fetch: async (input, init) => {
        const request = new Request(input as RequestInfo, init);
        calls.push(`${request.method} ${request.url} ${request.headers.get('x-trace')}`);
        return Response.json({ id: 'j', state: 'done' });
      },
    });
    await expect(client.get('j')).resolves.toMatchObject({ state: 'succeeded' });
    expect(calls).toEqual(['GET https://api.acme.test/v2/jobs/j abc']);
  });

  it('rejects a status map that misses a status, at compile time and at run time', () => {
    const Status = openEnum(['a', 'b']);
    const define = () =>
      defineVendor({
        name: 'broken',
        baseUrl: 'https://x.test',
        auth: () => ({}),
        statuses: Status.values,
        // @ts-expect-error: status "b" has no state
        states: { a: 'queued' },
        tasks: {
          t: defineTask({
            model: 'T',
            schema: z.looseObject({ s: Status }),
            status: (t) => t.s,
            snapshot: () => ({ id: 'x' }),
          }),
        },
        ref: z.string(),
        route: (id) => ({ kind: 't', path: [id] }),
      });
    expect(define).toThrow(ConfigError);
    expect(define).toThrow(/no state for status b/);
  });
});

describe('task references', () => {
  it.each([
    ['an empty id', '', /is empty/],
    ['an id with a slash', 'a/b', /contains "\/"/],
    ['a dot-dot id', '..', /dot segment/],
    ['an id with a query', 'a?b=1', /contains/],
    ['an id with a fragment', 'a#frag', /contains/],
    ['an id with a space', 'has space', /contains/],
    ['a huge id', 'x'.repeat(5000), /5000 characters/],
  ])('rejects %s with a ConfigError that says why', async (_label, id, why) => {
    const client = createClient(acme, fast);
    const error = await client.get(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('ref');
    expect((error as Error).message).toMatch(why);
  });

  it('rejects a non-string id', async () => {
    const client = createClient(acme, fast);
    // @ts-expect-error: a number is not an acme ref
    await expect(client.get(42)).rejects.toThrow(/bad task reference number/);
    // @ts-expect-error: neither is null
    await expect(client.get(null)).rejects.toBeInstanceOf(ConfigError);
  });

  it('encodes an id as exactly one path segment', async () => {
    const seen = serveJob({ id: 'ä%', state: 'done' });
    await createClient(acme, fast).get('ä%');
    expect(new URL(seen[0]?.url ?? '').pathname).toBe('/v2/jobs/%C3%A4%25');
  });

  it('accepts an absolute task URL (a 202 Location) and a { url } relative to the base URL', async () => {
    const seen = serveJob({ id: 'j-1', state: 'done' });
    const client = createClient(acme, fast);
    await client.get('https://api.acme.test/v2/jobs/j-1');
    await client.get({ url: '/v2/jobs/j-1' });
    await client.get({ url: 'jobs/j-1' });
    expect(seen.map((r) => r.url)).toEqual(Array(3).fill('https://api.acme.test/v2/jobs/j-1'));
  });

  it('never sends the token to another origin unless it is trusted', async () => {
    const client = createClient(acme, { token: 'tok-123456', ...fast });
    await expect(client.get('https://evil.test/jobs/1')).rejects.toThrow(/not the client's origin/);
    await expect(client.get('file:///etc/passwd')).rejects.toThrow(/must be http\(s\)/);
    server.use(http.get('https://mirror.acme.test/jobs/1', () => HttpResponse.json({ id: '1', state: 'done' })));
    const trusting = createClient(acme, { ...fast, trustedOrigins: ['https://mirror.acme.test'] });
    await expect(trusting.get('https://mirror.acme.test/jobs/1')).resolves.toMatchObject({ state: 'succeeded' });
  });
});

describe('options are checked once, at creation', () => {
  it.each([
    [{ baseUrl: '/relative' }, 'baseUrl', /absolute http\(s\) URL/],
    [{ baseUrl: 'file:///tmp' }, 'baseUrl', /http or https/],
    [{ baseUrl: 'https://user:pw@api.acme.test' }, 'baseUrl', /credentials/],
    [{ wait: { minDelayMs: -5 } }, 'minDelayMs', /at least 1/],
    [{ wait: { minDelayMs: 5000, maxDelayMs: 1000 } }, 'maxDelayMs', /at least minDelayMs/],
    [{ wait: { timeoutMs: Number.NaN } }, 'timeoutMs', /got NaN/],
    [{ wait: { factor: 0.5 } }, 'factor', /from 1 to 100/],
    [{ wait: { jitter: 2 } }, 'jitter', /from 0 to 1/],
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs', /from 1 to/],
    [
      { timeoutMs: 1000 },
      'timeoutMs',
      /requestTimeoutMs to limit one request, and wait: { timeoutMs } to limit a whole wait/,
    ],
    [{ retry: { retries: -1 } }, 'retry.retries', /whole number/],
    [{ token: '' }, 'token', /non-empty/],
  ])('%j is a ConfigError naming %s', (options, field, why) => {
    const create = () => createClient(acme, options as never);
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(why);
    try {
      create();
    } catch (error) {
      expect((error as ConfigError).field).toBe(field);
    }
  });

  it('checks per-call wait options too', async () => {
    const client = createClient(acme, fast);
    await expect(client.wait('j', { maxDelayMs: -1 })).rejects.toThrow(ConfigError);
  });

  it('accepts an explicit Infinity timeout', () => {
    expect(() => createClient(acme, { wait: { timeoutMs: Number.POSITIVE_INFINITY } })).not.toThrow();
  });

  it('shows the checked wait defaults: the client’s options over the vendor’s over the library’s', async () => {
    const { mixpeek } = await import('../../src/vendors/mixpeek/index.js');
    const client = createClient(mixpeek, { wait: { maxDelayMs: 9000, timeoutMs: 60_000 } });
    expect(client.waitDefaults).toEqual({
      minDelayMs: 1000,
      maxDelayMs: 9000,
      factor: 2,
      jitter: 0.2,
      maxRetryAfterMs: 300_000,
      estimate: true,
      maxEstimateDelayMs: 300_000,
      schedule: 'default',
      timeoutMs: 60_000,
    });
    expect(Object.isFrozen(client.waitDefaults)).toBe(true);
  });

  it('asks for a real vendor', () => {
    expect(() => createClient({} as never)).toThrow(/made by defineVendor/);
  });
});

describe('bad responses get typed errors', () => {
  it('a body that fails the schema names vendor, model and path', async () => {
    serveJob({ id: 'j', state: 7 });
    const error = (await createClient(acme, fast)
      .get('j')
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ vendor: 'acme', model: 'Job', reason: 'schema', status: 200 });
    expect(error.issues[0]?.path).toEqual(['state']);
    expect(error.message).toMatch(/acme: the Job .* does not match its documented schema: state:/);
  });

  it('a missing required field names its path', async () => {
    serveJob({ state: 'done' });
    const error = (await createClient(acme, fast)
      .get('j')
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['id']);
  });

  it('an HTML page with status 200 is not-json, and is retried as a garbled answer', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/jobs/:id`, () =>
        ++n === 1
          ? new HttpResponse('<html>proxy error</html>', { headers: { 'content-type': 'text/html' } })
          : HttpResponse.json({ id: 'j', state: 'done' }),
      ),
    );
    const retrying = createClient(acme, { retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
    await expect(retrying.get('j')).resolves.toMatchObject({ state: 'succeeded' });
    n = 0;
    const error = (await createClient(acme, fast)
      .get('j')
      .catch((e: unknown) => e)) as ResponseValidationError;
    expect(error).toMatchObject({ reason: 'not-json', transient: true });
    expect(error.message).toMatch(/is not JSON/);
    expect(error.message).toMatch(/text\/html/);
  });

  it('an empty body and a non-UTF-8 body say so', async () => {
    server.use(http.get(`${BASE}/jobs/empty`, () => new HttpResponse('', { status: 200 })));
    server.use(http.get(`${BASE}/jobs/latin1`, () => new HttpResponse(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))));
    const client = createClient(acme, fast);
    await expect(client.get('empty')).rejects.toMatchObject({ reason: 'empty' });
    await expect(client.get('latin1')).rejects.toMatchObject({ reason: 'encoding' });
  });

  it('a body over maxResponseBytes is cut off with a typed error', async () => {
    const big = JSON.stringify({ id: 'j', state: 'done', pad: 'x'.repeat(200_000) });
    server.use(
      http.get(`${BASE}/jobs/:id`, () => new HttpResponse(big, { headers: { 'content-type': 'application/json' } })),
    );
    const error = await createClient(acme, { ...fast, maxResponseBytes: 64 * 1024 })
      .get('j')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResponseValidationError', reason: 'too-large' });
  });

  it('an HTTP error carries status, method, URL and a parsed problem document', async () => {
    server.use(
      http.get(`${BASE}/jobs/:id`, () =>
        HttpResponse.json(
          { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Job j-404 does not exist', traceId: 'abc' },
          { status: 404, headers: { 'content-type': 'application/problem+json' } },
        ),
      ),
    );
    const error = (await createClient(acme, fast)
      .get('j-404')
      .catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404, method: 'GET', url: `${BASE}/jobs/j-404`, transient: false });
    expect(error.problem).toMatchObject({ title: 'Not Found', traceId: 'abc' });
    expect(error.message).toMatch(/answered 404 .*Job j-404 does not exist/);
  });

  it('a connection failure is a NetworkError, retried, then surfaced by get()', async () => {
    let n = 0;
    server.use(
      http.get(`${BASE}/jobs/:id`, () => {
        n++;
        return HttpResponse.error();
      }),
    );
    const error = await createClient(acme, { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 } })
      .get('j')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(n).toBe(3);
  });

  it('a stalled response ends with a request timeout, as a NetworkError', async () => {
    server.use(http.get(`${BASE}/jobs/:id`, () => new Promise<Response>(() => {})));
    const error = await createClient(acme, { ...fast, requestTimeoutMs: 20 })
      .get('j')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NetworkError', timedOut: true });
  });

  it("a request timeout reaches an injected fetch through its Request's signal", async () => {
    const signals: AbortSignal[] = [];
    const client = createClient(acme, {
      ...fast,
      requestTimeoutMs: 20,
      fetch: (input) => {
        const { signal } = input as Request;
        signals.push(signal);
        return new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    const error = await client.get('j').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NetworkError', timedOut: true });
    expect(signals.map((s) => s.aborted)).toEqual([true]);
  });

  it("a caller's abort during the sleep before a retry rejects with its reason, a Symbol too, and sends no more", async () => {
    let sent = 0;
    server.use(
      http.get(`${BASE}/jobs/:id`, () => {
        sent++;
        return new HttpResponse(null, { status: 503 });
      }),
    );
    const reason = Symbol('stop');
    const control = new AbortController();
    const retries: number[] = [];
    const client = createClient(acme, {
      retry: { retries: 3, minDelayMs: 60_000, maxDelayMs: 60_000 },
      hooks: {
        onRetry: (info) => {
          retries.push(info.attempt);
          setTimeout(() => control.abort(reason), 0);
        },
      },
    });
    await expect(client.get('j', { signal: control.signal })).rejects.toBe(reason);
    expect(sent).toBe(1);
    expect(retries).toEqual([1]);
  });

  it("a caller's abort reaches the global fetch: the request in flight is aborted with it", async () => {
    const seen: AbortSignal[] = [];
    let reached: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (reached = resolve));
    server.use(
      http.get(`${BASE}/jobs/:id`, ({ request }) => {
        seen.push(request.signal);
        reached();
        return new Promise<Response>(() => {});
      }),
    );
    const control = new AbortController();
    const pending = createClient(acme, fast)
      .get('j', { signal: control.signal })
      .catch((e: unknown) => e);
    await inFlight;
    control.abort('stop');
    expect(await pending).toBe('stop');
    expect(seen.map((s) => s.aborted)).toEqual([true]);
  });
});

describe('secrets never leak', () => {
  const token = 'liq_live_SUPERSECRET0123456789';

  it('not in an error, its cause, toJSON() or inspect(), even when the server echoes the token', async () => {
    server.use(
      http.get(`${BASE}/jobs/:id`, ({ request }) =>
        HttpResponse.json(
          { error: `bad credentials: ${request.headers.get('authorization')}`, echoed: token },
          { status: 401 },
        ),
      ),
    );
    const client = createClient(acme, { token, ...fast });
    const error = (await client.get('j').catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    for (const text of [
      error.message,
      error.bodyExcerpt,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      String(error.stack),
    ]) {
      expect(text).not.toContain('SUPERSECRET');
    }
    expect(error.bodyExcerpt).toContain('[REDACTED]');
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain('SUPERSECRET');
  });

  it('not in a URL: userinfo and credential-like query values are masked', async () => {
    server.use(http.get('https://api.acme.test/v2/jobs/:id', () => new HttpResponse('no', { status: 403 })));
    const client = createClient(acme, fast);
    const error = (await client
      .get('https://api.acme.test/v2/jobs/j?api_key=abcdef123456&page=2')
      .catch((e: unknown) => e)) as HttpError;
    expect(error.url).toBe('https://api.acme.test/v2/jobs/j?api_key=%5BREDACTED%5D&page=2');
    expect(error.message).not.toContain('abcdef123456');
  });

  it('not in a network error’s cause chain', async () => {
    server.use(http.get(`${BASE}/jobs/:id`, () => HttpResponse.error()));
    const error = await createClient(acme, { token, ...fast })
      .get('j')
      .catch((e: unknown) => e);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('SUPERSECRET');
  });
});
