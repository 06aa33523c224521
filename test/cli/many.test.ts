// `taskwait wait` on several tasks: the built bin, spawned against the testing kit's loopback server.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeServer,
  fakeTask,
  mixpeekFake,
  softwareOneFake,
  softwareOneTaskList,
  startFakeServer,
} from '../../src/testing/server.js';

const BIN = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const FAST = ['--min-delay', '10ms', '--max-delay', '50ms'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: readonly string[],
  stdin?: string,
  onLine?: (child: ReturnType<typeof spawn>) => void,
): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TASKWAIT_')));
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, NO_COLOR: '1', TASKWAIT_TOKEN: 'test-token' },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin?.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const first = stdout === '';
    stdout += chunk;
    if (first) onLine?.(child);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

let server: FakeServer;
let base: string[];
let dir: string;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does it)`);
  server = await startFakeServer({ routes: [softwareOneTaskList()] });
  base = ['--base-url', server.url];
  dir = mkdtempSync(join(tmpdir(), 'taskwait-cli-'));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Mixpeek tasks ending each way, served from now on. */
function tasks(...outcomes: Array<'succeeded' | 'partial' | 'failed' | 'canceled' | 'never'>) {
  const made = outcomes.map((outcome) =>
    outcome === 'never'
      ? fakeTask(mixpeekFake, { queuedMs: 600_000 })
      : fakeTask(mixpeekFake, { queuedPolls: 1, progress: [0.5], outcome, error: 'the vendor says no' }),
  );
  server.add(...made);
  return made;
}

describe('taskwait wait on several tasks: the exit code of the worst outcome', () => {
  it.each([
    [['succeeded', 'succeeded'], 0],
    [['succeeded', 'partial'], 2],
    [['partial', 'canceled', 'succeeded'], 3],
    [['canceled', 'failed', 'partial'], 1],
    [['failed', 'never'], 4],
  ] as const)('%j exits %i', async (outcomes, code) => {
    const made = tasks(...outcomes);
    const result = await run(['wait', 'mixpeek', ...made.map((t) => t.id), ...base, ...FAST, '--timeout', '3s']);
    expect(result.code).toBe(code);
    const events = lines(result.stdout);
    // One line per task event, each with its ref; the last one of each task that ended is terminal.
    for (const [i, task] of made.entries()) {
      const own = events.filter((e) => e.ref === task.id);
      expect(own.length).toBeGreaterThan(0);
      const snapshots = own.filter((e) => !('error' in e));
      expect(snapshots.every((e) => e.id === task.id && e.vendor === 'mixpeek')).toBe(true);
      if (outcomes[i] === 'never') {
        expect(own.at(-1)).toMatchObject({ error: { name: 'WaitTimeoutError' } });
      } else {
        expect(own.at(-1)).toMatchObject({ state: outcomes[i], terminal: true });
      }
    }
    expect(result.stderr).toMatch(new RegExp(`^${made.length} tasks after .*: `, 'm'));
    if ((outcomes as readonly string[]).includes('never')) {
      expect(result.stderr).toMatch(/did not finish within \d+ ms/);
    }
  });

  it('exits 5 when one ref is unknown to the server, reporting it as an error line with its ref', async () => {
    const [ok] = tasks('succeeded');
    const result = await run(['wait', 'mixpeek', ok?.id as string, 'task_nobody_has', ...base, ...FAST]);
    expect(result.code).toBe(5);
    const events = lines(result.stdout);
    expect(events.find((e) => e.ref === 'task_nobody_has')).toMatchObject({
      error: { name: 'HttpError', status: 404 },
    });
    expect(events.filter((e) => e.ref === ok?.id).at(-1)).toMatchObject({ state: 'succeeded' });
  });

  it('with --any, stops at the first task to end and exits with its code', async () => {
    const [slow, failing] = tasks('never', 'failed');
    const result = await run(['wait', 'mixpeek', slow?.id as string, failing?.id as string, '--any', ...base, ...FAST]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`mixpeek task ${failing?.id} failed (FAILED): the vendor says no`);
    const [fast, later] = tasks('succeeded', 'never');
    const ok = await run(['wait', 'mixpeek', later?.id as string, fast?.id as string, '--any', ...base, ...FAST]);
    expect(ok.code).toBe(0);
    expect(lines(ok.stdout).at(-1)).toMatchObject({ ref: fast?.id, state: 'succeeded' });
  });

  it('reads refs from stdin ("-") and from --refs FILE, skipping blank lines and comments', async () => {
    const [a, b, c] = tasks('succeeded', 'partial', 'succeeded');
    const piped = await run(['wait', 'mixpeek', '-', ...base, ...FAST], `${a?.id}\n\n# a comment\n${b?.id}\n`);
    expect(piped.code).toBe(2);
    expect(new Set(lines(piped.stdout).map((e) => e.ref))).toEqual(new Set([a?.id, b?.id]));

    const file = join(dir, 'refs.txt');
    writeFileSync(file, `# the nightly batch\n{"task_id":"${c?.id}"}\r\n${a?.id}\n`);
    const fromFile = await run(['wait', 'mixpeek', '--refs', file, ...base, ...FAST]);
    expect(fromFile.code).toBe(0);
    expect(lines(fromFile.stdout).at(-1)?.ref).toBeDefined();
    expect(fromFile.stderr).toMatch(/^2 tasks after .*: 2 succeeded$/m);
  });

  it('awaits a ref named twice once, and reports it for each', async () => {
    const [a] = tasks('succeeded');
    const result = await run(['wait', 'mixpeek', a?.id as string, a?.id as string, ...base, ...FAST]);
    expect(result.code).toBe(0);
    expect(result.stderr.match(new RegExp(`mixpeek task ${a?.id} succeeded`, 'g'))).toHaveLength(2);
    expect(result.stderr).toMatch(/^2 tasks after .*: 2 succeeded$/m);
    // One task, polled as one: queued, running, succeeded.
    expect(a?.polls).toBe(3);
  });

  it('reads SoftwareOne tasks together, in one list a round', async () => {
    const ids = [1, 2, 3, 4].map((n) => `TSK-0000-0000-0000-000${n}`);
    server.add(...ids.map((id) => fakeTask(softwareOneFake, { id, queuedPolls: 1, progress: [0.5] })));
    const before = server.requests.length;
    const result = await run(['wait', 'softwareone', ...ids, ...base, ...FAST]);
    expect(result.code).toBe(0);
    const requests = server.requests.slice(before);
    expect(requests.filter((r) => r.path.startsWith('/v1/system/tasks?')).length).toBeGreaterThan(0);
    // 12 reads (three of each task) in fewer requests.
    expect(requests.length).toBeLessThan(12);
  });

  it.each([
    [['--refs', '/nonexistent/refs.txt'], /--refs \/nonexistent\/refs.txt: can't read it \(ENOENT\)/],
    [['-', '--refs', 'x.txt'], /read refs from stdin \("-"\) or from --refs FILE, not both/],
  ])('bad input %j exits 9', async (args, message) => {
    const result = await run(['wait', 'mixpeek', ...args, ...base]);
    expect(result.code).toBe(9);
    expect(result.stderr).toMatch(message);
  });

  it('a bad line of --refs exits 9 naming the line', async () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, 'task_1\n{"task_id": oops}\n');
    const result = await run(['wait', 'mixpeek', '--refs', file, ...base]);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain(`${file}, line 2: the task ref starts with "{" but is not JSON`);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing here\n\n');
    const none = await run(['wait', 'mixpeek', '--refs', empty, ...base]);
    expect(none.code).toBe(9);
    expect(none.stderr).toContain(`no task refs in ${empty}`);
  });

  it('stops every wait on Ctrl-C and exits 130', async () => {
    const [a, b] = tasks('never', 'never');
    const result = await run(
      ['wait', 'mixpeek', a?.id as string, b?.id as string, ...base, ...FAST],
      undefined,
      (child) => child.kill('SIGINT'),
    );
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted: stopped waiting for 2 mixpeek tasks after/);
  });
});
