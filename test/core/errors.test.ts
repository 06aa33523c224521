// The error classes and redact(), through the public API: the exact message each builds, what it
// keeps, what it redacts and what it leaves alone. (How the client raises them is in client.test.ts;
// secrets end to end in test/reliability/secrets.test.ts.)
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  HttpError,
  isTransient,
  isTransientStatus,
  NetworkError,
  ResponseValidationError,
  redact,
  TaskFailedError,
  type TaskSnapshot,
  TaskwaitError,
  WaitTimeoutError,
} from '../../src/index.js';

describe('redact() replaces credentials with [REDACTED] and keeps the rest', () => {
  it.each([
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer [REDACTED]'],
    ['auth=Basic dXNlcjpwYXNz!', 'auth=Basic [REDACTED]!'],
    ['header AnaplanAuthToken eyJhbGci.x_y', 'header AnaplanAuthToken [REDACTED]'],
    ['bearer abcdef and more', 'bearer [REDACTED] and more'],
    ['Token:abcdef0', 'Token:[REDACTED]'],
    ['key liq_live_abcd1234 end', 'key liq_live_[REDACTED] end'],
    ['key liq_test_abcd end', 'key liq_test_[REDACTED] end'],
    ['sk_live_abcd sk_test_wxyz sk_0000', 'sk_live_[REDACTED] sk_test_[REDACTED] sk_[REDACTED]'],
    ['x PMAK-1234abcd-99 y', 'x PMAK-[REDACTED] y'],
    ['?api_key=abc123&page=2', '?api_key=[REDACTED]&page=2'],
    ['{"password": "hunter2", "user": "ann"}', '{"password": "[REDACTED]", "user": "ann"}'],
    ["apikey: 'xyz9'", "apikey: '[REDACTED]'"],
    ['API-KEY=abcd,next', 'API-KEY=[REDACTED],next'],
    ['secret=s3cr}', 'secret=[REDACTED]}'],
    ['access_token = tok tail', 'access_token = [REDACTED] tail'],
    ['signature:sig1 ok', 'signature:[REDACTED] ok'],
    ['see https://ann:pw@host.example/x', 'see https://[REDACTED]@host.example/x'],
    ['git+ssh://deploy@host:22/repo', 'git+ssh://[REDACTED]@host:22/repo'],
    ['HTTPS://A:B@h', 'HTTPS://[REDACTED]@h'],
  ])('%j', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    ['a token form too short to be one', 'Bearer abcde'],
    ['a scheme word glued to another word', 'xBearer abcdefgh'],
    ['a key prefix in lower case where the vendor writes upper', 'pmak-1234abcd'],
    ['a key too short', 'liq_live_abc sk_abc'],
    ['a named value too short', 'token=ab password: x'],
    ['a URL without userinfo', 'https://host.example/a@b'],
    ['plain text', 'nothing to see here'],
  ])('leaves %s alone', (_, text) => {
    expect(redact(text)).toBe(text);
  });

  it('replaces every occurrence of each exact secret of 4 characters or more, and no shorter one', () => {
    expect(redact('a s3cret b s3cret c', ['s3cret'])).toBe('a [REDACTED] b [REDACTED] c');
    expect(redact('abcd', ['abcd'])).toBe('[REDACTED]');
    expect(redact('abc abc', ['abc'])).toBe('abc abc');
    expect(redact('one two', ['zzzz', 'two!', 'one '])).toBe('[REDACTED]two');
  });
});

