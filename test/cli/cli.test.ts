// The built `taskwait` bin, spawned against the testing kit's loopback server.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import {
  anaplanFake,
  type FakeRoute,
  type FakeServer,
  fakeTask,
  layerIqFake,
  layerIqIngest,
  mixpeekFake,
  postmanFake,
  softwareOneFake,
  startFakeServer,
  type VendorFake,
} from '../../src/testing/server.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';

const BIN = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const FAST = ['--min-delay', '10ms', '--max-delay', '50ms'];
const SECRET = 'sk_live_Zq8XwY3vT6pL1mN0cD4eR7tB';
const LONG = 60_000;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a run: ours without any TASKWAIT_ variable, plus a token, plus `env`. */
function envWith(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TASKWAIT_')));
  return { ...clean, NO_COLOR: '1', TASKWAIT_TOKEN: 'test-token', ...env };
}

function start(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env: envWith(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function run(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  return finished(start(args, env));
}

/** Resolves when `child` has written its first full line to stdout. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) {
        child.stdout?.off('data', onData);
        resolve(text.slice(0, end));
      }
    };
    child.stdout?.on('data', onData);
    child.once('close', () => reject(new Error(`exited before writing a line; got ${JSON.stringify(text)}`)));
  });
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

// A route that answers 401 and echoes the credentials it got, as a careless server might.
const echo401: FakeRoute = {
  fake: mixpeekFake,
  method: 'GET',
  path: '/v1/tasks/echo-401',
  respond: (request) => ({
    status: 401,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: { message: `invalid credentials: ${request.headers.authorization}`, received: SECRET },
    }),
  }),
};

let server: FakeServer;
let base: string[];

beforeAll(async () => {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: run \`npm run build\` before the CLI tests (npm test does it)`);
  }
  server = await startFakeServer({ routes: [layerIqIngest({ pageSize: 40 }), echo401] });
  base = ['--base-url', server.url];
});

afterAll(async () => {
  await server?.close();
});

describe('taskwait wait', () => {
  it('prints one JSON line per snapshot, ending with the terminal one, and exits 0 on success', async () => {
    const task = fakeTask(mixpeekFake, { queuedPolls: 2, progress: [0.25, 0.5, 0.75] });
    server.add(task);
    const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST]);
    expect(result.code).toBe(0);
    const snapshots = jsonLines(result.stdout);
    expect(snapshots).toHaveLength(task.polls);
    expect(snapshots.map((s) => s.state)).toEqual(['queued', 'queued', 'running', 'running', 'running', 'succeeded']);
    expect(snapshots.every((s) => s.vendor === 'mixpeek' && s.id === task.id)).toBe(true);
    expect(snapshots.map((s) => s.terminal)).toEqual([false, false, false, false, false, true]);
    expect(snapshots[3]).toMatchObject({ progress: 0.5, rawStatus: 'PROCESSING' });
    expect(result.stderr).toMatch(/mixpeek task .* succeeded \(COMPLETED\)/);
  });

  it.each([
    { vendor: 'layer-iq', fake: layerIqFake, kind: undefined, outcome: 'partial', code: 2 },
    { vendor: 'softwareone', fake: softwareOneFake, kind: undefined, outcome: 'failed', code: 1 },
    { vendor: 'anaplan', fake: anaplanFake, kind: 'processes', outcome: 'canceled', code: 3 },
    { vendor: 'anaplan', fake: anaplanFake, kind: 'syncTasks', outcome: 'succeeded', code: 0 },
    { vendor: 'postman', fake: postmanFake, kind: 'collection-update', outcome: 'succeeded', code: 0 },
    { vendor: 'postman', fake: postmanFake, kind: 'api-task', outcome: 'failed', code: 1 },
    { vendor: 'mixpeek', fake: mixpeekFake, kind: undefined, outcome: 'skipped', code: 0 },
    { vendor: 'mixpeek', fake: mixpeekFake, kind: undefined, outcome: 'canceled', code: 3 },
  ] as const)('a $vendor $kind task that ends $outcome exits $code', async ({ vendor, fake, kind, outcome, code }) => {
    const task = fakeTask(fake as VendorFake, { outcome, error: 'the vendor says no', ...(kind ? { kind } : {}) });
    server.add(task);
    const ref = typeof task.ref === 'string' ? task.ref : JSON.stringify(task.ref);
    const result = await run(['wait', vendor, ref, ...base, ...FAST]);
    expect(result.code).toBe(code);
    const snapshots = jsonLines(result.stdout);
    expect(snapshots.at(-1)).toMatchObject({ vendor, state: outcome, terminal: true });
    expect(snapshots.slice(0, -1).every((s) => s.terminal === false)).toBe(true);
    expect(result.stderr).toContain(` ${outcome} (`);
    const error = snapshots.at(-1)?.error as { message: string } | undefined;
    if (error) expect(result.stderr).toContain(error.message);
  });

  it('takes the task URL as the ref', async () => {
    const task = fakeTask(mixpeekFake, {});
    server.add(task);
    const result = await run(['wait', 'mixpeek', `${server.url}/v1/tasks/${task.id}`, ...base, ...FAST]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ id: task.id, state: 'succeeded' });
  });

  it(
    'goes on through a fault that outlasts the request retries, and says so on stderr',
    async () => {
      const task = fakeTask(mixpeekFake, { faults: [{ on: [2, 3, 4, 5], status: 503 }] });
      server.add(task);
      const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST]);
      expect(result.code).toBe(0);
      expect(jsonLines(result.stdout).at(-1)).toMatchObject({ state: 'succeeded' });
      expect(result.stderr).toMatch(/answered 503; retrying in/);
    },
    LONG,
  );

  it('shows on the progress line when a request is retried, and why', async () => {
    const task = fakeTask(mixpeekFake, { faults: [{ on: [2], status: 503 }] });
    server.add(task);
    const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /\n {2}\d+:\d\d {2}the server answered 503; retrying the request \(attempt 2\) in \d+(ms|s)\n/,
    );
    expect(result.stderr).not.toContain('taskwait debug');
  });

  it('--verbose prints each request, retry and poll decision on stderr, one line each, stdout untouched', async () => {
    const task = fakeTask(mixpeekFake, { faults: [{ on: [2], status: 503 }] });
    server.add(task);
    const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST, '--verbose'], {
      TASKWAIT_MIXPEEK_TOKEN: SECRET,
    });
    expect(result.code).toBe(0);
    const url = `${server.url}/v1/tasks/${task.id}`;
    const lines = result.stderr.split('\n');
    const records = lines.filter((line) => line.startsWith('taskwait '));
    expect(records[0]).toMatch(
      new RegExp(
        `^taskwait debug: request vendor=mixpeek method=GET url=${url} attempt=1 status=200 durationMs=[\\d.]+$`,
      ),
    );
    expect(records).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^taskwait info: retrying a request vendor=mixpeek method=GET url=${url} attempt=1 reason=http_503 message="the server answered 503" delayMs=\\d+ status=503$`,
        ),
      ),
    );
    expect(records).toContainEqual(
      expect.stringMatching(
        /^taskwait debug: polled vendor=mixpeek id=\S+ polls=1 state=\w+ rawStatus=\w+ .*delayMs=\d+ basis=\w+/,
      ),
    );
    // The bin drives the polls with poll(): the last record is the decision that it is done.
    expect(records.at(-1)).toMatch(
      /^taskwait debug: polled vendor=mixpeek id=\S+ polls=\d+ state=succeeded rawStatus=COMPLETED progress=1 done=true delayMs=0$/,
    );
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ state: 'succeeded' });
    expect(result.stderr).not.toContain(SECRET);
  });

  it('writes TASKWAIT_LOG records to stderr, at its level', async () => {
    const task = fakeTask(mixpeekFake, {});
    server.add(task);
    const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST], { TASKWAIT_LOG: 'info' });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^taskwait info: the task changed state vendor=mixpeek/m);
    expect(result.stderr).not.toContain('taskwait debug');
    expect(result.stdout).not.toContain('taskwait');
  });

  it('exits 4 when --timeout runs out, the last line being the last snapshot seen', async () => {
    const task = fakeTask(mixpeekFake, { queuedMs: 600_000 });
    server.add(task);
    const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST, '--timeout', '2s']);
    expect(result.code).toBe(4);
    const snapshots = jsonLines(result.stdout);
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.every((s) => s.state === 'queued')).toBe(true);
    expect(result.stderr).toMatch(/did not finish within \d+ ms after \d+ polls; last seen queued/);
  });

  it('exits 6 on a 401, naming the variable the token came from', async () => {
    const task = fakeTask(mixpeekFake, { token: 'sk_right_token_123' });
    server.add(task);
    const wrong = await run(['wait', 'mixpeek', task.id, ...base, ...FAST], { TASKWAIT_MIXPEEK_TOKEN: 'sk_wrong_456' });
    expect(wrong.code).toBe(6);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/answered 401/);
    expect(wrong.stderr).toContain('the token came from TASKWAIT_MIXPEEK_TOKEN');
    expect(wrong.stderr).not.toContain('sk_wrong_456');
  });

  it('exits 6 before any request when no token is set, naming the variables', async () => {
    const task = fakeTask(mixpeekFake);
    server.add(task);
    const none = await run(['wait', 'mixpeek', task.id, ...base, ...FAST], { TASKWAIT_TOKEN: '' });
    expect(none).toMatchObject({ code: 6, stdout: '' });
    expect(none.stderr).toBe(
      'taskwait: no token was set: set TASKWAIT_MIXPEEK_TOKEN (or TASKWAIT_TOKEN); nothing was sent to mixpeek\n',
    );
    expect(task.requests).toEqual([]);
    const get = await run(['get', 'postman', '{"kind":"collection-update","taskId":"66ae9950"}', ...base], {
      TASKWAIT_TOKEN: ' ',
    });
    expect(get.code).toBe(6);
    expect(get.stderr).toContain('set TASKWAIT_POSTMAN_TOKEN (or TASKWAIT_TOKEN); nothing was sent to postman');
  });

  it('reads the vendor variable first, then TASKWAIT_TOKEN', async () => {
    const task = fakeTask(mixpeekFake, { token: 'sk_right_token_123' });
    server.add(task);
    const generic = await run(['wait', 'mixpeek', task.id, ...base, ...FAST], { TASKWAIT_TOKEN: 'sk_right_token_123' });
    expect(generic.code).toBe(0);
    const both = await run(['get', 'mixpeek', task.id, ...base], {
      TASKWAIT_MIXPEEK_TOKEN: 'sk_right_token_123',
      TASKWAIT_TOKEN: 'sk_wrong_456',
    });
    expect(both.code).toBe(0);
  });

  it('never prints the token, even when a 401 body echoes it', async () => {
    const result = await run(['wait', 'mixpeek', 'echo-401', ...base, ...FAST], { TASKWAIT_MIXPEEK_TOKEN: SECRET });
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/answered 401/);
    expect(result.stderr).toContain('[REDACTED]');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout + result.stderr).not.toContain(SECRET.slice(8));
  });

  it('never prints the token when a task payload echoes it', async () => {
    const task = fakeTask(mixpeekFake, {
      token: SECRET,
      payload: (body) => ({ ...(body as object), echoed: SECRET, note: `Authorization: Bearer ${SECRET}` }),
    });
    server.add(task);
    const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST], { TASKWAIT_TOKEN: SECRET });
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).length).toBeGreaterThan(1);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('exits 5 on a 404', async () => {
    const result = await run(['wait', 'mixpeek', 'task_nobody_has', ...base, ...FAST]);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/answered 404/);
  });

  it(
    'exits 7 when the first poll gets no answer at all',
    async () => {
      const closed = await startFakeServer();
      const url = closed.url;
      await closed.close();
      const result = await run(['wait', 'mixpeek', 'task_1', '--base-url', url, ...FAST]);
      expect(result.code).toBe(7);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/ECONNREFUSED/);
    },
    LONG,
  );

  it(
    'stops cleanly on Ctrl-C (SIGINT) and exits 130',
    async () => {
      const task = fakeTask(mixpeekFake, { queuedMs: 600_000 });
      server.add(task);
      const child = start(['wait', 'mixpeek', task.id, ...base, ...FAST, '--timeout', '10m']);
      const result = finished(child);
      const line = await firstLine(child);
      expect(JSON.parse(line)).toMatchObject({ state: 'queued' });
      child.kill('SIGINT');
      const { code, signal, stdout, stderr } = await result;
      expect(signal).toBeNull();
      expect(code).toBe(130);
      expect(stderr).toMatch(/interrupted: stopped waiting for mixpeek task .* The task itself goes on at mixpeek\./);
      // Every line written is a whole snapshot.
      expect(jsonLines(stdout).every((s) => s.state === 'queued')).toBe(true);
    },
    LONG,
  );

  it(
    'stops quietly with 141 when the reader of stdout goes away',
    async () => {
      const task = fakeTask(mixpeekFake, { queuedMs: 600_000 });
      server.add(task);
      const child = start(['wait', 'mixpeek', task.id, ...base, ...FAST, '--timeout', '10m']);
      const result = finished(child);
      await firstLine(child);
      child.stdout?.destroy();
      const { code, stderr } = await result;
      expect(code).toBe(141);
      expect(stderr).not.toMatch(/error/i);
    },
    LONG,
  );

  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasScript)(
    'draws a progress bar on a terminal and clears it at the end',
    async () => {
      const task = fakeTask(mixpeekFake, { queuedPolls: 1, progress: [0.4, 0.8] });
      server.add(task);
      const command = [process.execPath, BIN, 'wait', 'mixpeek', task.id, ...base, ...FAST].join(' ');
      // `script` gives the bin a pseudo-terminal for stdout and stderr.
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: envWith({ COLUMNS: '100' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const { code, stdout } = await finished(child);
      expect(code).toBe(0);
      expect(stdout).toContain('waiting for mixpeek task');
      // Each frame starts by clearing the line; the last "frame" is the final message.
      const frames = stdout.split('\r\x1b[2K');
      const bar = /^\S+ running \(PROCESSING\) +\[█+░+\] +(40|80)% +0:\d\d +(next poll in \d+ms|polling…)$/;
      expect(frames.some((frame) => bar.test(frame))).toBe(true);
      expect(frames.at(-1)).toMatch(/^mixpeek task \S+ succeeded \(COMPLETED\) after /);
      expect(stdout).not.toContain('"vendor"');
    },
    LONG,
  );
});

describe('taskwait wait, what it says on stderr', () => {
  it("shows each change with the vendor's own status word, and says 1 poll, not 1 polls", async () => {
    const task = fakeTask(mixpeekFake, { queuedPolls: 1, progress: [0.5] });
    server.add(task);
    const result = await run(['wait', 'mixpeek', task.id, ...base, ...FAST]);
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').map((line) => line.replace(/^ {2}\d+:\d\d {2}/, ''));
    expect(lines).toContain('queued (PENDING)');
    expect(lines).toContain('running 50% (PROCESSING)');
    expect(result.stderr).toMatch(/succeeded \(COMPLETED\) after [^,]+, 3 polls$/m);

    // One poll, then a delay longer than the timeout: the timeout's message counts 1 poll.
    const slow = fakeTask(mixpeekFake, { queuedMs: 600_000 });
    server.add(slow);
    const timedOut = await run([
      'wait',
      'mixpeek',
      slow.id,
      ...base,
      '--min-delay',
      '1m',
      '--max-delay',
      '1m',
      '--timeout',
      '2s',
    ]);
    expect(timedOut.code).toBe(4);
    expect(slow.polls).toBe(1);
    expect(timedOut.stderr).toMatch(/did not finish within \d+ ms after 1 poll; last seen queued/);

    const quick = fakeTask(mixpeekFake, { phases: [] });
    server.add(quick);
    const once = await run(['wait', 'mixpeek', quick.id, ...base, ...FAST]);
    expect(once.code).toBe(0);
    expect(quick.polls).toBe(1);
    expect(once.stderr).toMatch(/succeeded \(COMPLETED\) after [^,]+, 1 poll$/m);
  });
});

describe('taskwait <command> --help', () => {
  it.each([
    {
      command: 'wait',
      usage: 'usage: taskwait wait <vendor> <task-ref>... [options]',
      has: '--timeout D',
      not: '--format',
    },
    { command: 'get', usage: 'usage: taskwait get <vendor> <task-ref> [options]', has: '--json', not: '--timeout' },
    { command: 'issues', usage: 'usage: taskwait issues <task-ref> [options]', has: '--scope S', not: '--timeout' },
    { command: 'rows', usage: 'usage: taskwait rows <task-ref> [options]', has: '--page-size N', not: '--scope' },
  ])('$command --help is its own short help', async ({ command, usage, has, not }) => {
    const result = await run([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(usage);
    expect(lines.length).toBeLessThanOrEqual(15);
    expect(result.stdout).toContain(has);
    expect(result.stdout).toContain('--base-url URL');
    expect(result.stdout).not.toContain(not);
    expect(result.stdout).not.toContain('Exit codes:');
  });

  it('the full --help points to it', async () => {
    const result = await run(['--help']);
    expect(result.stdout).toContain('taskwait <command> --help');
    expect(result.stdout.split('\n').length).toBeGreaterThan(40);
  });
});

describe('taskwait get', () => {
  it('prints the snapshot once and exits 0, whatever the state', async () => {
    const task = fakeTask(anaplanFake, { queuedPolls: 5 });
    server.add(task);
    const result = await run(['get', 'anaplan', JSON.stringify(task.ref), ...base]);
    expect(result.code).toBe(0);
    const [snapshot] = jsonLines(result.stdout);
    expect(snapshot).toMatchObject({ vendor: 'anaplan', id: task.id, state: 'queued', rawStatus: 'NOT_STARTED' });
    expect(task.polls).toBe(1);
  });
});

describe('taskwait issues and rows', () => {
  const rows = Array.from({ length: 150 }, (_, i) => ({
    identifier: i === 7 ? 'MON-"7", spare' : `MON-${1000 + i}`,
    category: 'Monitor',
    manufacturer: 'eizo',
    countryCode: i === 42 ? 'Deutschland' : 'de',
    ...(i % 5 === 0 ? {} : { serialNumber: `EZ${100000 + i}` }),
  }));
  let taskUrl: string;
  let taskId: string;

  beforeAll(async () => {
    const layer = createClient(layerIq, { ...server.clientOptions, wait: { minDelayMs: 10, maxDelayMs: 50 } });
    const [ref] = await layer.ingest(rows, { normalize: true });
    taskUrl = ref as string;
    taskId = (await layer.wait(taskUrl)).id;
  });

  // Every fifth row lacks a serial number (a WARNING); row 42 has a bad country code (an ERROR).
  const issueCount = 30 + 1;

  it('streams the issues as NDJSON', async () => {
    const result = await run(['issues', taskId, ...base]);
    expect(result.code).toBe(0);
    const issues = jsonLines(result.stdout);
    expect(issues).toHaveLength(issueCount);
    expect(issues).toContainEqual(
      expect.objectContaining({ rowIndex: 42, severity: 'ERROR', code: 'invalid_country_code' }),
    );
    expect(result.stderr).toBe(`${issueCount} issues\n`);
  });

  it('writes the issues as CSV with a header and RFC 4180 quoting', async () => {
    const result = await run(['issues', taskUrl, '--format', 'csv', '--page-size', '7', ...base]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('rowIndex,identifier,severity,code,message');
    expect(lines).toHaveLength(issueCount + 1);
    expect(lines).toContain(
      '42,MON-1042,ERROR,invalid_country_code,"countryCode ""Deutschland"" is not ISO 3166-1 alpha-2"',
    );
    expect(lines.some((line) => line.startsWith('5,MON-1005,WARNING,missing_serial_number,'))).toBe(true);
  });

  it('keeps only per-row issues with --scope rows', async () => {
    const result = await run(['issues', taskId, '--scope', 'rows', ...base]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).every((issue) => (issue.rowIndex as number) >= 0)).toBe(true);
  });

  it('streams the normalized rows as NDJSON and CSV', async () => {
    const ndjson = await run(['rows', taskId, ...base]);
    expect(ndjson.code).toBe(0);
    const parsed = jsonLines(ndjson.stdout);
    expect(parsed).toHaveLength(rows.length);
    expect(parsed[42]).toMatchObject({ rowIndex: 42, manufacturer: 'Eizo', countryCode: 'DEUTSCHLAND' });

    const csv = await run(['rows', taskId, '--format', 'csv', ...base]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines[0]?.startsWith('rowIndex,identifier,category,')).toBe(true);
    expect(lines[0]?.endsWith(',issues')).toBe(true);
    expect(lines[8]?.startsWith('7,"MON-""7"", spare",Monitor,')).toBe(true);
    expect(lines[43]).toContain('ERROR invalid_country_code');
  });
});

describe('usage', () => {
  it.each([
    { args: [], reason: 'no command given' },
    { args: ['watch', 'mixpeek', 'x'], reason: 'unknown command "watch"' },
    { args: ['wait', 'acme', 'x'], reason: 'unknown vendor "acme"' },
    { args: ['wait', 'mixpeek'], reason: 'wait needs a task ref' },
    { args: ['wait', 'mixpeek', 'x', '--timeout', 'soon'], reason: '--timeout takes a duration' },
    { args: ['wait', 'mixpeek', 'x', '--min-delay', '2s', '--max-delay', '1s'], reason: 'shorter than --min-delay' },
    { args: ['wait', 'anaplan', 'x', '--max-delay', '1s'], reason: "min delay 5s (anaplan's default)" },
    { args: ['wait', 'mixpeek', 'x', `--token=${SECRET}`], reason: 'takes no --token' },
    { args: ['wait', 'mixpeek', 'x', '--bogus'], reason: 'unknown option --bogus' },
    { args: ['get', 'mixpeek', 'x', '--timeout', '1s'], reason: '--timeout is not an option of get' },
    { args: ['wait', 'anaplan', 'task-1'], reason: 'bad anaplan task ref' },
    { args: ['wait', 'mixpeek', 'tasks/../x', '--base-url', 'http://127.0.0.1:9'], reason: 'contains "/"' },
    { args: ['wait', 'postman', '{"kind":"collection-update"'], reason: 'is not JSON' },
    { args: ['wait', 'postman', '{"kind":"fork","taskId":"1"}'], reason: 'bad postman task ref' },
    { args: ['wait', 'mixpeek', 'https://elsewhere.example/v1/tasks/x'], reason: 'not on the base URL' },
    { args: ['issues', 'run_1', '--format', 'xml'], reason: '--format takes ndjson or csv' },
    { args: ['wait', 'mixpeek', 'x', '--base-url', 'ftp://x'], reason: '--base-url must be an absolute http(s) URL' },
  ])('$reason: exits 9 with the reason and the usage', async ({ args, reason }) => {
    const result = await run(args, { TASKWAIT_TOKEN: SECRET });
    expect(result.code).toBe(9);
    expect(result.stdout).toBe('');
    const [first, second] = result.stderr.split('\n');
    expect(first).toMatch(/^taskwait: /);
    expect(first).toContain(reason);
    expect(second).toMatch(/^usage: taskwait wait/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('--help documents the commands, every token variable and the exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const text of [
      'taskwait wait <vendor> <task-ref>',
      'TASKWAIT_LAYER_IQ_TOKEN',
      'TASKWAIT_ANAPLAN_TOKEN',
      'TASKWAIT_POSTMAN_TOKEN',
      'TASKWAIT_SOFTWAREONE_TOKEN',
      'TASKWAIT_MIXPEEK_TOKEN',
      'TASKWAIT_TOKEN',
      '"kind":"collection-update"',
      '"workspaceId"',
      'Exit codes:',
      '130  interrupted',
    ]) {
      expect(result.stdout).toContain(text);
    }
    expect(result.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${pkg.version}\n`);
  });
});
