// Secrets: a token or credential header never shows in an error (message, cause chain, toJSON(),
// util.inspect()), a snapshot, a resume token or the kit's request log, for every vendor's auth
// scheme, a token given as a string or a function, and a server that echoes it back (in a body,
// JSON-escaped or not, or in a header). URLs lose their userinfo. A redirect to another origin
// does not take the credential along.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BaseClient,
  ConfigError,
  createClient,
  HttpError,
  TaskFailedError,
  type TaskSnapshot,
  TaskwaitError,
  WaitTimeoutError,
} from '../../src/index.js';
import {
  type FakeServer,
  type FakeTaskView,
  fakeTask,
  layerIqIngest,
  startFakeServer,
} from '../../src/testing/server.js';
import { layerIq, signWebhook, verifyWebhook, WebhookVerificationError } from '../../src/vendors/layer-iq/index.js';
import { VENDOR_CASES, type VendorCase } from '../helpers/reliability.js';

type Client = BaseClient<unknown, TaskSnapshot>;

/** Each vendor's auth scheme with a token of its own form, and one no pattern knows (only exact redaction can catch it). */
const SCHEMES = VENDOR_CASES.flatMap((vc) => [
  { vc, token: vc.token, form: 'vendor-shaped' },
  // For Layer IQ a token that is not `liq_…` goes as `Authorization: Bearer` (its JWT scheme).
  { vc, token: `zQ9xK2mPq7${vc.name.length}vT4wL8rNb3/h+e=`, form: 'opaque' },
]).flatMap((s) => [
  { ...s, source: 'string' as const },
  { ...s, source: 'function' as const },
]);

const servers: (FakeServer | Server)[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) =>
      'url' in s
        ? s.close()
        : new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
    ),
  );
});

/** Every way a value can be shown: its text, JSON, inspect() and, for errors, stack and cause chain. */
function views(value: unknown): string[] {
  const out = [inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }), safeJson(value), String(value)];
  let error: unknown = value;
  for (let i = 0; i < 10 && error instanceof Error; i++) {
    out.push(error.message, String(error.stack), inspect(error, { depth: Number.POSITIVE_INFINITY }));
    if (error instanceof TaskwaitError) out.push(JSON.stringify(error.toJSON()));
    error = error.cause;
  }
  return out;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** The forms a token may be seen in: as it is, percent-encoded, JSON-escaped. */
function forms(token: string): string[] {
  return [token, encodeURIComponent(token), JSON.stringify(token).slice(1, -1)];
}

function expectNoSecret(value: unknown, token: string, where: string): void {
  for (const text of views(value)) {
    for (const form of forms(token)) expect(text.includes(form), `${where}: ${text.slice(0, 300)}`).toBe(false);
  }
}

/** Every character as `\uXXXX`: JSON for the token that a plain text search can't see. */
const escaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

function credentialOf(headers: Record<string, string>, vc: VendorCase): string {
  return headers[vc.header] ?? headers.authorization ?? '';
}

/** A failed task of the vendor, its failure text and an extra field echoing the credential. */
function echoingTask(vc: VendorCase, id: string, credential: string, token: string) {
  const kind = Object.keys(vc.fake.kinds)[0] as string;
  const at = new Date('2024-06-07T12:00:00Z');
  const view: FakeTaskView = {
    id,
    state: 'failed',
    error: `rejected key ${token} (sent as "${credential}")`,
    createdAt: at,
    updatedAt: at,
    completedAt: at,
    poll: 2,
  };
  const body = vc.fake.kinds[kind]?.render(view) as Record<string, unknown>;
  return {
    ...body,
    echo: { header: credential, list: [`token=${token}`, { deeper: token }] },
    description: `for ${token}`,
  };
}

