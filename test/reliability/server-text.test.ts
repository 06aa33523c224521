// Server text is hostile: a credential it holds is redacted in keys as well as values, wherever
// server JSON is kept (snapshot.raw, an HttpError's problem) or shown (messages, issues, toJSON());
// JSON.parse's own message, which quotes the body, never reaches an error; and what a message or
// a snapshot field quotes of the server is bounded, the whole body staying in `raw`.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createClient,
  defineTask,
  defineVendor,
  HttpError,
  ResponseValidationError,
  TaskFailedError,
  TaskwaitError,
  WaitTimeoutError,
} from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { answer, type Behaviour, type HostileServer, startHostile } from '../helpers/hostile.js';

const TOKEN = 'zQ9xK2mPq7vT4wL8rNb3hE5s';

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function mixpeekAt(behave: Behaviour) {
  const server = await startHostile(behave);
  servers.push(server);
  return createClient(mixpeek, {
    baseUrl: server.url,
    token: TOKEN,
    retry: { retries: 0 },
    wait: { minDelayMs: 1, maxDelayMs: 5, jitter: 0 },
  });
}

const failed = (extra: Record<string, unknown>) => ({
  task_id: 'task_1',
  task_type: 'api_buckets_batches_process',
  status: 'FAILED',
  ...extra,
});

/** Every way a value can be shown: text, JSON, inspect() and, for errors, the cause chain and toJSON(). */
function views(value: unknown): string[] {
  const out = [inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }), JSON.stringify(value) ?? ''];
  let error: unknown = value;
  for (let i = 0; i < 10 && error instanceof Error; i++) {
    out.push(error.message, String(error.stack));
    if (error instanceof TaskwaitError) out.push(JSON.stringify(error.toJSON()));
    error = error.cause;
  }
  return out;
}

/** No view holds the token, nor any 6 characters of it in a row (a fragment cut out of it). */
function expectNoFragment(value: unknown, where: string): void {
  const fragments = Array.from({ length: TOKEN.length - 5 }, (_, i) => TOKEN.slice(i, i + 6));
  for (const text of views(value)) {
    const found = fragments.find((f) => text.includes(f));
    expect(found, `${where}: ${text.slice(0, 300)}`).toBeUndefined();
  }
}