describe('TaskwaitError', () => {
  it('redacts its message, names itself and is not transient', () => {
    const error = new TaskwaitError('failed with Bearer abcdefgh');
    expect(error.message).toBe('failed with Bearer [REDACTED]');
    expect(error.name).toBe('TaskwaitError');
    expect(error.transient).toBe(false);
    expect(error).toBeInstanceOf(Error);
    expect('cause' in error).toBe(false);
  });

  it('bounds a long message to 16,384 characters and says how much more there was', () => {
    const error = new TaskwaitError('a '.repeat(10_000));
    expect(error.message).toBe(`${'a '.repeat(8192)}…(3616 more bytes)`);
    expect(new TaskwaitError('b'.repeat(16_384)).message).toBe('b'.repeat(16_384));
  });

  it('cuts a long message before a token-like word, not inside it', () => {
    const spaced = `${'b'.repeat(16_350)} ${'b'.repeat(100)}`;
    expect(new TaskwaitError(spaced).message).toBe(`${'b'.repeat(16_350)} …(100 more bytes)`);
    // A run longer than any token form is cut where it stands.
    expect(new TaskwaitError('b'.repeat(16_451)).message).toBe(`${'b'.repeat(16_384)}…(67 more bytes)`);
    // A cut that would split a surrogate pair moves before it; the rest is counted in UTF-8 bytes.
    expect(new TaskwaitError(`${'a'.repeat(16_383)}😀${'a'.repeat(10)}`).message).toBe(
      `${'a'.repeat(16_383)}…(14 more bytes)`,
    );
    expect(new TaskwaitError(`${'a'.repeat(16_382)} é${'a'.repeat(10)}`).message).toBe(
      `${'a'.repeat(16_382)} é…(10 more bytes)`,
    );
  });

  it('a word that ends at the cut is kept; a run of exactly 64 token characters is dropped whole', () => {
    const ends = `${'a'.repeat(16_370)} ${'b'.repeat(13)} ${'z'.repeat(100)}`;
    expect(new TaskwaitError(ends).message).toBe(`${'a'.repeat(16_370)} ${'b'.repeat(13)}…(101 more bytes)`);
    const run = `${'a'.repeat(16_319)} ${'b'.repeat(200)}`;
    expect(new TaskwaitError(run).message).toBe(`${'a'.repeat(16_319)} …(200 more bytes)`);
  });

  it.each([
    ['U+10000', '\u{10000}', 14],
    ['U+10FFFF', '\u{10FFFF}', 14],
  ])('a cut never splits %s, the first or last of the high surrogates', (_, char, more) => {
    expect(new TaskwaitError(`${'a'.repeat(16_383)}${char}${' '.repeat(10)}`).message).toBe(
      `${'a'.repeat(16_383)}…(${more} more bytes)`,
    );
  });

  it('a cut after a character above the surrogates keeps it', () => {
    expect(new TaskwaitError(`${'a'.repeat(16_383)}\uff46${' '.repeat(10)}`).message).toBe(
      `${'a'.repeat(16_383)}\uff46…(10 more bytes)`,
    );
  });

  it('toJSON() is its name, message, own fields and a described cause', () => {
    expect(new TaskwaitError('plain').toJSON()).toStrictEqual({ name: 'TaskwaitError', message: 'plain' });
    const inner = new ConfigError('ref', 'bad ref');
    const outer = new TaskwaitError('outer', { cause: inner });
    expect(outer.cause).toBe(inner);
    expect(outer.toJSON()).toStrictEqual({
      name: 'TaskwaitError',
      message: 'outer',
      cause: { name: 'ConfigError', message: 'bad ref', field: 'ref' },
    });
    const typed = new TaskwaitError('x', { cause: new TypeError('Bearer abcdefgh broke') });
    expect(typed.toJSON()).toStrictEqual({
      name: 'TaskwaitError',
      message: 'x',
      cause: { name: 'TypeError', message: 'Bearer [REDACTED] broke' },
    });
    expect(new TaskwaitError('y', { cause: 'sk_live_abcdef' }).toJSON()).toStrictEqual({
      name: 'TaskwaitError',
      message: 'y',
      cause: 'sk_live_[REDACTED]',
    });
    expect(new TaskwaitError('z', { cause: Symbol('why') }).toJSON().cause).toBe('Symbol(why)');
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(new TaskwaitError('h', { cause: hostile }).toJSON().cause).toBe('[object Object]');
    expect(new TaskwaitError('n', { cause: 42 }).toJSON().cause).toBe('42');
    expect(new TaskwaitError('l', { cause: 'x'.repeat(5000) }).toJSON().cause).toBe(
      `${'x'.repeat(4160)}…(840 more bytes)`,
    );
  });

  it('a ConfigError names the field at fault', () => {
    const error = new ConfigError('baseUrl', 'baseUrl must be absolute');
    expect(error.field).toBe('baseUrl');
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe('baseUrl must be absolute');
    expect(error).toBeInstanceOf(TaskwaitError);
  });
});

describe('isTransientStatus() and isTransient()', () => {
  it.each([408, 425, 429, 500, 502, 503, 504])('%i is worth retrying', (status) => {
    expect(isTransientStatus(status)).toBe(true);
  });
  it.each([200, 400, 401, 403, 404, 409, 422, 501, 505])('%i is not', (status) => {
    expect(isTransientStatus(status)).toBe(false);
  });
  it('isTransient() asks a TaskwaitError only', () => {
    expect(isTransient({ transient: true })).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
    expect(isTransient(new TaskwaitError('x'))).toBe(false);
    expect(isTransient(new NetworkError({ method: 'GET', url: 'https://a.test/', timedOut: true, vendor: 'v' }))).toBe(
      true,
    );
  });
});