describe.each(SCHEMES)('$vc.name, a $form token given as a $source', ({ vc, token, source }) => {
  const start = async (
    respond: (headers: Record<string, string>) => {
      status: number;
      headers?: Record<string, string>;
      body: string;
    },
  ) => {
    const kind = Object.keys(vc.fake.kinds)[0] as string;
    const server = await startFakeServer({
      routes: [
        {
          fake: vc.fake,
          method: 'GET',
          path: vc.fake.kinds[kind]?.path ?? '',
          respond: (request) => {
            const answer = respond(request.headers);
            return {
              status: answer.status,
              headers: { 'content-type': 'application/json', ...answer.headers },
              body: answer.body,
            };
          },
        },
      ],
    });
    servers.push(server);
    const client = createClient(vc.vendor, {
      baseUrl: server.url,
      token: source === 'string' ? token : async () => token,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
      wait: { minDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    }) as unknown as Client;
    return { server, client, ref: vc.fake.ref(kind, vc.id(77)) };
  };

  it('an error answer echoing the credential, plainly, JSON-escaped and in headers', async () => {
    const { server, client, ref } = await start((headers) => {
      const credential = credentialOf(headers, vc);
      return {
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="api", error="invalid_token", token="${token}"`,
          'x-echo-credential': credential,
        },
        body: `{"type":"about:blank","title":"Unauthorized","detail":"bad key ${escaped(token)}","echo":"${credential.replace(/\//g, '\\/')}","raw":"${token}"}`,
      };
    });
    const error = await client.get(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).problem?.title).toBe('Unauthorized');
    expectNoSecret(error, token, 'HttpError');
    expectNoSecret(server.requests, token, 'request log');
    expectNoSecret(client, token, 'client');
  });

  it('a wait that times out on echoing 503s: the error, its cause and its resume token', async () => {
    const { client, ref } = await start((headers) => ({
      status: 503,
      headers: { 'retry-after': '0' },
      body: JSON.stringify({ error: { message: `overloaded, key ${token}`, credential: credentialOf(headers, vc) } }),
    }));
    // Long enough for a loaded machine to answer at least once: the cause is that answer.
    const error = await client.wait(ref, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).cause).toBeInstanceOf(HttpError);
    expectNoSecret(error, token, 'WaitTimeoutError');
    expect((error as WaitTimeoutError).resumeToken).not.toContain(token);
  });

  it('a task whose payload echoes the credential: the snapshot and the TaskFailedError', async () => {
    const { client, ref } = await start((headers) => ({
      status: 200,
      body: JSON.stringify(echoingTask(vc, vc.id(77), credentialOf(headers, vc), token)),
    }));
    const snapshot = await client.get(ref);
    expectNoSecret(snapshot, token, 'snapshot');
    const error = await client.wait(ref).catch((e: unknown) => e);
    if (snapshot.state === 'failed') {
      expect(error).toBeInstanceOf(TaskFailedError);
      expectNoSecret(error, token, 'TaskFailedError');
    }
  });

  it('a body that is not JSON and starts with the credential', async () => {
    const { client, ref } = await start((headers) => ({ status: 200, body: `${credentialOf(headers, vc)} <html>` }));
    const error = await client.get(ref).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResponseValidationError', reason: 'not-json' });
    expectNoSecret(error, token, 'ResponseValidationError');
  });

  it('the kit’s request log of a fake task guarding the token', async () => {
    const task = fakeTask(vc.fake, { id: vc.id(78), token, faults: [{ on: 1, status: 503 }] });
    const server = await startFakeServer({ tasks: [task] });
    servers.push(server);
    const client = createClient(vc.vendor, {
      baseUrl: server.url,
      token: source === 'string' ? token : () => token,
      headers: { 'X-Custom-Token': token },
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
      wait: { minDelayMs: 1, maxDelayMs: 2 },
    }) as unknown as Client;
    await expect(client.wait(task.ref)).resolves.toMatchObject({ state: 'succeeded' });
    expect(task.requests.length).toBeGreaterThan(1);
    expectNoSecret(task.requests, token, 'task log');
    expectNoSecret(server.requests, token, 'server log');
    const sent = task.requests[0]?.headers ?? {};
    expect(sent[vc.header] ?? sent.authorization).toMatch(/\[REDACTED\]$/);
  });
});

describe('a token function', () => {
  it('that throws with the token in its message: the ConfigError and its cause carry no token', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    let calls = 0;
    const server = await startFakeServer({ tasks: [fakeTask(vc.fake, { id: vc.id(79) })] });
    servers.push(server);
    const client = createClient(vc.vendor, {
      baseUrl: server.url,
      token: () => {
        calls++;
        if (calls === 1) return 'zQ9rotating0001secret';
        throw new Error('refresh of zQ9rotating0001secret failed');
      },
      retry: { retries: 0 },
    }) as unknown as Client;
    await client.get(vc.fake.ref('task', vc.id(79)));
    const error = await client.get(vc.fake.ref('task', vc.id(79))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/`token` function threw/);
    expectNoSecret(error, 'zQ9rotating0001secret', 'ConfigError');
  });

  it('whose every token so far is redacted, after a rotation too', async () => {
    const vc = VENDOR_CASES.find((c) => c.name === 'postman') as VendorCase;
    const tokens = ['zQ9first00000token', 'zQ9second0000token'];
    let i = 0;
    const server = await startFakeServer({
      routes: [
        {
          fake: vc.fake,
          method: 'GET',
          path: '/collection-updates-tasks/:taskId',
          respond: () => ({
            status: 403,
            body: JSON.stringify({ error: { message: `revoked: ${tokens.join(', ')}` } }),
          }),
        },
      ],
    });
    servers.push(server);
    const client = createClient(vc.vendor, {
      baseUrl: server.url,
      token: () => tokens[i++ % 2] as string,
      retry: { retries: 0 },
    });
    await client.get({ kind: 'collection-update', taskId: 'a' }).catch(() => undefined);
    const error = await client.get({ kind: 'collection-update', taskId: 'a' }).catch((e: unknown) => e);
    for (const token of tokens) expectNoSecret(error, token, 'after rotation');
  });
});

describe('URLs lose their userinfo before they are shown', () => {
  it('a task URL with user:password: not sent, and not in the error, its message or the resume token', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    const seen: IncomingHttpHeaders[] = [];
    const server = await startFakeServer({
      routes: [
        {
          fake: vc.fake,
          method: 'GET',
          path: '/v1/tasks/:taskId',
          respond: (request) => {
            seen.push(request.headers);
            return { status: 503, body: '{"error":{"message":"busy"}}' };
          },
        },
      ],
    });
    servers.push(server);
    // No token of its own: the userinfo must not become a credential either.
    const client = createClient(vc.vendor, {
      baseUrl: server.url,
      token: false,
      retry: { retries: 0 },
      wait: { minDelayMs: 1, maxDelayMs: 2 },
    }) as unknown as Client;
    const withUserinfo = server.url.replace('http://', 'http://alice:hunter2secret@');
    for (const ref of [`${withUserinfo}/v1/tasks/task_1`, { url: `${withUserinfo}/v1/tasks/task_1` }]) {
      const error = await client.wait(ref, { timeoutMs: 30 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expectNoSecret(error, 'hunter2secret', 'WaitTimeoutError');
      expect((error as WaitTimeoutError).resumeToken).not.toContain('alice');
      // The token still resumes the wait on the same task.
      const again = await client
        .wait(ref, { resumeFrom: (error as WaitTimeoutError).resumeToken, timeoutMs: 10 })
        .catch((e: unknown) => e);
      expect(again).toBeInstanceOf(WaitTimeoutError);
    }
    expect(seen.every((h) => h.authorization === undefined)).toBe(true);
    expectNoSecret(server.requests, 'hunter2secret', 'request log');
  });

  it.each([
    ['a base URL that does not parse', { baseUrl: 'http://alice:hunter2secret@[::1' }],
    ['a base URL with userinfo', { baseUrl: 'http://alice:hunter2secret@127.0.0.1/' }],
    ['a trusted origin with userinfo', { trustedOrigins: ['http://alice:hunter2secret@127.0.0.1:1/'] }],
  ])('%s: a ConfigError that does not repeat the password', (_, options) => {
    const vc = VENDOR_CASES[0] as VendorCase;
    let error: unknown;
    try {
      createClient(vc.vendor, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expectNoSecret(error, 'hunter2secret', 'ConfigError');
  });

  it('a reference that does not parse as a URL', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    const client = createClient(vc.vendor, {
      baseUrl: 'http://127.0.0.1:9',
      token: 'zQ9plaintoken',
    }) as unknown as Client;
    const error = await client.get('http://alice:hunter2secret@[::1/v1/tasks/t').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expectNoSecret(error, 'hunter2secret', 'ConfigError');
  });

  it('a Layer IQ 202 whose Location has userinfo: the batch and its reference drop it, the wait works', async () => {
    const server = await startFakeServer({
      routes: [
        {
          ...layerIqIngest(),
          respond: async (request, context) => {
            const answer = await layerIqIngest().respond(request, context);
            const location = answer.headers?.location?.replace('http://', 'http://alice:hunter2secret@');
            return { ...answer, headers: { ...answer.headers, ...(location ? { location } : {}) } };
          },
        },
      ],
    });
    servers.push(server);
    const layer = createClient(layerIq, {
      baseUrl: server.url,
      token: 'liq_test_userinfo',
      wait: { minDelayMs: 1, maxDelayMs: 2 },
    });
    const batches = [];
    for await (const batch of layer.ingestBatches([{ identifier: 'a' }, { identifier: '' }])) batches.push(batch);
    expectNoSecret(batches, 'hunter2secret', 'IngestBatch');
    const done = await layer.wait(batches[0]?.ref as string);
    expect(done.state).toBe('partial');
  });

  it('a credential in a query string is masked in errors and in the request log', async () => {
    const vc = VENDOR_CASES[0] as VendorCase;
    const server = await startFakeServer({
      routes: [
        { fake: vc.fake, method: 'GET', path: '/v1/tasks/:taskId', respond: () => ({ status: 404, body: '{}' }) },
      ],
    });
    servers.push(server);
    const client = createClient(vc.vendor, { ...server.clientOptions, retry: { retries: 0 } }) as unknown as Client;
    const error = await client.get(`${server.url}/v1/tasks/t?api_key=zQ9querysecret&page=2`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expectNoSecret(error, 'zQ9querysecret', 'HttpError');
    expectNoSecret(server.requests, 'zQ9querysecret', 'request log');
  });
});

describe('a redirect', () => {
  /** A raw loopback server; `answer` decides each response. */
  async function raw(
    answer: (
      url: string,
      headers: IncomingHttpHeaders,
    ) => { status: number; headers?: Record<string, string>; body?: string },
  ) {
    const server = createServer((req, res) => {
      const a = answer(req.url ?? '/', req.headers);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it.each(VENDOR_CASES)(
    'to another origin: $name sends the credential nowhere else, and says why it stopped',
    async (vc) => {
      const elsewhere: IncomingHttpHeaders[] = [];
      const other = await raw((_, headers) => {
        elsewhere.push(headers);
        return { status: 200, body: '{}' };
      });
      const origin = await raw((url) => ({ status: 302, headers: { location: `${other}${url}` } }));
      const client = createClient(vc.vendor, {
        baseUrl: origin,
        token: vc.token,
        retry: { retries: 0 },
      }) as unknown as Client;
      const error = await client
        .get(vc.fake.ref(Object.keys(vc.fake.kinds)[0] as string, vc.id(5)))
        .catch((e: unknown) => e);
      expect(elsewhere).toEqual([]);
      expect(error).toMatchObject({ name: 'HttpError', status: 302, message: expect.stringMatching(/redirect/) });
      expect((error as HttpError).transient).toBe(false);
    },
  );

  it('within the origin: followed, with the credential', async () => {
    const vc = VENDOR_CASES.find((c) => c.name === 'mixpeek') as VendorCase;
    const auth: (string | undefined)[] = [];
    const origin = await raw((url, headers) => {
      auth.push(headers.authorization);
      if (!url.startsWith('/moved/')) return { status: 307, headers: { location: `/moved${url}` } };
      return { status: 200, body: '{"task_id":"t1","task_type":"thumbnail","status":"COMPLETED"}' };
    });
    const client = createClient(vc.vendor, { baseUrl: origin, token: 'zQ9samesite0000token', retry: { retries: 0 } });
    await expect(client.get('t1')).resolves.toMatchObject({ state: 'succeeded' });
    expect(auth).toEqual(['Bearer zQ9samesite0000token', 'Bearer zQ9samesite0000token']);
  });

  it('in a loop: stops after a few hops with the 3xx', async () => {
    let hops = 0;
    const origin = await raw(() => {
      hops++;
      return { status: 302, headers: { location: `/again-${hops}` } };
    });
    const vc = VENDOR_CASES[0] as VendorCase;
    const client = createClient(vc.vendor, {
      baseUrl: origin,
      token: 'zQ9plaintoken',
      retry: { retries: 0 },
    }) as unknown as Client;
    await expect(client.get(vc.id(1))).rejects.toMatchObject({ name: 'HttpError', status: 302 });
    expect(hops).toBeLessThanOrEqual(6);
  });
});

describe('the Layer IQ webhook verifier (what layer-iq.webhook.test.ts does not cover)', () => {
  const SECRET = 'whsec_zQ9webhook0secret0abc';
  const BODY = JSON.stringify({
    id: 'evt_1',
    type: 'asset.ingest.completed',
    createdAt: '2025-03-04T10:16:31Z',
    data: { counts: {}, mode: 'INGEST', status: 'COMPLETE', taskId: 'run_1', taskUrl: '/tasks/run_1' },
  });
  const T = 1_741_083_391;

  it('compares every byte: a signature off only in its first or only in its last byte is refused', async () => {
    const good = (await signWebhook({ payload: BODY, secret: SECRET, timestamp: T })).split('v1=')[1] as string;
    const flip = (hex: string, at: number) =>
      hex.slice(0, at) + ((Number.parseInt(hex[at] as string, 16) ^ 1).toString(16) as string) + hex.slice(at + 1);
    for (const bad of [flip(good, 0), flip(good, 63), flip(good, 31)]) {
      const error = await verifyWebhook({
        payload: BODY,
        header: `t=${T},v1=${bad}`,
        secret: SECRET,
        now: T * 1000,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'bad-signature' });
      // Says nothing of what the right signature or the secret would have been.
      expectNoSecret(error, good, 'WebhookVerificationError');
      expectNoSecret(error, SECRET, 'WebhookVerificationError');
    }
  });

  it('a valid delivery replayed after the window is refused, before and after its body is read', async () => {
    const header = await signWebhook({ payload: BODY, secret: SECRET, timestamp: T });
    await expect(
      verifyWebhook({ payload: BODY, header, secret: SECRET, now: T * 1000 + 60_000 }),
    ).resolves.toMatchObject({ id: 'evt_1' });
    for (const later of [301, 3600, 86_400 * 365]) {
      const error = await verifyWebhook({ payload: BODY, header, secret: SECRET, now: (T + later) * 1000 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WebhookVerificationError);
      expect(error).toMatchObject({ reason: 'stale-timestamp' });
    }
    // The timestamp is part of what is signed: moving it forward breaks the signature.
    const moved = header.replace(`t=${T}`, `t=${T + 600}`);
    const error = await verifyWebhook({ payload: BODY, header: moved, secret: SECRET, now: (T + 600) * 1000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'bad-signature' });
  });

  it('refuses a window or secret that would disable the check', async () => {
    const header = await signWebhook({ payload: BODY, secret: SECRET, timestamp: T });
    for (const toleranceSeconds of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      await expect(verifyWebhook({ payload: BODY, header, secret: SECRET, toleranceSeconds })).rejects.toBeInstanceOf(
        ConfigError,
      );
    }
    await expect(verifyWebhook({ payload: BODY, header, secret: '' })).rejects.toBeInstanceOf(ConfigError);
  });
});
