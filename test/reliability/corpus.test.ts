// The bad-input corpus: what a vendor's server might send on a bad day, and what a caller might
// pass by mistake. Each input ends in a typed error whose message says what to fix, or in a
// documented tolerant result (an unknown status is `unknown`); never a TypeError, RangeError or
// SyntaxError from inside the library, and never a hang.
//
// Bodies are handed to the client by its `fetch` option (no network), except where the socket
// matters (the size cap): there a loopback server started by the test answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createClient,
  HttpError,
  PagingError,
  type ResponseValidationError,
  retryHint,
  TaskwaitError,
} from '../../src/index.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import {
  answering,
  breach,
  clientOf,
  firstRef,
  getAt,
  kindsOf,
  NOWHERE,
  noRequest,
  outcomeOf,
  type Path,
  pathsOf,
  payloadsOf,
  REMOVE,
  setAt,
} from '../helpers/payloads.js';
import { type AnyVendor, VENDOR_CASES, type VendorCase } from '../helpers/reliability.js';

const tried = { payloads: 0, bodies: 0, mistakes: 0 };

/** What a bad day does to one node: gone, null, another type, an unknown value, an edge number. */
function damage(node: unknown): { name: string; value: unknown }[] {
  const out: { name: string; value: unknown }[] = [
    { name: 'missing', value: REMOVE },
    { name: 'null', value: null },
  ];
  if (typeof node === 'string') {
    out.push({ name: 'a number', value: 12345 }, { name: 'unknown value', value: 'UNKNOWN_VALUE_2031' });
    out.push({ name: 'empty', value: '' });
  } else if (typeof node === 'number') {
    out.push({ name: 'a string', value: 'twelve' }, { name: 'negative', value: -1 }, { name: 'huge', value: 1e308 });
  } else if (typeof node === 'boolean') {
    out.push({ name: 'a string', value: 'false' });
  } else if (Array.isArray(node)) {
    out.push({ name: 'an object', value: { junk: true } }, { name: 'a string', value: 'junk' });
  } else if (node !== null && typeof node === 'object') {
    out.push({ name: 'an array', value: ['junk'] }, { name: 'a string', value: 'junk' });
  }
  return out;
}

describe('bad payloads at every vendor’s task paths', () => {
  for (const vc of VENDOR_CASES) {
    it(`${vc.name}: every field missing, null, of another type, or an unknown value`, async () => {
      const breaches: string[] = [];
      const tally = { snapshots: 0, errors: 0 };
      for (const { kind, ref } of kindsOf(vc)) {
        for (const { state, body } of payloadsOf(vc, kind)) {
          for (const path of pathsOf(body)) {
            for (const harm of damage(getAt(body, path))) {
              const bad = JSON.stringify(setAt(body, path, harm.value));
              tried.payloads++;
              const client = clientOf(vc, answering(bad));
              const outcome = await outcomeOf((signal) => client.get(ref, { signal }));
              if (outcome.snapshot) tally.snapshots++;
              else tally.errors++;
              const why = breach(vc, outcome);
              if (why) breaches.push(`${kind} ${state} ${path.join('.')} ${harm.name}: ${why}`);
            }
          }
        }
      }
      expect(breaches).toEqual([]);
      // Both happen: some damage is tolerated (an optional field gone), some is refused.
      expect(tally.snapshots).toBeGreaterThan(0);
      expect(tally.errors).toBeGreaterThan(0);
    });

    it(`${vc.name}: an unknown status is \`unknown\`, and the wait polls on`, async () => {
      for (const { kind, ref } of kindsOf(vc)) {
        const [running] = payloadsOf(vc, kind);
        const statusPath = pathsOf(running?.body).find(
          (p) => /^(status|taskState)$/.test(String(p.at(-1))) && typeof getAt(running?.body, p) === 'string',
        );
        expect(statusPath, `${kind} has a status`).toBeDefined();
        const body = JSON.stringify(setAt(running?.body, statusPath as Path, 'PAUSED_FOR_MAINTENANCE'));
        tried.payloads++;
        const snapshot = await clientOf(vc, answering(body)).get(ref);
        expect(snapshot).toMatchObject({ state: 'unknown', terminal: false, rawStatus: 'PAUSED_FOR_MAINTENANCE' });
        // Polled on until a status it knows says the task ended.
        const ended = payloadsOf(vc, kind).find((p) => p.state === 'succeeded')?.body;
        let calls = 0;
        const then = (async () =>
          new Response(calls++ < 3 ? body : JSON.stringify(ended), {
            headers: { 'content-type': 'application/json' },
          })) as typeof fetch;
        await expect(clientOf(vc, then).wait(ref)).resolves.toMatchObject({ state: 'succeeded' });
        expect(calls).toBe(4);
      }
    });
  }
});