const http = (init: Partial<ConstructorParameters<typeof HttpError>[0]> = {}) =>
  new HttpError({
    status: 500,
    method: 'GET',
    url: 'https://api.test/tasks/1',
    bodyExcerpt: '',
    vendor: 'acme',
    ...init,
  });

describe('HttpError', () => {
  it('says who answered what to which URL, with the problem detail', () => {
    const error = http({
      status: 404,
      url: 'https://ann:pw@api.test/tasks/1?token=abc&page=2',
      bodyExcerpt: '{"detail":"gone"}',
      problem: { detail: 'gone', title: 'Not Found' },
      retryAfterMs: 1500,
      headers: { 'x-request-id': 'r-1' },
      requestId: 'r-1',
    });
    expect(error.message).toBe(
      'acme: GET https://api.test/tasks/1?token=[REDACTED]&page=2 answered 404 (no such task: check the id and the base URL): gone',
    );
    expect(error.url).toBe('https://api.test/tasks/1?token=%5BREDACTED%5D&page=2');
    expect(error.name).toBe('HttpError');
    expect(error.status).toBe(404);
    expect(error.method).toBe('GET');
    expect(error.bodyExcerpt).toBe('{"detail":"gone"}');
    expect(error.problem).toStrictEqual({ detail: 'gone', title: 'Not Found' });
    expect(error.retryAfterMs).toBe(1500);
    expect(error.headers).toStrictEqual({ 'x-request-id': 'r-1' });
    expect(error.requestId).toBe('r-1');
    expect(error.transient).toBe(false);
  });

  it('falls back to the title, then to the first 200 characters of the body, then to nothing', () => {
    expect(http({ problem: { detail: '', title: 'Busy' } }).message).toBe(
      'acme: GET https://api.test/tasks/1 answered 500: Busy',
    );
    expect(http({ problem: { detail: 42 as unknown as string, title: 'Busy' } }).message).toBe(
      'acme: GET https://api.test/tasks/1 answered 500: Busy',
    );
    expect(http({ problem: { title: '' }, bodyExcerpt: 'x'.repeat(300) }).message).toBe(
      `acme: GET https://api.test/tasks/1 answered 500: ${'x'.repeat(200)}`,
    );
    expect(http({ problem: { title: 7 as unknown as string }, bodyExcerpt: 'oops' }).message).toBe(
      'acme: GET https://api.test/tasks/1 answered 500: oops',
    );
    expect(http().message).toBe('acme: GET https://api.test/tasks/1 answered 500');
  });

  it('leaves out what it was not given', () => {
    const error = http({ status: 503 });
    expect(error.problem).toBeUndefined();
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.requestId).toBeUndefined();
    expect(error.headers).toStrictEqual({});
    expect(Object.isFrozen(error.headers)).toBe(true);
    expect(error.transient).toBe(true);
    expect(error.toJSON()).toEqual({
      name: 'HttpError',
      message: 'acme: GET https://api.test/tasks/1 answered 503',
      status: 503,
      method: 'GET',
      url: 'https://api.test/tasks/1',
      bodyExcerpt: '',
      headers: {},
    });
  });

  it.each([
    [401, ' (the token is missing, wrong or expired)'],
    [403, ' (the token lacks access to this resource)'],
    [404, ' (no such task: check the id and the base URL)'],
    [429, ' (rate limited)'],
    [0, ' (a redirect to another origin, or too many: not followed, so the credential is not sent there)'],
    [300, ' (a redirect to another origin, or too many: not followed, so the credential is not sent there)'],
    [302, ' (a redirect to another origin, or too many: not followed, so the credential is not sent there)'],
    [399, ' (a redirect to another origin, or too many: not followed, so the credential is not sent there)'],
    [299, ''],
    [400, ''],
    [402, ''],
    [500, ''],
  ])('status %i adds the hint %j', (status, hint) => {
    expect(http({ status }).message).toBe(`acme: GET https://api.test/tasks/1 answered ${status}${hint}`);
  });
});