describe('the token as a JSON key', () => {
  it('is renamed in snapshot.raw and kept out of the TaskFailedError message, the value kept', async () => {
    const client = await mixpeekAt(
      answer(200, failed({ additional_data: { error: { [TOKEN]: 'denied', [`key-${TOKEN}`]: 'also' } } })),
    );
    const snapshot = await client.get('task_1');
    expect(snapshot.raw.additional_data?.error).toEqual({ '[REDACTED]': 'denied', 'key-[REDACTED]': 'also' });
    expect(snapshot.error?.message).toBe('{"[REDACTED]":"denied","key-[REDACTED]":"also"}');
    const error = await client.wait('task_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as Error).message).toBe(
      'mixpeek task task_1 failed (status FAILED): {"[REDACTED]":"denied","key-[REDACTED]":"also"}',
    );
    expectNoFragment(snapshot, 'snapshot');
    expectNoFragment(error, 'TaskFailedError');
  });

  it('is renamed when the server spells it with JSON escapes, in the order the keys came', async () => {
    const escaped = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const body = `{"task_id":"task_1","task_type":"x","status":"FAILED","additional_data":{"error":{"first":1,"${escaped}":"denied","last":2}}}`;
    const client = await mixpeekAt(answer(200, body));
    const snapshot = await client.get('task_1');
    const details = snapshot.raw.additional_data?.error as Record<string, unknown>;
    expect(Object.entries(details)).toEqual([
      ['first', 1],
      ['[REDACTED]', 'denied'],
      ['last', 2],
    ]);
    expectNoFragment(snapshot, 'snapshot');
  });

  it('is renamed in the problem document of an HttpError', async () => {
    const client = await mixpeekAt(answer(401, { title: 'Unauthorized', detail: 'no', extensions: { [TOKEN]: 1 } }));
    const error = await client.get('task_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).problem?.extensions).toEqual({ '[REDACTED]': 1 });
    expectNoFragment(error, 'HttpError');
  });

  it('is redacted in the issue path of a schema failure', async () => {
    const Job = z.looseObject({ id: z.string(), state: z.string(), counts: z.record(z.string(), z.number()) });
    const acme = defineVendor({
      name: 'acme',
      baseUrl: 'https://api.acme.test/v1',
      auth: (token) => ({ Authorization: `Bearer ${token}` }),
      statuses: ['done'],
      states: { done: 'succeeded' },
      tasks: {
        job: defineTask({ model: 'Job', schema: Job, status: (j) => j.state, snapshot: (j) => ({ id: j.id }) }),
      },
      ref: z.string(),
      route: (id) => ({ kind: 'job', path: ['jobs', id] }),
    });
    const server = await startHostile(answer(200, { id: 'j1', state: 'done', counts: { [TOKEN]: 'not a number' } }));
    servers.push(server);
    const client = createClient(acme, { baseUrl: server.url, token: TOKEN, retry: { retries: 0 } });
    const error = await client.get('j1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]?.path).toEqual(['counts', '[REDACTED]']);
    expectNoFragment(error, 'ResponseValidationError');
  });
});

describe('an echoed token in a payload: exactly what is replaced, and nothing else', () => {
  it('values at any depth, arrays included, and keys; a key renamed onto another gets a suffix', async () => {
    const client = await mixpeekAt(
      answer(
        200,
        failed({
          additional_data: {
            error: {
              list: [TOKEN, { deep: `x ${TOKEN}` }, 3, null, 'see sk_live_abcd'],
              [TOKEN]: 1,
              '[REDACTED]': 2,
              nested: { [TOKEN]: { [`a${TOKEN}`]: 'v' } },
              plain: 'Bearer abcdefgh stays: no secret in it',
            },
          },
        }),
      ),
    );
    const snapshot = await client.get('task_1');
    const error = snapshot.raw.additional_data?.error as Record<string, unknown>;
    expect(error).toStrictEqual({
      list: ['[REDACTED]', { deep: 'x [REDACTED]' }, 3, null, 'see sk_live_abcd'],
      '[REDACTED]': 1,
      '[REDACTED] (2)': 2,
      nested: { '[REDACTED]': { 'a[REDACTED]': 'v' } },
      plain: 'Bearer abcdefgh stays: no secret in it',
    });
    expect(Object.keys(error)).toEqual(['list', '[REDACTED]', '[REDACTED] (2)', 'nested', 'plain']);
    // The renamed keys are ordinary ones: a caller may change or delete them.
    error['[REDACTED]'] = 'changed';
    delete error['[REDACTED] (2)'];
    expect(error['[REDACTED]']).toBe('changed');
    expect(Object.keys(error)).toEqual(['list', '[REDACTED]', 'nested', 'plain']);
  });

  it('a renamed key takes the first free suffix', async () => {
    const client = await mixpeekAt(
      answer(200, failed({ additional_data: { error: { '[REDACTED] (2)': 'a', [TOKEN]: 'b', '[REDACTED]': 'c' } } })),
    );
    const snapshot = await client.get('task_1');
    expect(snapshot.raw.additional_data?.error).toStrictEqual({
      '[REDACTED] (2)': 'a',
      '[REDACTED]': 'b',
      '[REDACTED] (3)': 'c',
    });
  });

  it('a payload without the token is left as the server wrote it', async () => {
    const body = failed({ additional_data: { error: { [`${TOKEN.slice(0, 10)}`]: 'Bearer abcdefgh', n: [1, 2] } } });
    const client = await mixpeekAt(answer(200, body));
    const snapshot = await client.get('task_1');
    expect(snapshot.raw.additional_data?.error).toStrictEqual({ [TOKEN.slice(0, 10)]: 'Bearer abcdefgh', n: [1, 2] });
  });

  it('an error body keeps its own layout when no token is in it, and loses a JSON-escaped one', async () => {
    const pretty = '{ "detail": "no such task",  "n": 1 }';
    const plain = await (await mixpeekAt(answer(404, pretty))).get('task_1').catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(HttpError);
    expect((plain as HttpError).bodyExcerpt).toBe(pretty);
    // The token's first character written as \u00XX: the text does not hold it, the parsed body does.
    const escaped = `{"detail": "bad \\u00${TOKEN.charCodeAt(0).toString(16)}${TOKEN.slice(1)}"}`;
    expect(escaped.includes(TOKEN)).toBe(false);
    const hidden = await (await mixpeekAt(answer(400, escaped))).get('task_1').catch((e: unknown) => e);
    expect((hidden as HttpError).bodyExcerpt).toBe('{"detail":"bad [REDACTED]"}');
    // In a key only.
    const inKey = `{"\\u00${TOKEN.charCodeAt(0).toString(16)}${TOKEN.slice(1)}": "bad"}`;
    const keyed = await (await mixpeekAt(answer(400, inKey))).get('task_1').catch((e: unknown) => e);
    expect((keyed as HttpError).bodyExcerpt).toBe('{"[REDACTED]":"bad"}');
  });

  it('a token of 4 characters is redacted; one of 3 is too short to tell from text, and kept', async () => {
    for (const [token, shown] of [
      ['tk4x', '[REDACTED]'],
      ['tk3', 'tk3'],
    ]) {
      const server = await startHostile(answer(200, failed({ additional_data: { error: { note: `id ${token}` } } })));
      servers.push(server);
      const client = createClient(mixpeek, { baseUrl: server.url, token, retry: { retries: 0 } });
      const snapshot = await client.get('task_1');
      expect(snapshot.raw.additional_data?.error).toStrictEqual({ note: `id ${shown}` });
    }
  });
});

describe("JSON.parse's own message, which quotes the body, reaches no error", () => {
  it.each([
    ['a body that names the token', `key ${TOKEN} rejected`, 'key [REDACTED] rejected'],
    ['a body that is the token', TOKEN, '[REDACTED]'],
    // Redacted whole, then cut before the word the cut falls in.
    [
      'a body where the token starts before the cut',
      `${'x'.repeat(36)} ${TOKEN}`,
      `${'x'.repeat(36)} […(9 more bytes)`,
    ],
  ])('%s: the ResponseValidationError, its issues and toJSON()', async (_, body, starts) => {
    const client = await mixpeekAt(answer(200, body, { 'content-type': `text/plain; echo=${TOKEN}` }));
    const error = await client.get('task_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ reason: 'not-json' });
    expect((error as ResponseValidationError).issues[0]?.message).toBe(
      `not valid JSON (content-type text/plain; echo=[REDACTED]; starts ${JSON.stringify(starts)})`,
    );
    expectNoFragment(error, 'ResponseValidationError');
  });

  it('the WaitTimeoutError whose cause it is', async () => {
    const client = await mixpeekAt(answer(200, `key ${TOKEN} rejected`));
    const error = await client.wait('task_1', { timeoutMs: 600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).cause).toBeInstanceOf(ResponseValidationError);
    expectNoFragment(error, 'WaitTimeoutError');
  });
});

describe('what a message or a snapshot field quotes of the server is bounded', () => {
  it("a failure text of 117 KiB: 4096 characters in the snapshot, the message's quote of it bounded, all of it in raw", async () => {
    const text = 'a.'.repeat(60_000);
    const client = await mixpeekAt(answer(200, failed({ error_message: text })));
    const error = await client.wait('task_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const snapshot = (error as TaskFailedError).snapshot;
    expect(snapshot.error?.message).toBe(`${'a.'.repeat(2048)}…(115904 more bytes)`);
    expect((snapshot.raw as { error_message: string }).error_message).toBe(text);
    expect((error as Error).message).toBe(
      `mixpeek task task_1 failed (status FAILED): ${'a.'.repeat(2048)}…(115904 more bytes)`,
    );
  });

  it('a cut never leaves a fragment of a token-like word', async () => {
    // Someone else's credential, which only the patterns know: one cut in half would slip past them.
    const other = 'eyJhbGciOiJIUzI1NiJ9Xq7vT4wL8rNb3';
    const text = `${'word '.repeat(817)}Bearer ${other} and more`;
    const client = await mixpeekAt(answer(200, failed({ error_message: text })));
    const snapshot = await client.get('task_1');
    // The cut at 4096 falls inside the credential: the field ends before it.
    expect(snapshot.error?.message).toBe(`${'word '.repeat(817)}Bearer …(${text.length - 4092} more bytes)`);
    expect(snapshot.error?.message).not.toContain(other.slice(0, 4));
  });

  it('a task id 100 KiB long: 4096 characters in the snapshot, 200 in the message', async () => {
    const id = 'i'.repeat(100_000);
    const client = await mixpeekAt(answer(200, failed({ task_id: id })));
    const error = await client.wait('task_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).snapshot.id).toBe(`${'i'.repeat(4096)}…(95904 more bytes)`);
    expect((error as Error).message).toMatch(/^mixpeek task i{200}…\(\d+ more bytes\) failed \(status FAILED\)$/);
  });

  it('an unknown status 156 KiB long: the snapshot keeps 4096 characters, the WaitTimeoutError 200', async () => {
    const status = 'a.'.repeat(80_000);
    const client = await mixpeekAt(answer(200, { task_id: 'task_1', task_type: 'x', status }));
    const error = await client.wait('task_1', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    const snapshot = (error as WaitTimeoutError).snapshot;
    expect(snapshot?.state).toBe('unknown');
    expect(snapshot?.rawStatus).toBe(`${'a.'.repeat(2048)}…(155904 more bytes)`);
    expect((error as Error).message).toMatch(/; last seen unknown \((a\.){100}…\(\d+ more bytes\)\)$/);
  });
});
