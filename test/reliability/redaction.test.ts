// Redaction and every message built from server text run in linear time: each path is fed
// adversarial strings of 256 KiB and 1 MiB (shaped against each redaction pattern), and the time
// for the 4x larger input must stay under 8x. A quadratic path gives 16x (before the fix, 'a.a.a.'
// of 1 MiB took hours); a linear one 4x to 6x. The time is this process's CPU time, not wall time:
// on a busy machine wall time varied 3x from run to run, and put linear code at 8x to 12x.
// (The times per MiB are in the bench: npx tsx bench/redaction.ts.)
import { describe, expect, it } from 'vitest';
import {
  createClient,
  HttpError,
  ResponseValidationError,
  redact,
  TaskFailedError,
  type TaskSnapshot,
  WaitTimeoutError,
} from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const SMALL = 256 * 1024;
const LARGE = 1024 * 1024;
const SECRET = 'sk_test_Lin3arRedaction0001';

/** `unit` repeated (and cut) to exactly `size` characters, behind `head`. */
const fill = (unit: string, size: number, head = '') =>
  (head + unit.repeat(Math.ceil(size / unit.length))).slice(0, size);

/** Strings that make a backtracking pattern rescan what it scanned: one per pattern, and then some. */
const ADVERSARIAL: [string, (size: number) => string][] = [
  ['a.a.a. (a URL scheme that never ends)', (n) => fill('a.', n)],
  ['a:a:a: (schemes without //)', (n) => fill('a:', n)],
  ['x:// then a userinfo without @', (n) => fill('a', n, 'x://')],
  ['a://a://a://', (n) => fill('a://', n)],
  ['https://a@https://a@', (n) => fill('https://a@', n)],
  ['Bearer then spaces that never end in a token', (n) => `${fill(' ', n - 1, 'Bearer')}!`],
  ['Bearer Bearer Bearer', (n) => fill('Bearer ', n)],
  ['token then spaces, no separator', (n) => fill(' ', n, 'token')],
  ['token= then spaces then two characters', (n) => `${fill(' ', n - 2, 'token=')}ab`],
  ['"token": repeated', (n) => fill('"token":', n)],
  ['sk_ and PMAK- prefixes', (n) => fill('sk_ PMAK- liq_test_ ', n)],
  ['the secret over and over', (n) => fill(`${SECRET} `, n)],
  ['JSON escapes', (n) => fill('\\u0041', n)],
  ['one long word', (n) => fill('a', n)],
  ['multibyte text', (n) => fill('ü€😀', n)],
];

/**
 * The CPU time `work` takes, in ms: this process's, so that other processes on a busy machine
 * don't count (wall time under load varied 3x from run to run).
 */
async function cpuTime(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

// For the paths that quote the text rather than redact all of it (errors, clients): one string per pattern.
const PER_PATTERN = new Set([
  'a.a.a. (a URL scheme that never ends)',
  'x:// then a userinfo without @',
  'Bearer then spaces that never end in a token',
  'token then spaces, no separator',
  '"token": repeated',
  'the secret over and over',
]);

/** For each adversarial string: the time at 1 MiB over the time at 256 KiB (the latter at least 1 ms). */
async function ratios(path: (text: string) => unknown, only?: Set<string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, make] of ADVERSARIAL) {
    if (only && !only.has(name)) continue;
    const small = make(SMALL);
    const large = make(LARGE);
    // Warm up at both sizes: a first run on a large text (a regular expression compiled on first
    // use, a large buffer) is not the steady state the ratio is about.
    await path(small);
    await path(large);
    // Interleaved, the quickest of each: a pause (a GC, a busy moment) hits either size alike.
    let t1 = Number.POSITIVE_INFINITY;
    let t4 = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3; run++) {
      t1 = Math.min(t1, await cpuTime(() => path(small)));
      t4 = Math.min(t4, await cpuTime(() => path(large)));
    }
    out[name] = Math.round((t4 / Math.max(t1, 1)) * 10) / 10;
  }
  return out;
}

function expectLinear(found: Record<string, number>): void {
  const slow = Object.entries(found).filter(([, ratio]) => ratio >= 8);
  expect(slow, JSON.stringify(found)).toEqual([]);
}