describe('the URL an error shows', () => {
  it.each([
    ['https://u:p@api.test/t?page=2', 'https://api.test/t?page=2'],
    [
      'https://api.test/t?API_KEY=a&apikey=b&api-key=c&key=d',
      'https://api.test/t?API_KEY=%5BREDACTED%5D&apikey=%5BREDACTED%5D&api-key=%5BREDACTED%5D&key=%5BREDACTED%5D',
    ],
    [
      'https://api.test/t?auth=a&sig=b&secret=c&password=d',
      'https://api.test/t?auth=%5BREDACTED%5D&sig=%5BREDACTED%5D&secret=%5BREDACTED%5D&password=%5BREDACTED%5D',
    ],
    [
      'https://api.test/t?access_token=a&signature=b',
      'https://api.test/t?access_token=%5BREDACTED%5D&signature=%5BREDACTED%5D',
    ],
    ['https://api.test/t?monkey=a&tokens=b&keys=c', 'https://api.test/t?monkey=a&tokens=b&keys=c'],
  ])('%s shows as %s', (url, shown) => {
    expect(http({ url }).url).toBe(shown);
  });

  it('a URL that does not parse is shown redacted', () => {
    expect(http({ url: 'not a url?password=hunter2' }).url).toBe('not a url?password=[REDACTED]');
    expect(http({ url: 'not a url?password=hunter2' }).message).toBe(
      'acme: GET not a url?password=[REDACTED] answered 500',
    );
  });
});

describe('NetworkError', () => {
  const base = { method: 'POST', url: 'https://api.test/x?key=k1', vendor: 'acme' };
  it('a timeout says so', () => {
    const error = new NetworkError({ ...base, timedOut: true });
    expect(error.message).toBe('acme: POST https://api.test/x?key=%5BREDACTED%5D timed out');
    expect(error.url).toBe('https://api.test/x?key=%5BREDACTED%5D');
    expect(error.method).toBe('POST');
    expect(error.timedOut).toBe(true);
    expect(error.name).toBe('NetworkError');
    expect(error.transient).toBe(true);
  });

  it('a fault gives the system code of its cause, or its message, or says network error', () => {
    const coded = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const error = new NetworkError({ ...base, url: 'https://api.test/x', timedOut: false, cause: coded });
    expect(error.message).toBe('acme: POST https://api.test/x failed: ECONNREFUSED (fetch failed)');
    expect(error.cause).toBe(coded);
    expect(error.timedOut).toBe(false);
    const numeric = new TypeError('fetch failed', { cause: { code: 61 } });
    expect(new NetworkError({ ...base, url: 'https://api.test/x', timedOut: false, cause: numeric }).message).toBe(
      'acme: POST https://api.test/x failed: fetch failed',
    );
    expect(
      new NetworkError({ ...base, url: 'https://api.test/x', timedOut: false, cause: new Error('socket hang up') })
        .message,
    ).toBe('acme: POST https://api.test/x failed: socket hang up');
    expect(new NetworkError({ ...base, url: 'https://api.test/x', timedOut: false, cause: 'odd' }).message).toBe(
      'acme: POST https://api.test/x failed: network error',
    );
  });
});

describe('ResponseValidationError', () => {
  const init = { vendor: 'acme', model: 'task', url: 'https://api.test/t/1', status: 200 };
  const issue = (n: number) => ({ path: ['task', n], message: `bad ${n}` });

  it('lists five issues at most, and counts the rest', () => {
    const error = new ResponseValidationError({
      ...init,
      reason: 'schema',
      issues: [1, 2, 3, 4, 5, 6, 7].map(issue),
    });
    expect(error.message).toBe(
      'acme: the task from https://api.test/t/1 (status 200) does not match its documented schema: task.1: bad 1; task.2: bad 2; task.3: bad 3; task.4: bad 4; task.5: bad 5 (+2 more)',
    );
    expect(error.issues).toHaveLength(7);
    expect(error.vendor).toBe('acme');
    expect(error.model).toBe('task');
    expect(error.reason).toBe('schema');
    expect(error.url).toBe('https://api.test/t/1');
    expect(error.status).toBe(200);
    expect(error.name).toBe('ResponseValidationError');
    const five = new ResponseValidationError({ ...init, reason: 'schema', issues: [1, 2, 3, 4, 5].map(issue) });
    expect(five.message.endsWith('task.5: bad 5')).toBe(true);
  });

  it('names the body itself (body) and redacts what an issue quotes', () => {
    const error = new ResponseValidationError({
      ...init,
      reason: 'schema',
      issues: [
        { path: [], message: 'expected object', code: 'invalid_type' },
        { path: ['sk_live_abcd', 0], message: 'password: hunter2' },
      ],
    });
    expect(error.message).toBe(
      'acme: the task from https://api.test/t/1 (status 200) does not match its documented schema: (body): expected object; sk_live_[REDACTED].0: password: [REDACTED]',
    );
    expect(error.issues).toStrictEqual([
      { path: [], message: 'expected object', code: 'invalid_type' },
      { path: ['sk_live_[REDACTED]', 0], message: 'password: [REDACTED]' },
    ]);
  });

  it('quotes a long issue message cut, and redacted before it is cut', () => {
    const error = new ResponseValidationError({
      ...init,
      reason: 'schema',
      issues: [
        { path: ['a'], message: 'x'.repeat(5000) },
        { path: ['b'], message: `Bearer ${'a'.repeat(5000)}` },
        { path: ['c'.repeat(300)], message: 'short' },
      ],
    });
    expect(error.issues.map((i) => i.message)).toStrictEqual([
      `${'x'.repeat(4160)}…(840 more bytes)`,
      'Bearer [REDACTED]…(847 more bytes)',
      'short',
    ]);
    // What is cut off is counted as the server sent it, though the part shown was redacted.
    const tail = new ResponseValidationError({
      ...init,
      reason: 'schema',
      issues: [{ path: [], message: `${'x'.repeat(4200)} Bearer ${'a'.repeat(100)}` }],
    });
    expect(tail.issues[0]?.message).toBe(`${'x'.repeat(4160)}…(148 more bytes)`);
    expect(error.issues[2]?.path).toStrictEqual([`${'c'.repeat(200)}…(100 more bytes)`]);
    expect(error.message).toBe(
      `acme: the task from https://api.test/t/1 (status 200) does not match its documented schema: a: ${'x'.repeat(4160)}…(840 more bytes); b: Bearer [REDACTED]…(847 more bytes); ${'c'.repeat(200)}…(100 more bytes): short`,
    );
  });

  it.each([
    ['schema', 'does not match its documented schema', false],
    ['not-json', 'is not JSON', true],
    ['empty', 'is empty', true],
    ['too-large', 'is larger than maxResponseBytes allows', false],
    ['encoding', 'is not valid UTF-8', true],
  ] as const)('reason %s: "%s", transient %s', (reason, text, transient) => {
    const error = new ResponseValidationError({ ...init, reason, issues: [] });
    expect(error.message).toBe(`acme: the task from https://api.test/t/1 (status 200) ${text}`);
    expect(error.transient).toBe(transient);
  });
});