const TEN_MB = 10 * 1024 * 1024;

/** The vendor's running payload padded with an unknown field to `bytes`. */
function padded(vc: VendorCase, bytes: number): string {
  const [{ kind } = { kind: '' }] = kindsOf(vc);
  const body = payloadsOf(vc, kind)[0]?.body as Record<string, unknown>;
  const text = JSON.stringify({ ...body, padding: '' });
  return text.replace('"padding":""', `"padding":"${'x'.repeat(Math.max(0, bytes - text.length))}"`);
}

function nested(depth: number, open = '[', close = ']', inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

describe('bad bodies', () => {
  const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  const cases: {
    name: string;
    body: (vc: VendorCase) => BodyInit | null;
    headers?: Record<string, string>;
    /** `'schema or unknown'`: a vendor whose every field is optional reads it as a task in an unknown state. */
    expect: ResponseValidationError['reason'] | 'snapshot' | 'schema or unknown';
  }[] = [
    { name: 'an empty body', body: () => '', expect: 'empty' },
    { name: 'no body at all', body: () => null, expect: 'empty' },
    { name: 'only whitespace', body: () => ' \r\n\t ', expect: 'empty' },
    { name: 'JSON cut in half', body: (vc) => padded(vc, 0).slice(0, 40), expect: 'not-json' },
    {
      name: 'an HTML error page with 200',
      body: () => '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>',
      headers: { 'content-type': 'text/html' },
      expect: 'not-json',
    },
    { name: 'JSON null', body: () => 'null', expect: 'schema' },
    { name: 'a JSON number', body: () => '42', expect: 'schema' },
    { name: 'a JSON string', body: () => '"COMPLETED"', expect: 'schema' },
    { name: 'an empty array', body: () => '[]', expect: 'schema' },
    { name: 'an empty object', body: () => '{}', expect: 'schema or unknown' },
    { name: 'NaN and a trailing comma', body: () => '{"status": NaN,}', expect: 'not-json' },
    {
      name: 'a Latin-1 é in a string',
      body: (vc) => latin1(padded(vc, 0).replace('"padding":""', '"padding":"é"')),
      expect: 'encoding',
    },
    { name: 'a lone 0xFF byte', body: () => Uint8Array.of(0x7b, 0xff, 0x7d), expect: 'encoding' },
    { name: 'an overlong UTF-8 "/"', body: () => Uint8Array.of(0x22, 0xc0, 0xaf, 0x22), expect: 'encoding' },
    { name: 'a UTF-8 encoded surrogate', body: () => Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22), expect: 'encoding' },
    { name: 'UTF-16 with a BOM', body: () => Uint8Array.of(0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00), expect: 'encoding' },
    { name: 'a UTF-8 BOM before valid JSON', body: (vc) => `\uFEFF${padded(vc, 0)}`, expect: 'snapshot' },
    {
      name: 'valid JSON sent as text/plain',
      body: (vc) => padded(vc, 0),
      headers: { 'content-type': 'text/plain' },
      expect: 'snapshot',
    },
    { name: '10,000-deep arrays', body: () => nested(10_000), expect: 'schema' },
    { name: '1,000,000-deep arrays', body: () => nested(1_000_000), expect: 'schema' },
    { name: '100,000-deep objects', body: () => nested(100_000, '{"a":', '}'), expect: 'schema' },
    {
      name: '10,000-deep arrays in an unknown field',
      body: (vc) => padded(vc, 0).replace('"padding":""', `"padding":${nested(10_000)}`),
      expect: 'schema',
    },
    {
      name: 'a 10 MB body',
      body: (vc) => padded(vc, TEN_MB),
      expect: 'too-large',
    },
    {
      name: 'a 10 MB body that declares its length',
      body: (vc) => padded(vc, TEN_MB),
      headers: { 'content-length': String(TEN_MB) },
      expect: 'too-large',
    },
    {
      name: 'a body that never ends',
      body: () =>
        new ReadableStream<Uint8Array>({
          pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024).fill(0x20)),
        }),
      expect: 'too-large',
    },
  ];

  for (const vc of VENDOR_CASES) {
    it.each(cases)(`${vc.name}: $name`, async ({ body, headers, expect: expected }) => {
      tried.bodies++;
      const ref = firstRef(vc);
      const outcome = await outcomeOf((signal) =>
        clientOf(
          vc,
          answering(() => body(vc), { ...(headers ? { headers } : {}) }),
        ).get(ref, { signal }),
      );
      expect(breach(vc, outcome)).toBeUndefined();
      if (expected === 'snapshot') expect(outcome.snapshot).toBeDefined();
      else if (expected === 'schema or unknown' && outcome.snapshot) expect(outcome.snapshot.state).toBe('unknown');
      else {
        const reason = expected === 'schema or unknown' ? 'schema' : expected;
        expect(outcome.error).toMatchObject({ name: 'ResponseValidationError', reason });
      }
    });
  }

  it('a body nested 256 levels deep is read; one level more is refused, saying why', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    const ref = firstRef(vc);
    const at = (depth: number) => padded(vc, 0).replace('"padding":""', `"padding":${nested(depth - 1)}`);
    tried.bodies += 2;
    await expect(clientOf(vc, answering(at(256))).get(ref)).resolves.toMatchObject({ vendor: vc.name });
    const error = await clientOf(vc, answering(at(257)))
      .get(ref)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResponseValidationError', reason: 'schema' });
    expect((error as Error).message).toMatch(/nested more than 256 levels/);
  });

  it('depth is what is refused, not the number of brackets: a shallow body with hundreds of them is read', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    const ref = firstRef(vc);
    const padding = (value: string) => padded(vc, 0).replace('"padding":""', `"padding":${value}`);
    tried.bodies += 2;
    // 301 objects in one array, and 300 brackets inside a string: two and zero levels.
    await expect(clientOf(vc, answering(padding(`[${'{},'.repeat(300)}{}]`))).get(ref)).resolves.toMatchObject({
      vendor: vc.name,
    });
    await expect(clientOf(vc, answering(padding(`"${'[{'.repeat(150)}"`))).get(ref)).resolves.toMatchObject({
      vendor: vc.name,
    });
  });

  it('deep nesting where a vendor recurses: Anaplan nestedResults, Mixpeek error details', async () => {
    const anaplanCase = VENDOR_CASES.find((c) => c.name === 'anaplan') as VendorCase;
    const task = (levels: number) =>
      `{"task":{"taskId":"${anaplanCase.id(1)}","taskState":"COMPLETE","progress":1,"result":${nested(
        levels,
        '{"successful":true,"failureDumpAvailable":false,"objectId":"1","nestedResults":[',
        ']}',
        '{"successful":false,"failureDumpAvailable":true,"objectId":"x"}',
      )}}}`;
    const ref = firstRef(anaplanCase);
    tried.bodies += 3;
    // 100 levels of nested results (200 of JSON): within the cap, read and judged.
    await expect(clientOf(anaplanCase, answering(task(100))).get(ref)).resolves.toMatchObject({ state: 'partial' });
    const refused = await clientOf(anaplanCase, answering(task(10_000)))
      .get(ref)
      .catch((e: unknown) => e);
    expect(breach(anaplanCase, { error: refused })).toBeUndefined();

    const mixpeekCase = VENDOR_CASES.find((c) => c.name === 'mixpeek') as VendorCase;
    const details = nested(10_000, '{"error":', '}', '"x"');
    const failed = `{"task_id":"t1","task_type":"thumbnail","status":"FAILED","additional_data":{"error":${details}}}`;
    const outcome = await outcomeOf((signal) => clientOf(mixpeekCase, answering(failed)).get('t1', { signal }));
    expect(breach(mixpeekCase, outcome)).toBeUndefined();
  });

  it('a task URL with a malformed escape is fetched as it is, not thrown as a URIError', async () => {
    const vc = VENDOR_CASES.find((c) => c.name === 'mixpeek') as VendorCase;
    tried.bodies++;
    const snapshot = await clientOf(vc, answering(padded(vc, 0))).get(`${NOWHERE}/v1/tasks/%E0%A4%A`);
    expect(snapshot.vendor).toBe('mixpeek');
  });

  it('a "__proto__" key in a body pollutes nothing', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    const body = padded(vc, 0).replace(
      '"padding":""',
      '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}',
    );
    tried.bodies++;
    const snapshot = await clientOf(vc, answering(body)).get(vc.id(1));
    expect(snapshot.vendor).toBe(vc.name);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('maxResponseBytes is configurable: a body one byte over is refused, one at the cap is read', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    const body = padded(vc, 4096);
    expect(Buffer.byteLength(body)).toBe(4096);
    tried.bodies += 2;
    await expect(clientOf(vc, answering(body), { maxResponseBytes: 4096 }).get(vc.id(1))).resolves.toBeDefined();
    await expect(clientOf(vc, answering(body), { maxResponseBytes: 4095 }).get(vc.id(1))).rejects.toMatchObject({
      reason: 'too-large',
      message: expect.stringMatching(/maxResponseBytes/),
    });
  });
});

