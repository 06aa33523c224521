// The built package (dist/, as `npm test` builds it) in a project of its own, run by plain node as
// ESM and as CommonJS: without @opentelemetry/api installed, logging and hooks work and nothing
// fails, even when something claims an OpenTelemetry setup; with the API installed but nothing
// registered, the API is not even loaded; once a provider is registered, the waits are traced.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dist = join(repo, 'dist');
let root = '';

// The same program in both module systems: `load` is `import()` or `require()`.
const PROGRAM = `
async function main(load) {
  const { createClient, defineVendor, defineTask, authorization } = await load('taskwait');
  const { z } = await load('zod');
  const vendor = defineVendor({
    name: 'demo', baseUrl: 'https://demo.test/', auth: authorization('Bearer'),
    statuses: ['run', 'ok'], states: { run: 'running', ok: 'succeeded' },
    tasks: { task: defineTask({ model: 'Task', schema: z.looseObject({ id: z.string(), s: z.string() }), status: (t) => t.s, snapshot: (t) => ({ id: t.id }) }) },
    ref: z.string(), route: (id) => ({ kind: 'task', path: ['t', id] }),
  });
  let n = 0;
  const fetch = async () => Response.json({ id: 't', s: ++n % 2 ? 'run' : 'ok' });
  const events = [];
  const logger = { debug: (m, f) => events.push(f.event), info: (m, f) => events.push(f.event), warn: (m, f) => events.push(f.event), error: (m, f) => events.push(f.event) };
  const fast = { fetch, token: 'secret-token-1', wait: { minDelayMs: 1, maxDelayMs: 1 }, logger };
  const polls = [];
  const first = await createClient(vendor, { ...fast, logLevel: 'info', hooks: { onPoll: (p) => polls.push(p.snapshot.state) } }).wait('t');
  const cache = typeof require === 'function' ? Object.keys(require.cache) : [];
  const loadedBefore = cache.some((k) => k.includes('@opentelemetry'));
  const traced = [];
  if (process.argv[2] === 'register') {
    const api = await load('@opentelemetry/api');
    const sdk = await load('@opentelemetry/sdk-trace-base');
    const exporter = new sdk.InMemorySpanExporter();
    api.trace.setGlobalTracerProvider(new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] }));
    await createClient(vendor, fast).wait('t');
    traced.push(...exporter.getFinishedSpans().map((s) => s.name));
  } else if (process.argv[2] === 'claim') {
    // Something registered an OpenTelemetry global, but the API package is not installed.
    globalThis[Symbol.for('opentelemetry.js.api.1')] = { version: '1.9.0' };
    await createClient(vendor, { ...fast, logLevel: 'warn' }).wait('t');
    await createClient(vendor, { ...fast, logLevel: 'warn' }).wait('t');
  }
  console.log(JSON.stringify({ state: first.state, polls, events, loadedBefore, traced }));
}
`;

function project(name: string, withOtel: boolean): string {
  const dir = join(root, name);
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'taskwait'), { recursive: true });
  // Copied, not linked: a link would resolve the package's own requires from the repo, where the API is.
  cpSync(dist, join(modules, 'taskwait', 'dist'), { recursive: true });
  cpSync(join(repo, 'package.json'), join(modules, 'taskwait', 'package.json'));
  for (const dep of ['zod', 'ky', 'p-retry', 'is-network-error']) {
    symlinkSync(join(repo, 'node_modules', dep), join(modules, dep), 'dir');
  }
  if (withOtel) symlinkSync(join(repo, 'node_modules', '@opentelemetry'), join(modules, '@opentelemetry'), 'dir');
  writeFileSync(join(dir, 'main.mjs'), `${PROGRAM}\nawait main((name) => import(name));\n`);
  writeFileSync(join(dir, 'main.cjs'), `${PROGRAM}\nmain(async (name) => require(name));\n`);
  return dir;
}

beforeAll(() => {
  if (!existsSync(join(dist, 'index.js'))) throw new Error('dist/ is missing: run npm run build (npm test does)');
  root = mkdtempSync(join(tmpdir(), 'taskwait-optional-peer-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the built package without @opentelemetry/api', () => {
  for (const file of ['main.mjs', 'main.cjs'] as const) {
    it(`${file}: waits, logs and calls hooks, and shrugs off an OpenTelemetry global it can't use`, async () => {
      const dir = project(`absent-${file}`, false);
      const plain = await run(process.execPath, [file, 'plain'], { cwd: dir, timeout: 30_000 });
      expect(JSON.parse(plain.stdout)).toEqual({
        state: 'succeeded',
        polls: ['running', 'succeeded'],
        events: ['state', 'state', 'settled'],
        loadedBefore: false,
        traced: [],
      });
      const claimed = await run(process.execPath, [file, 'claim'], { cwd: dir, timeout: 30_000 });
      // The warning comes once per process, from the first client that looks.
      expect(JSON.parse(claimed.stdout).events).toEqual(['state', 'state', 'settled', 'config']);
      expect(claimed.stderr).toBe('');
    });
  }
});

describe('the built package with @opentelemetry/api installed', () => {
  for (const file of ['main.mjs', 'main.cjs'] as const) {
    it(`${file}: loads nothing until a provider is registered, then traces its waits`, async () => {
      const dir = project(`present-${file}`, true);
      const result = JSON.parse(
        (await run(process.execPath, [file, 'register'], { cwd: dir, timeout: 30_000 })).stdout,
      );
      expect(result.loadedBefore).toBe(false);
      expect(result.traced).toEqual(['GET', 'GET', 'taskwait.wait']);
    });
  }
});