const snapshot = (over: Partial<TaskSnapshot> = {}): TaskSnapshot => ({
  vendor: 'acme',
  kind: 'job',
  id: 't-1',
  state: 'failed',
  terminal: true,
  rawStatus: 'FAILED',
  raw: {},
  ...over,
});

describe('TaskFailedError and WaitTimeoutError', () => {
  it('a failed task: its id, raw status and error message', () => {
    const s = snapshot({ error: { message: 'disk full' } });
    const error = new TaskFailedError(s);
    expect(error.message).toBe('acme task t-1 failed (status FAILED): disk full');
    expect(error.snapshot).toBe(s);
    expect(error.name).toBe('TaskFailedError');
    expect(error.transient).toBe(false);
  });

  it('a canceled task, and a failure without an error', () => {
    expect(new TaskFailedError(snapshot({ state: 'canceled', rawStatus: 'CANCELED' })).message).toBe(
      'acme task t-1 was canceled (status CANCELED)',
    );
    expect(new TaskFailedError(snapshot({ state: 'partial', rawStatus: 'PARTIAL' })).message).toBe(
      'acme task t-1 failed (status PARTIAL)',
    );
  });

  it('a timeout: how long, how many polls, and the last state seen', () => {
    const s = snapshot({ state: 'running', terminal: false, rawStatus: 'RUNNING' });
    const error = new WaitTimeoutError({
      vendor: 'acme',
      id: 't-1',
      snapshot: s,
      elapsedMs: 1500,
      polls: 3,
      resumeToken: 'tok',
    });
    expect(error.message).toBe(
      'acme task t-1 did not finish within 1500 ms after 3 polls; last seen running (RUNNING)',
    );
    expect(error.snapshot).toBe(s);
    expect(error.elapsedMs).toBe(1500);
    expect(error.polls).toBe(3);
    expect(error.resumeToken).toBe('tok');
    expect(error.name).toBe('WaitTimeoutError');
    const cause = new Error('aborted');
    const none = new WaitTimeoutError({
      vendor: 'acme',
      id: 't-2',
      snapshot: undefined,
      elapsedMs: 10,
      polls: 0,
      resumeToken: 'tok',
      cause,
    });
    expect(none.message).toBe('acme task t-2 did not finish within 10 ms after 0 polls; no successful poll');
    expect(none.cause).toBe(cause);
    const one = new WaitTimeoutError({
      vendor: 'acme',
      id: 't-3',
      snapshot: s,
      elapsedMs: 5,
      polls: 1,
      resumeToken: 'tok',
    });
    expect(one.message).toBe('acme task t-3 did not finish within 5 ms after 1 poll; last seen running (RUNNING)');
  });
});
