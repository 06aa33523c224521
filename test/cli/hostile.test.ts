// The built `taskwait` bin against hostile loopback servers: it exits on time whatever the server
// sends, never prints the token or a fragment of it, and a refused server answer is exit 8.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answer, type Behaviour, type HostileServer, startHostile } from '../helpers/hostile.js';

const BIN = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));
const TOKEN = 'sk_live_Zq8XwY3vT6pL1mN0cD4eR7tB';

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does it)`);
});

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(behave: Behaviour): Promise<string> {
  const server = await startHostile(behave);
  servers.push(server);
  return server.url;
}

/** Runs the bin; kills it if it has not exited after `limitMs` (then `code` is null). */
function run(args: readonly string[], limitMs: number) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TASKWAIT_')));
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, NO_COLOR: '1', TASKWAIT_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

/** No 6 characters of the token in a row. */
function expectNoFragment(text: string): void {
  for (let i = 0; i + 6 <= TOKEN.length; i++) expect(text).not.toContain(TOKEN.slice(i, i + 6));
}

describe('taskwait against a hostile server', () => {
  it('wait --timeout 1s on an unknown status 156 KiB long exits 4 on time, its message bounded', async () => {
    const url = await serve(answer(200, { task_id: 'task_1', task_type: 'x', status: 'a.'.repeat(80_000) }));
    // Before redaction was linear, this took 8.6 s; the bin is killed at 6 s.
    const result = await run(['wait', 'mixpeek', 'task_1', '--base-url', url, '--timeout', '1s', '--quiet'], 6000);
    expect(result.code).toBe(4);
    const message = result.stderr.split('\n').find((line) => line.includes('did not finish')) ?? '';
    expect(message).toMatch(/; last seen unknown \((a\.){100}…\(\d+ more bytes\)\)$/);
    expect(result.stderr.length).toBeLessThan(2000);
  });

  it.each([
    ['names the token', `key ${TOKEN} rejected`],
    ['is the token', TOKEN],
  ])('get on a 200 whose body is not JSON and %s: exit 8, no fragment of the token', async (_, body) => {
    const url = await serve(answer(200, body, { 'content-type': 'text/plain' }));
    const result = await run(['get', 'mixpeek', 'task_1', '--base-url', url], 10_000);
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^taskwait: mixpeek: the TaskResponse from .* is not JSON: \(body\): not valid JSON/);
    expectNoFragment(result.stdout + result.stderr);
  });

  it('issues, when a page’s next URL points to another origin: a refused answer (exit 8), not a usage error', async () => {
    const url = await serve(
      answer(200, {
        taskId: 'run_1',
        status: 'COMPLETE',
        issues: {
          data: [{ code: 'c', message: 'm', rowIndex: 0, severity: 'ERROR' }],
          pagination: { next: 'https://evil.example/issues?page=2' },
        },
      }),
    );
    const result = await run(['issues', 'run_1', '--base-url', url], 10_000);
    expect(result.code).toBe(8);
    expect(result.stdout).toBe('{"code":"c","message":"m","rowIndex":0,"severity":"ERROR"}\n');
    expect(result.stderr).toMatch(/pagination\.next: a URL the client does not follow: .*https:\/\/evil\.example/);
    expect(result.stderr).not.toMatch(/usage: taskwait/);
  });
});