describe('bad error answers', () => {
  const statuses = [400, 401, 403, 404, 405, 409, 410, 418, 422, 451, 500, 501, 502, 503, 504, 511, 599];
  const bodies: [string, () => BodyInit | null, Record<string, string>][] = [
    ['the vendor body', () => '{"error":{"message":"nope"}}', {}],
    ['an HTML page', () => '<html><body>Service Unavailable</body></html>', { 'content-type': 'text/html' }],
    ['no body', () => null, {}],
    [
      'binary junk',
      () => Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff),
      { 'content-type': 'application/octet-stream' },
    ],
    ['a 10 MB body', () => 'e'.repeat(TEN_MB), {}],
    [
      'a problem document',
      () => '{"type":"about:blank","title":"Teapot","status":418,"detail":"short and stout"}',
      { 'content-type': 'application/problem+json' },
    ],
  ];
  for (const vc of VENDOR_CASES) {
    it(`${vc.name}: every error status with every kind of body is an HttpError that knows whether to retry`, async () => {
      const ref = firstRef(vc);
      for (const status of statuses) {
        for (const [name, body, headers] of bodies) {
          tried.bodies++;
          const error = await clientOf(vc, answering(body, { status, headers }))
            .get(ref)
            .catch((e: unknown) => e);
          expect(error, `${status} ${name}`).toBeInstanceOf(HttpError);
          const http = error as HttpError;
          expect(http.status).toBe(status);
          expect(http.transient).toBe([408, 425, 429, 500, 502, 503, 504].includes(status));
          expect(http.bodyExcerpt.length).toBeLessThanOrEqual(500);
          expect(http.message).toContain(String(status));
        }
      }
    });
  }

  it('a garbled Retry-After is ignored, never a negative or endless delay', () => {
    const values = ['soon', '-5', '', ' ', '1e9999', 'NaN', '0x10', '10, 20', 'Wed, 99 Foo 2024 00:00:00 GMT'];
    for (const value of values) {
      tried.bodies++;
      const hint = retryHint(new Headers({ 'retry-after': value }), ['x-ratelimit-retryafter']);
      expect(hint === undefined || (Number.isFinite(hint) && hint >= 0), value).toBe(true);
    }
    expect(retryHint(new Headers({ 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' }))).toBe(0);
    expect(retryHint(new Headers({ 'x-ratelimit-retryafter': '-3' }), ['x-ratelimit-retryafter'])).toBeUndefined();
  });
});

describe('the size cap over a real socket', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise((resolve) => {
            s.closeAllConnections();
            s.close(resolve);
          }),
      ),
    );
  });

  /** A loopback server writing `total` bytes of JSON-ish padding, with or without a Content-Length. */
  async function serve(total: number, declare: boolean): Promise<{ url: string; written: () => number }> {
    let written = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(declare ? { 'content-length': String(total) } : {}),
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const write = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      res.on('close', () => {
        written = Math.min(written, total);
      });
      write();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, written: () => written };
  }

  it.each([
    ['declared', true],
    ['chunked', false],
  ])('a 64 MB %s body is cut at 8 MiB: refused as too large, the rest never read', async (_, declare) => {
    tried.bodies++;
    const { url, written } = await serve(64 * 1024 * 1024, declare);
    const client = createClient(mixpeek, { baseUrl: url, token: 'sk_test_cap', retry: { retries: 0 } });
    await expect(client.get('task_1')).rejects.toMatchObject({ reason: 'too-large' });
    // The client stopped reading: the server could not write the whole body.
    expect(written()).toBeLessThan(64 * 1024 * 1024);
  });
});