const snapshotOf = (text: string): TaskSnapshot => ({
  vendor: 'mixpeek',
  kind: 'task',
  id: text,
  state: 'failed',
  terminal: true,
  rawStatus: text,
  raw: { text },
  error: { message: text, code: text },
  message: text,
});

/** A client whose fetch answers every request at once with `respond(text)`. */
function clientAnswering(respond: (text: string) => { status: number; body: string }) {
  let text = '';
  const client = createClient(mixpeek, {
    baseUrl: 'https://api.mixpeek.test',
    token: SECRET,
    retry: { retries: 0 },
    maxResponseBytes: 16 * 1024 * 1024,
    fetch: async () => {
      const { status, body } = respond(text);
      return new Response(body, { status, headers: { 'content-type': 'application/json' } });
    },
  });
  return (next: string) => {
    text = next;
    return client;
  };
}

describe('redaction and messages take time linear in the server text', () => {
  it('redact(), with and without exact secrets', async () => {
    expectLinear(await ratios((text) => redact(text)));
    expectLinear(await ratios((text) => redact(text, [SECRET, 'other-secret-value'])));
  }, 60_000);

  it('the messages and toJSON() of HttpError, ResponseValidationError, TaskFailedError and WaitTimeoutError', async () => {
    expectLinear(
      await ratios(
        (text) =>
          new HttpError({
            vendor: 'mixpeek',
            status: 500,
            method: 'GET',
            url: 'https://api.mixpeek.test/v1/tasks/t',
            bodyExcerpt: text,
            problem: { title: text, detail: text, [text]: text },
          }).toJSON(),
        PER_PATTERN,
      ),
    );
    expectLinear(
      await ratios(
        (text) =>
          new ResponseValidationError({
            vendor: 'mixpeek',
            model: 'TaskResponse',
            reason: 'schema',
            issues: [{ path: [text, 0, text], message: text, code: text }],
            url: 'https://api.mixpeek.test/v1/tasks/t',
            status: 200,
          }).toJSON(),
        PER_PATTERN,
      ),
    );
    expectLinear(await ratios((text) => new TaskFailedError(snapshotOf(text)).toJSON(), PER_PATTERN));
    expectLinear(
      await ratios(
        (text) =>
          new WaitTimeoutError({
            vendor: 'mixpeek',
            id: text,
            snapshot: snapshotOf(text),
            elapsedMs: 1,
            polls: 1,
            resumeToken: '{}',
            cause: new Error(text),
          }).toJSON(),
        PER_PATTERN,
      ),
    );
  }, 60_000);

  it('a failed task whose failure text, keys and status are the server text, through get() and wait()', async () => {
    const answering = clientAnswering((text) => ({
      status: 200,
      body: JSON.stringify({
        task_id: 'task_1',
        task_type: 'x',
        status: 'FAILED',
        error_message: `${text} ${SECRET}`,
        additional_data: { error: { [`${text}${SECRET}`]: text } },
      }),
    }));
    expectLinear(
      await ratios(
        (text) =>
          answering(text)
            .wait('task_1')
            .catch((e: TaskFailedError) => e.toJSON()),
        PER_PATTERN,
      ),
    );
    const unknown = clientAnswering((text) => ({
      status: 200,
      body: JSON.stringify({ task_id: text, task_type: 'x', status: text }),
    }));
    expectLinear(await ratios((text) => unknown(text).get('task_1'), PER_PATTERN));
  }, 120_000);

  it('a body that is not JSON, and an error answer, through get()', async () => {
    const garbled = clientAnswering((text) => ({ status: 200, body: text }));
    expectLinear(
      await ratios(
        (text) =>
          garbled(text)
            .get('task_1')
            .catch((e: ResponseValidationError) => e.toJSON()),
        PER_PATTERN,
      ),
    );
    const failing = clientAnswering((text) => ({ status: 500, body: JSON.stringify({ detail: text }) }));
    expectLinear(
      await ratios(
        (text) =>
          failing(text)
            .get('task_1')
            .catch((e: HttpError) => e.toJSON()),
        PER_PATTERN,
      ),
    );
  }, 120_000);
});
