/**
 * What observation costs per poll. The same scenario (bench/scenarios/observe.ts) is bundled
 * twice with esbuild, as tsup builds dist/: once from src/ as it is, once from src/ as it was at
 * the baseline commit (the last one before logging, hooks and telemetry; `git archive` into
 * .tmp/bench-baseline/). One process loads both bundles and times, in alternating rounds, the
 * same work on each: `poll()` one after the other, and many `wait()`s at once (1 ms apart, so the
 * process is busy and wall time per poll is CPU time per poll). Requests are answered from memory,
 * so the figure is the library's own work per poll, where observation costs the most in relative
 * terms. The figure is the median round.
 *
 * Run alone: `npx tsx bench/observe.ts [--smoke] [--baseline <commit>]`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { main } from './lib/main.js';
import { type BenchResult, fixed, ratio, table } from './lib/stats.js';

/** The last commit before observation (logger, hooks, telemetry). */
export const BASELINE = '1879261';

const repo = fileURLToPath(new URL('..', import.meta.url));
const scenario = fileURLToPath(new URL('./scenarios/observe.ts', import.meta.url));

/** src/ at `commit`, extracted once into .tmp/bench-baseline/<commit>/src (inside the repo, so node_modules resolve). */
function baselineSource(commit: string): string {
  const dir = join(repo, '.tmp', 'bench-baseline', commit);
  if (!existsSync(join(dir, 'src', 'index.ts'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['-C', repo, 'archive', '--format=tar', commit, 'src'], { maxBuffer: 64 << 20 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  }
  return join(dir, 'src');
}

/** Sends the scenario's imports of src/ to `src` instead. */
function sourceFrom(src: string): Plugin {
  return {
    name: 'baseline-src',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/\.\.\/src\// }, (args) => ({
        path: join(src, args.path.slice('../../src/'.length).replace(/\.js$/, '.ts')),
      }));
    },
  };
}

async function bundle(outfile: string, plugins: Plugin[]): Promise<void> {
  await build({
    entryPoints: [scenario],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // The OpenTelemetry SDK is CommonJS and requires Node's own modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins,
  });
}

type Figures = Record<string, Record<string, number>>;

export async function run(options: { smoke: boolean; baseline?: unknown }): Promise<BenchResult> {
  const commit = typeof options.baseline === 'string' ? options.baseline : BASELINE;
  const sizes = options.smoke
    ? { polls: 300, waits: 50, each: 10, rounds: 3 }
    : { polls: 2000, waits: 200, each: 10, rounds: 15 };
  const dir = await mkdtemp(join(tmpdir(), 'taskwait-bench-'));
  let figures: Figures;
  // A shallow clone may lack the baseline commit: the bench then says so instead of failing.
  let baselineSrc: string | undefined;
  let missing = '';
  try {
    baselineSrc = baselineSource(commit);
  } catch (error) {
    missing = `src/ at ${commit} could not be read (${(error as Error).message.split('\n')[0]}): "before" is today's source, so no ratio below says anything`;
  }
  try {
    const now = join(dir, 'now.mjs');
    const observed = join(dir, 'observed.mjs');
    const before = join(dir, 'before.mjs');
    await bundle(now, []);
    await bundle(observed, []);
    await bundle(before, baselineSrc === undefined ? [] : [sourceFrom(baselineSrc)]);
    const child = spawn(
      process.execPath,
      [now, before, observed, String(sizes.polls), String(sizes.waits), String(sizes.each), String(sizes.rounds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`scenarios/observe.ts exited with ${code}`);
    figures = JSON.parse(out.trim().split('\n').at(-1) as string) as Figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const rows: string[][] = [];
  const ratios: Record<string, number> = {};
  for (const [loop, variants] of Object.entries(figures)) {
    const base = variants['before (baseline build)'] as number;
    for (const [name, us] of Object.entries(variants)) {
      rows.push([`${loop}: ${name}`, fixed(us, 2), ratio(us / base)]);
      ratios[`${loop}: ${name}`] = us / base;
    }
  }
  const plain = (loop: string) => ratios[`${loop}: now: no logger, no tracer`] as number;
  const text = [
    missing ||
      `Baseline: src/ at ${commit}, bundled the same way, timed in the same process. ${sizes.rounds} alternating rounds;`,
    `poll(): ${sizes.polls} polls one after the other; wait(): ${sizes.waits} waits at once, ${sizes.each} polls each.`,
    'CPU µs (user + system) per poll, median round; requests answered from memory.',
    '',
    table(['loop', 'CPU µs/poll', 'ratio to before'], rows),
  ].join('\n');
  return {
    name: 'observe',
    title: 'Observation: per-poll cost with no logger and no tracer, against the code before it',
    text,
    figures: { baseline: commit, ...sizes, microseconds: figures, ratios },
    goals: [
      {
        goal: 'a wait()’s poll with no logger and no tracer within 2 % of the same poll before observation',
        met: !missing && plain('wait()') <= 1.02,
        figure: missing ? 'not measured: no baseline' : `${ratio(plain('wait()'))} of before`,
      },
      {
        goal: 'a poll() with no logger and no tracer within 2 % of the same poll before observation',
        met: !missing && plain('poll()') <= 1.02,
        figure: missing ? 'not measured: no baseline' : `${ratio(plain('poll()'))} of before`,
      },
    ],
  };
}

await main(import.meta.url, run);
