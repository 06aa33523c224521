// A real browser: the packed package installed in a fresh project, a page that imports it bundled
// with esbuild for the browser, served on 127.0.0.1 next to a fake task server on another origin
// (CORS), and headless Chromium (Debian's, driven by playwright-core; never a downloaded browser)
// awaiting a task to its end. Skips, saying why, when there is no Chromium. Needs `npm run build`.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { cleanup, inside, makeConsumer, pack, rangeOf, repo, seconds, tempDir } from './consumers.mjs';
import { startTaskServer } from './task-server.mjs';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DEADLINE_MS = 180_000;

if (!existsSync(executablePath)) {
  console.log(
    `SKIP browser check: no Chromium at ${executablePath} (install Debian's chromium package, or set CHROMIUM_PATH)`,
  );
  process.exit(0);
}

const started = Date.now();
const deadline = setTimeout(() => {
  console.error(`browser check: no result within ${DEADLINE_MS / 1000} s`);
  process.exitCode = 1;
  shutdown().finally(() => process.exit(1));
}, DEADLINE_MS);
deadline.unref();

let context;
let taskServer;
let pageServer;
async function shutdown() {
  await context?.close().catch(() => {});
  await taskServer?.close();
  pageServer?.closeAllConnections();
  await new Promise((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
  cleanup();
}

try {
  const { tarball } = await pack();
  const { dir, installMs } = await makeConsumer('browser', {
    tarball,
    type: 'module',
    deps: [rangeOf('zod')],
    files: {
      'page.ts': readFileSync(join(repo, '.ci', 'consumer', 'page.ts'), 'utf8'),
      'local-vendor.cjs': readFileSync(join(repo, '.ci', 'consumer', 'local-vendor.cjs'), 'utf8'),
    },
  });
  console.log(`${dir}: npm install <tarball> ${rangeOf('zod')} (${(installMs / 1000).toFixed(1)} s)`);

  // Bundled as a browser app would be: from the consumer's own node_modules, browser conditions.
  const bundle = await build({
    absWorkingDir: dir,
    entryPoints: ['page.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    outfile: join(dir, 'page.js'),
    logLevel: 'error',
  });
  const inputs = Object.keys(bundle.metafile.inputs);
  const outside = inputs.filter((input) => !inside(join(dir, input), dir));
  if (outside.length > 0) throw new Error(`the bundle read files outside the consumer: ${outside.join(', ')}`);
  const ours = inputs.filter((input) => input.startsWith('node_modules/taskwait/'));
  if (!ours.includes('node_modules/taskwait/dist/index.js')) throw new Error(`taskwait not bundled: ${ours}`);
  const script = bundle.outputFiles[0].contents;
  const bytes = {};
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'page';
      bytes[name] = (bytes[name] ?? 0) + bytesInOutput;
    }
  }
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  const shares = Object.entries(bytes)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${kib(n)}`);
  console.log(
    `esbuild --bundle --platform=browser --minify: ${kib(script.length)} from ${inputs.length} files, all in the ` +
      `consumer (${shares.join(', ')}); taskwait files: ${ours.map((f) => relative('node_modules/taskwait', f)).join(', ')}`,
  );

  taskServer = await startTaskServer();
  const html =
    '<!doctype html><meta charset="utf-8"><title>taskwait</title><link rel="icon" href="data:,">' +
    '<script type="module" src="/page.js"></script>';
  pageServer = createServer((req, res) => {
    if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (req.url?.startsWith('/?')) res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${pageServer.address().port}`;

  const userDataDir = tempDir('chromium-profile');
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: flags,
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${origin}/?api=${encodeURIComponent(taskServer.url)}`, { timeout: 30_000 });
  await page.waitForFunction(() => window.taskwaitResult !== undefined, undefined, { timeout: 60_000 });
  const result = await page.evaluate(() => window.taskwaitResult);
  const version = context.browser()?.version() ?? /Chrome\/([\d.]+)/.exec(String(result.userAgent))?.[1];

  const expected = ['queued', 'running', 'succeeded'];
  if (!result.ok || result.state !== 'succeeded' || String(result.states) !== String(expected)) {
    throw new Error(`the page did not see the task succeed: ${JSON.stringify(result)}\n${problems.join('\n')}`);
  }
  if (result.failure !== 'TaskFailedError: failed') throw new Error(`a failing task gave ${result.failure}`);
  if (problems.length > 0) throw new Error(`the page logged errors:\n${problems.join('\n')}`);
  if (taskServer.seen.preflights === 0 || !taskServer.seen.origins.has(origin)) {
    throw new Error(`the task server saw no CORS request from ${origin}`);
  }
  console.log(`Chromium ${version} (${executablePath}), headless, fresh profile`);
  console.log(`page ${origin} → task server ${taskServer.url} (cross-origin)`);
  console.log(
    `wait ok in the browser: ${result.states.join(' → ')} in ${result.ms} ms, raw status ${result.rawStatus}, ` +
      `progress ${result.progress}; a failing task rejects with ${result.failure}`,
  );
  console.log(
    `task server saw ${taskServer.seen.gets} authorized GETs and ${taskServer.seen.preflights} CORS preflights ` +
      `from ${origin}; ${taskServer.seen.unauthorized} unauthorized`,
  );
} finally {
  await shutdown();
  clearTimeout(deadline);
}
console.log(`browser check passed in ${seconds(started)}`);
