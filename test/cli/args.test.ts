import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, parseCommand, parseDuration, parseRef, parseRefLines } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/exit.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['90', 90_000],
    ['0.5', 500],
    [' 2S ', 2000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration('--timeout', text)).toBe(ms);
  });

  it.each(['', 'soon', '10 s', '-1s', '1d', 's', '1e3', '0', '0.1ms'])('refuses %j with a usage error', (text) => {
    expect(() => parseDuration('--timeout', text)).toThrow(UsageError);
  });

  it('names the flag and the bounds', () => {
    expect(() => parseDuration('--max-delay', '30d')).toThrow(/--max-delay/);
    expect(() => parseDuration('--timeout', '900h', { max: 2 ** 31 - 1 })).toThrow(/at most 24 days/);
  });
});

describe('parseRef', () => {
  it('keeps ids and URLs as text and parses JSON objects', () => {
    expect(parseRef(' task_1 ')).toBe('task_1');
    expect(parseRef('https://api.mixpeek.com/v1/tasks/t')).toBe('https://api.mixpeek.com/v1/tasks/t');
    expect(parseRef('{"kind":"collection-update","taskId":"1"}')).toEqual({ kind: 'collection-update', taskId: '1' });
  });

  it.each(['', '{', '{"a":', '{}x'])('refuses %j', (text) => {
    expect(() => parseRef(text)).toThrow(UsageError);
  });
});

describe('parseCommand', () => {
  it('fills the wait defaults', () => {
    const command = parseCommand(['wait', 'Mixpeek', 'task_1']);
    expect(command).toMatchObject({
      kind: 'wait',
      ref: 'task_1',
      json: false,
      quiet: false,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      minDelayMs: undefined,
      maxDelayMs: undefined,
      baseUrl: undefined,
    });
    expect(command.kind === 'wait' && command.vendor.name).toBe('mixpeek');
  });

  it('reads every wait option', () => {
    const command = parseCommand([
      'wait',
      'postman',
      '{"kind":"collection-merge","taskId":"9"}',
      '--base-url',
      'http://127.0.0.1:8080/api',
      '--timeout',
      'none',
      '--min-delay',
      '250ms',
      '--max-delay',
      '5s',
      '--json',
      '-q',
    ]);
    expect(command).toMatchObject({
      kind: 'wait',
      ref: { kind: 'collection-merge', taskId: '9' },
      baseUrl: 'http://127.0.0.1:8080/api',
      timeoutMs: Number.POSITIVE_INFINITY,
      minDelayMs: 250,
      maxDelayMs: 5000,
      json: true,
      quiet: true,
    });
  });

  it('reads --verbose (and -v) for every command; off by default', () => {
    expect(parseCommand(['wait', 'mixpeek', 't'])).toMatchObject({ verbose: false });
    expect(parseCommand(['wait', 'mixpeek', 't', '--verbose'])).toMatchObject({ kind: 'wait', verbose: true });
    expect(parseCommand(['get', 'mixpeek', 't', '-v'])).toMatchObject({ kind: 'get', verbose: true });
    expect(parseCommand(['rows', 'run_1', '-v', '-q'])).toMatchObject({ kind: 'rows', verbose: true, quiet: true });
  });

  it('gives issues and rows the Layer IQ vendor and their own options', () => {
    expect(parseCommand(['issues', 'run_1', '--format', 'CSV', '--scope', 'run', '--page-size', '50'])).toMatchObject({
      kind: 'issues',
      ref: 'run_1',
      format: 'csv',
      scope: 'run',
      pageSize: 50,
      vendor: { name: 'layer-iq' },
    });
    expect(parseCommand(['rows', 'run_1'])).toMatchObject({ kind: 'rows', format: 'ndjson', pageSize: undefined });
  });

  it('takes several task refs, - for stdin, --refs FILE and --any', () => {
    expect(parseCommand(['wait', 'mixpeek', 'a', '{"task_id":"b"}', '--any'])).toMatchObject({
      kind: 'wait',
      ref: 'a',
      refs: ['a', { task_id: 'b' }],
      refsFrom: undefined,
      any: true,
    });
    expect(parseCommand(['wait', 'mixpeek', 'a', '-'])).toMatchObject({ refs: ['a'], refsFrom: '-', any: false });
    expect(parseCommand(['wait', 'mixpeek', '--refs', 'refs.txt'])).toMatchObject({ refs: [], refsFrom: 'refs.txt' });
    expect(parseRefLines('a\n\n  # skip\n{"task_id":"b"}\r\nc', 'refs.txt')).toEqual(['a', { task_id: 'b' }, 'c']);
    expect(() => parseRefLines('a\n{oops', 'refs.txt')).toThrow(/refs.txt, line 2: the task ref starts with/);
  });

  it('answers --help and --version before anything else', () => {
    expect(parseCommand(['wait', '--bogus', '--help'])).toEqual({ kind: 'help', command: 'wait' });
    expect(parseCommand(['--help', 'wait'])).toEqual({ kind: 'help' });
    expect(parseCommand(['rows', '-h'])).toEqual({ kind: 'help', command: 'rows' });
    expect(parseCommand(['-V'])).toEqual({ kind: 'version' });
  });

  it.each([
    [['rows', 'run_1', '--scope', 'rows'], /--scope is not an option of rows \(only of issues\)/],
    [['get', 'mixpeek', 'x', '--json=yes'], /--json takes no value/],
    [['wait', 'mixpeek', 'x', '--timeout'], /--timeout needs a value/],
    [['get', 'mixpeek', 'a', 'b'], /get takes one task ref/],
    [['wait', 'mixpeek'], /wait needs a task ref after the vendor, or --refs FILE/],
    [['wait', 'mixpeek', '-', '--refs', 'f.txt'], /not both/],
    [['wait', 'mixpeek', '--refs', ' '], /--refs needs a file name/],
    [['issues', 'run_1', '--page-size', '0'], /--page-size takes a whole number/],
    [['wait', 'mixpeek', 'x', '--api-key', 'k'], /takes no --api-key/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
