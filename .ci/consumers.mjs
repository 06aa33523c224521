// Shared by the package checks: pack the repo as `npm publish` would, and make throwaway consumer
// projects in the OS temp dir that install the tarball from scratch, so nothing of the repo's own
// node_modules (no symlink, no NODE_PATH, no node_modules/.bin on PATH) can reach them.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, sep } from 'node:path';

export const repo = realpathSync(new URL('..', import.meta.url));
export const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const tmpRoot = realpathSync(tmpdir());
if (inside(tmpRoot, repo)) throw new Error(`the temp dir ${tmpRoot} is inside the repo; set TMPDIR elsewhere`);

/** True when `path` is `dir` or below it. */
export function inside(path, dir) {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/** A fresh directory in the OS temp dir, removed by `cleanup()`. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpRoot, `taskwait-${prefix}-`));
  created.push(dir);
  return dir;
}
const created = [];
export function cleanup() {
  if (process.env.KEEP_CONSUMERS) {
    console.log(`kept: ${created.join(' ')}`);
    return;
  }
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The environment of a consumer: no NODE_PATH/NODE_OPTIONS, none of the npm_* variables that
 * `npm run` sets for the repo (user-set NPM_CONFIG_* stay), and no repo directory on PATH.
 */
export function consumerEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$)/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry && !inside(entry, repo))
    .join(delimiter);
  env.NO_COLOR = '1';
  env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  return env;
}

/**
 * Runs a command to its end, bounded by `timeoutMs` (the whole process group is killed then).
 * Resolves with { code, stdout, stderr }; rejects when it exits non-zero unless `allowFail`.
 */
export function run(command, args, { cwd, env = consumerEnv(), timeoutMs = 120_000, allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      const shown = `${command} ${args.join(' ')}${cwd ? ` (in ${cwd})` : ''}`;
      if (timedOut) return reject(new Error(`timed out after ${timeoutMs} ms: ${shown}\n${stdout}${stderr}`));
      if ((code !== 0 || signal) && !allowFail) {
        return reject(new Error(`exit ${code ?? signal}: ${shown}\n${stdout}${stderr}`));
      }
      resolve(result);
    });
  });
}

/** `npm pack` of the repo into a temp dir. Returns the tarball's path and its file list. */
export async function pack() {
  if (!existsSync(join(repo, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const dest = tempDir('pack');
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: repo });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  return { tarball: join(dest, info.filename), files: info.files.map((f) => f.path), size: info.size, info };
}

/**
 * A new project in the temp dir with `files` written into it and `npm install` of the tarball
 * plus `deps` (a user installs zod to define a vendor, typescript to type-check).
 */
export async function makeConsumer(name, { tarball, type, deps = [], files = {} }) {
  const dir = tempDir(name);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `consumer-${name}`, version: '0.0.0', private: true, type }, null, 2)}\n`,
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const started = Date.now();
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], {
    cwd: dir,
    timeoutMs: 300_000,
  });
  const installed = join(dir, 'node_modules', 'taskwait');
  if (realpathSync(installed) !== installed) throw new Error(`${installed} is a symlink; the tarball must be copied`);
  return { dir, installMs: Date.now() - started };
}

/** The version range the repo itself uses for a dependency. */
export function rangeOf(name) {
  const range = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
  if (!range) throw new Error(`package.json does not list ${name}`);
  return `${name}@${range}`;
}

/** Milliseconds since `start`, as "1.2 s". */
export function seconds(start) {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}
