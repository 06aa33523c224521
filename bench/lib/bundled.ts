/**
 * Runs a benchmark scenario as shipped code: bundled by esbuild (as tsup builds `dist/`) and run
 * by plain `node`, not through tsx. tsx compiles with `keepNames`, which gives every function it
 * creates an own `name` property: a few hundred bytes and a defineProperty call per closure, which
 * would inflate the memory and CPU figures of code that creates closures per wait or per request.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundles `scenario` (a path relative to bench/) and runs it with `args`; returns the JSON it prints last. */
export async function runBundled<T>(scenario: string, args: readonly string[] = []): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'taskwait-bench-'));
  try {
    const outfile = join(dir, 'scenario.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL(`../${scenario}`, import.meta.url))],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    const child = spawn(process.execPath, ['--expose-gc', outfile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`${scenario} exited with ${code}`);
    const lines = out.trim().split('\n');
    return JSON.parse(lines[lines.length - 1] as string) as T;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