/** A caller's mistake: `call` must fail with a ConfigError naming `field`, its message matching `says`. */
interface Mistake {
  name: string;
  field: string;
  says: RegExp;
  call: () => unknown;
}

function mistakesOf(vc: VendorCase): Mistake[] {
  const make = (options: object) => () => clientOf(vc, noRequest, options);
  const client = clientOf(vc, noRequest);
  const ref = firstRef(vc);
  const out: Mistake[] = [];
  const baseUrls: [string, unknown][] = [
    ['empty', ''],
    ['blank', '   '],
    ['relative, no scheme', 'api.example.com/v1'],
    ['a path only', '/v1'],
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://127.0.0.1/'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/plain,hi'],
    ['no host', 'http://'],
    ['with credentials', 'http://user:secret@127.0.0.1/'],
    ['with a query', 'http://127.0.0.1/?key=1'],
    ['with a fragment', 'http://127.0.0.1/#top'],
    ['a number', 42],
    ['an object', { href: 'http://127.0.0.1/' }],
  ];
  for (const [name, baseUrl] of baseUrls) {
    out.push({ name: `baseUrl ${name}`, field: 'baseUrl', says: /baseUrl/, call: make({ baseUrl }) });
  }
  const numbers: [string, string, object][] = [
    ['requestTimeoutMs', 'NaN', { requestTimeoutMs: Number.NaN }],
    ['requestTimeoutMs', 'negative', { requestTimeoutMs: -1 }],
    ['requestTimeoutMs', 'zero', { requestTimeoutMs: 0 }],
    ['requestTimeoutMs', 'Infinity', { requestTimeoutMs: Number.POSITIVE_INFINITY }],
    ['requestTimeoutMs', 'a string', { requestTimeoutMs: '1000' }],
    ['requestTimeoutMs', 'beyond setTimeout', { requestTimeoutMs: 2 ** 31 }],
    ['timeoutMs', 'the old name of requestTimeoutMs', { timeoutMs: 1000 }],
    ['maxResponseBytes', 'zero', { maxResponseBytes: 0 }],
    ['maxResponseBytes', 'fractional', { maxResponseBytes: 1.5 }],
    ['maxResponseBytes', 'NaN', { maxResponseBytes: Number.NaN }],
    ['retry.retries', 'negative', { retry: { retries: -1 } }],
    ['retry.retries', 'fractional', { retry: { retries: 1.5 } }],
    ['retry.retries', 'huge', { retry: { retries: 1e6 } }],
    ['retry.minDelayMs', 'negative', { retry: { minDelayMs: -1 } }],
    ['retry.maxDelayMs', 'inverted', { retry: { minDelayMs: 100, maxDelayMs: 10 } }],
    ['minDelayMs', 'negative', { wait: { minDelayMs: -5 } }],
    ['minDelayMs', 'zero', { wait: { minDelayMs: 0 } }],
    ['maxDelayMs', 'inverted', { wait: { minDelayMs: 100, maxDelayMs: 10 } }],
    ['factor', 'below 1', { wait: { factor: 0.5 } }],
    ['factor', 'NaN', { wait: { factor: Number.NaN } }],
    ['jitter', 'negative', { wait: { jitter: -0.1 } }],
    ['jitter', 'above 1', { wait: { jitter: 1.5 } }],
    ['maxRetryAfterMs', 'negative', { wait: { maxRetryAfterMs: -1 } }],
    ['timeoutMs', 'NaN wait timeout', { wait: { timeoutMs: Number.NaN } }],
    ['timeoutMs', 'negative wait timeout', { wait: { timeoutMs: -1 } }],
    ['estimate', 'a string', { wait: { estimate: 'yes' } }],
  ];
  for (const [field, name, options] of numbers) {
    out.push({ name: `${field} ${name}`, field, says: new RegExp(field.replace('.', '\\.')), call: make(options) });
  }
  const tokens: [string, unknown][] = [
    ['empty', ''],
    ['blank', '  '],
    ['a number', 42],
    ['an object', {}],
    ['with a line break', 'abc\r\nX-Injected: 1'],
    ['not Latin-1', 'ключ-12345'],
  ];
  for (const [name, token] of tokens) {
    out.push({ name: `token ${name}`, field: 'token', says: /token/, call: make({ token }) });
  }
  out.push(
    {
      name: 'a token function giving ""',
      field: 'token',
      says: /token/,
      call: () => clientOf(vc, noRequest, { token: () => '' }).get(ref),
    },
    {
      name: 'a token function giving a line break',
      field: 'token',
      says: /token/,
      call: () => clientOf(vc, noRequest, { token: async () => 'a\nb' }).get(ref),
    },
    {
      name: 'a token function that throws',
      field: 'token',
      says: /`token` function threw/,
      call: () =>
        clientOf(vc, noRequest, {
          token: () => {
            throw new Error('vault unreachable');
          },
        }).get(ref),
    },
    {
      name: 'a header that is not a string',
      field: 'headers',
      says: /header/,
      call: make({ headers: { 'x-trace': 42 } }),
    },
    {
      name: 'a header name with a space',
      field: 'headers',
      says: /header/,
      call: make({ headers: { 'x trace': 'a' } }),
    },
    {
      name: 'a header value with a line break',
      field: 'headers',
      says: /header/,
      call: make({ headers: { 'x-trace': 'a\r\nb' } }),
    },
    { name: 'fetch that is not a function', field: 'fetch', says: /fetch/, call: make({ fetch: 'fetch' }) },
    {
      name: 'a trusted origin that is not a URL',
      field: 'trustedOrigins',
      says: /trustedOrigins/,
      call: make({ trustedOrigins: ['nope'] }),
    },
    {
      name: 'a file: trusted origin',
      field: 'trustedOrigins',
      says: /trustedOrigins/,
      call: make({ trustedOrigins: ['file:///'] }),
    },
    {
      name: 'no vendor',
      field: 'vendor',
      says: /defineVendor/,
      call: () => createClient(null as unknown as AnyVendor),
    },
  );
  const waits: [string, string, object][] = [
    ['timeoutMs', 'NaN', { timeoutMs: Number.NaN }],
    ['timeoutMs', 'negative', { timeoutMs: -1 }],
    ['minDelayMs', 'negative', { minDelayMs: -1 }],
    ['maxDelayMs', 'below the default minimum', { maxDelayMs: 1, minDelayMs: 10 }],
    ['factor', 'zero', { factor: 0 }],
    ['jitter', 'NaN', { jitter: Number.NaN }],
  ];
  for (const [field, name, options] of waits) {
    out.push({ name: `wait ${field} ${name}`, field, says: new RegExp(field), call: () => client.wait(ref, options) });
    out.push({ name: `poll ${field} ${name}`, field, says: new RegExp(field), call: () => client.poll(ref, options) });
  }
  // Ids: a task id is one path segment, never a way to another path.
  const idRef = (id: unknown) => (typeof ref === 'string' ? id : { ...(ref as object), taskId: id });
  const ids: [string, unknown][] = [
    ['empty', ''],
    ['blank', '   '],
    ['with a slash', 'a/b'],
    ['a dot segment', '..'],
    ['climbing', '../../admin'],
    ['with a query', 'x?admin=1'],
    ['with a fragment', 'x#y'],
    ['with a backslash', 'a\\b'],
    ['with a NUL', 'a\u0000b'],
    ['with a line break', 'a\nb'],
    ['3,000 characters', 'x'.repeat(3000)],
    ['a million characters', 'x'.repeat(1_000_000)],
    ['a number', 42],
    ['null', null],
  ];
  for (const [name, id] of ids) {
    out.push({ name: `id ${name}`, field: 'ref', says: new RegExp(vc.name), call: () => client.get(idRef(id)) });
  }
  const refs: [string, unknown][] = [
    ['undefined', undefined],
    ['an empty object', {}],
    ['an array', []],
    ['a file: URL', 'file:///etc/passwd'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['another origin', 'https://evil.example/tasks/1'],
    ['a { url } on another origin', { url: '//evil.example/tasks/1' }],
    ['an empty { url }', { url: '' }],
    ['a { url } that is not a string', { url: 42 }],
  ];
  for (const [name, bad] of refs) {
    out.push({ name: `reference ${name}`, field: 'ref', says: new RegExp(vc.name), call: () => client.get(bad) });
  }
  const other = VENDOR_CASES.find((c) => c !== vc) as VendorCase;
  const valid = JSON.stringify({ v: 1, vendor: vc.name, ref, startedAt: 0, polls: 0, attempt: 0, history: [] });
  const tokensOf: [string, unknown][] = [
    ['empty', ''],
    ['not JSON', 'resume-me'],
    ['JSON null', 'null'],
    ['an array', '[]'],
    ['an empty object', '{}'],
    ['a version 2 token', valid.replace('"v":1', '"v":2')],
    ['another vendor’s token', valid.replace(`"vendor":"${vc.name}"`, `"vendor":"${other.name}"`)],
    ['negative polls', valid.replace('"polls":0', '"polls":-1')],
    ['a string start', valid.replace('"startedAt":0', '"startedAt":"yesterday"')],
    ['too much history', valid.replace('"history":[]', `"history":${JSON.stringify(Array(65).fill({ at: 1 }))}`)],
    ['a megabyte of junk', `{"junk":"${'j'.repeat(1_000_000)}"}`],
    ['a prototype-polluting token', `{"__proto__":{"polluted":true},"v":1}`],
  ];
  for (const [name, token] of tokensOf) {
    out.push({
      name: `resumeFrom ${name}`,
      field: 'resumeFrom',
      says: /resume/,
      call: () => client.wait(ref, { resumeFrom: token as string }),
    });
    out.push({
      name: `resume() ${name}`,
      field: 'resumeFrom',
      says: /resume/,
      call: () => client.resume(token as string),
    });
    out.push({
      name: `poll state ${name}`,
      field: 'resumeFrom',
      says: /resume/,
      call: () => client.poll(ref, { state: token as string }),
    });
  }
  const pathToken = valid.replace(JSON.stringify(ref), JSON.stringify(idRef('../../admin')));
  out.push({
    name: 'resume() a token whose reference climbs',
    field: 'ref',
    says: new RegExp(vc.name),
    call: () => client.resume(pathToken),
  });
  return out;
}

describe('caller mistakes', () => {
  for (const vc of VENDOR_CASES) {
    it(`${vc.name}: each is a ConfigError naming the option, before any request`, async () => {
      const wrong: string[] = [];
      for (const mistake of mistakesOf(vc)) {
        tried.mistakes++;
        let error: unknown;
        try {
          await mistake.call();
        } catch (e) {
          error = e;
        }
        if (!(error instanceof ConfigError)) {
          wrong.push(
            `${mistake.name}: ${error === undefined ? 'accepted' : `${(error as Error)?.name}: ${(error as Error)?.message}`}`,
          );
        } else if (error.field !== mistake.field || !mistake.says.test(error.message)) {
          wrong.push(`${mistake.name}: field ${error.field}, "${error.message.slice(0, 160)}"`);
        }
      }
      expect(wrong).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('paging mistakes: a bad limit, page size, prefetch or maxPages', async () => {
    const client = createClient(layerIq, { token: 'liq_test_corpus', baseUrl: NOWHERE, fetch: noRequest });
    const calls: [string, () => unknown][] = [
      ['toArray without a limit', () => client.issues('run_1').toArray({} as { limit: number })],
      ['toArray with a negative limit', () => client.issues('run_1').toArray({ limit: -1 })],
      ['pageSize 0', () => client.issues('run_1', { pageSize: 0 })],
      ['pageSize 1.5', () => client.issues('run_1', { pageSize: 1.5 })],
      ['prefetch 2', () => client.issues('run_1', { prefetch: 2 })],
      ['maxPages 0', () => client.issues('run_1', { maxPages: 0 })],
      ['batchSize 0', () => client.ingest([{ identifier: 'a' }], { batchSize: 0 })],
      ['a path-like id', () => client.issues('../admin').toArray({ limit: 1 })],
    ];
    for (const [name, call] of calls) {
      tried.mistakes++;
      const error = await (async () => call())().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(ConfigError);
    }
  });
});

describe('bad pages', () => {
  /** A Layer IQ task whose embedded issues page is `page`, for every page asked for. */
  const walkOf = async (page: (n: number) => unknown) => {
    let calls = 0;
    const fetch = (async (input: Parameters<typeof globalThis.fetch>[0]) => {
      calls++;
      const url = new URL(input instanceof Request ? input.url : String(input));
      const n = Number(url.searchParams.get('issuesPage') ?? '1');
      const body = { taskId: 'run_1', status: 'COMPLETE', mode: 'INGEST', progress: 1, counts: {}, issues: page(n) };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const client = createClient(layerIq, { token: 'liq_test_corpus', baseUrl: NOWHERE, fetch, retry: { retries: 0 } });
    const outcome = await client
      .issues('run_1', { maxPages: 500 })
      .toArray({ limit: Infinity })
      .then(
        (items) => ({ items }),
        (error: unknown) => ({ error }),
      );
    return { ...outcome, calls };
  };
  const issue = (n: number) => ({ code: 'c', message: `m${n}`, rowIndex: n, severity: 'ERROR' });

  it.each<[string, (n: number) => unknown, 'items' | 'PagingError' | 'ConfigError' | 'ResponseValidationError']>([
    [
      'pagination of every wrong type',
      () => ({ data: [issue(0)], pagination: { page: 'one', total: {}, hasMore: 'yes', next: 5 } }),
      'items',
    ],
    ['pagination null', () => ({ data: [issue(0)], pagination: null }), 'items'],
    ['data null', () => ({ data: null, pagination: { hasMore: false } }), 'ResponseValidationError'],
    [
      'an item missing its rowIndex',
      () => ({ data: [{ code: 'c', message: 'm', severity: 'ERROR' }] }),
      'ResponseValidationError',
    ],
    ['the same cursor twice', (n) => ({ data: [issue(n)], pagination: { nextCursor: 'again' } }), 'PagingError'],
    // A URL the token may not follow is the answer's fault, not the caller's.
    [
      'a next URL on another origin',
      () => ({ data: [issue(0)], pagination: { next: 'https://evil.example/p2' } }),
      'ResponseValidationError',
    ],
    [
      'a file: next URL',
      () => ({ data: [issue(0)], pagination: { next: 'file:///etc/passwd' } }),
      'ResponseValidationError',
    ],
    [
      'a next URL that is not a URL',
      () => ({ data: [issue(0)], pagination: { next: 'http://[::1' } }),
      'ResponseValidationError',
    ],
    [
      'a next URL with a space in its host',
      () => ({ data: [issue(0)], pagination: { next: 'http://exa mple/p2' } }),
      'ResponseValidationError',
    ],
    [
      'a page parameter the server ignores',
      () => ({ data: [issue(0)], pagination: { page: 1, totalPages: 5 } }),
      'ConfigError',
    ],
    // An empty numbered page does not end the walk (layer-iq.paging.test.ts: "goes on past an
    // empty page"): a server that never stops saying so is stopped by maxPages.
    ['empty pages that say there is more, forever', () => ({ data: [], pagination: { hasMore: true } }), 'PagingError'],
    ['a billion pages promised, none delivered', () => ({ data: [], pagination: { totalPages: 1e9 } }), 'PagingError'],
  ])('%s', async (_, page, expected) => {
    tried.bodies++;
    const result = await walkOf(page);
    expect(result.calls).toBeLessThanOrEqual(500);
    if (expected === 'items') {
      expect(result).toHaveProperty('items');
    } else {
      expect((result as { error: Error }).error?.name).toBe(expected);
      expect((result as { error: Error }).error).toBeInstanceOf(TaskwaitError);
    }
  });

  it('a 202 whose Location is not a URL', async () => {
    tried.bodies++;
    const fetch = (async () =>
      new Response('{"taskId":"run_1"}', {
        status: 202,
        headers: { 'content-type': 'application/json', location: 'http://[::1/tasks/run_1' },
      })) as typeof globalThis.fetch;
    const client = createClient(layerIq, { token: 'liq_test_corpus', baseUrl: NOWHERE, fetch, retry: { retries: 0 } });
    await expect(client.ingest([{ identifier: 'a' }])).rejects.toMatchObject({
      name: 'ResponseValidationError',
      message: expect.stringMatching(/not a URL/),
    });
  });

  it('an endless walk of fresh cursors stops at maxPages with a PagingError', async () => {
    tried.bodies++;
    let n = 0;
    const fetch = (async () =>
      new Response(JSON.stringify({ results: [], pagination: { next_cursor: `c${++n}` } }), {
        headers: { 'content-type': 'application/json' },
      })) as typeof globalThis.fetch;
    const client = createClient(mixpeek, { token: 'sk_test_corpus', baseUrl: NOWHERE, fetch, retry: { retries: 0 } });
    await expect(client.tasks({}, { maxPages: 50 }).toArray({ limit: Infinity })).rejects.toBeInstanceOf(PagingError);
    expect(n).toBe(50);
  });
});

afterAll(() => {
  console.log(
    `bad-input corpus: ${tried.payloads} damaged payloads, ${tried.bodies} bad bodies and answers, ${tried.mistakes} caller mistakes: ${tried.payloads + tried.bodies + tried.mistakes} inputs`,
  );
});
