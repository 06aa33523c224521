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
 * Run alone: `npx tsx bench/observe.ts [--smoke] [--baseline <commit>] [--at <commit>]`: `--at`
 * times src/ at that commit as "now" instead of the working tree.
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

/**
 * main just before observation (logger, hooks, telemetry) was merged: the merge e2f4955's first
 * parent, so it holds everything else that main had then. (The first version of this bench took
 * 1879261, where the observe branch started: main gained the trust and budget work after it,
 * and their cost per poll was counted as observation's.) `--at e2f4955` times the merge itself
 * against it: observation's own cost, with nothing merged since.
 */
export const BASELINE = '340ad6e';

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

const unobserved = fileURLToPath(new URL('./scenarios/unobserved/', import.meta.url));

/** Replaces observe/caller.ts and observe/observer.ts with stand-ins that observe nothing. */
export const withoutObservation: Plugin = {
  name: 'without-observation',
  setup(b) {
    b.onResolve({ filter: /(^|\/)observe\/(caller|observer)\.js$|^\.\/(caller|observer)\.js$/ }, (args) => {
      // `./caller.js` means observe/caller.ts only from inside observe/.
      const sibling = !args.path.includes('observe/');
      if (sibling && !args.importer.includes('/core/observe/')) return undefined;
      if (args.importer.startsWith(unobserved)) return undefined;
      const name = /(caller|observer)\.js$/.exec(args.path)?.[1] as string;
      return { path: join(unobserved, `${name}.ts`) };
    });
  },
};

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

export async function run(options: { smoke: boolean; baseline?: unknown; at?: unknown }): Promise<BenchResult> {
  // A commit of digits only comes parsed as a number.
  const commit = options.baseline === undefined || options.baseline === true ? BASELINE : String(options.baseline);
  const at = options.at === undefined || options.at === true ? undefined : String(options.at);
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
    const stubbed = join(dir, 'unobserved.mjs');
    const nowPlugins = at === undefined ? [] : [sourceFrom(baselineSource(at))];
    await bundle(now, nowPlugins);
    await bundle(observed, nowPlugins);
    await bundle(before, baselineSrc === undefined ? [] : [sourceFrom(baselineSrc)]);
    const copy = join(dir, 'copy.mjs');
    if (at === undefined) {
      await bundle(stubbed, [withoutObservation]);
      await bundle(copy, []);
    }
    const child = spawn(
      process.execPath,
      [
        now,
        before,
        observed,
        String(sizes.polls),
        String(sizes.waits),
        String(sizes.each),
        String(sizes.rounds),
        ...(at === undefined ? [stubbed, copy] : []),
      ],
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
  // Observation's own cost today: two bundles loaded alike, today's and today's without
  // observation's modules. The entry bundle's row against the copy's is the noise floor.
  const own = (loop: string) => {
    const variants = figures[loop] ?? {};
    const stub = variants['now, observation stubbed out'];
    const copy = variants['now, a second copy of the same build'];
    return stub === undefined || copy === undefined ? undefined : copy / stub;
  };
  const text = [
    missing ||
      `Baseline: src/ at ${commit}; now: ${at === undefined ? 'the working tree' : `src/ at ${at}`}; bundled the same way, timed in the same process. ${sizes.rounds} alternating rounds;`,
    `poll(): ${sizes.polls} polls one after the other; wait(): ${sizes.waits} waits at once, ${sizes.each} polls each.`,
    'CPU µs (user + system) per poll, median round; requests answered from memory.',
    at === undefined
      ? "Observation's own cost today is the second copy's row against the stubbed-out row (bundles loaded alike); the first row against the second copy is this run's noise floor."
      : '',
    '',
    table(['loop', 'CPU µs/poll', 'ratio to before'], rows),
  ].join('\n');
  return {
    name: 'observe',
    title: 'Observation: per-poll cost with no logger and no tracer, against the code before it',
    text,
    figures: { baseline: commit, at: at ?? 'working tree', ...sizes, microseconds: figures, ratios },
    goals: [
      ...['poll()', 'wait()'].flatMap((loop) => {
        const r = own(loop);
        return r === undefined
          ? []
          : [
              {
                goal: `observation's own cost today: a ${loop} with no logger and no tracer within 2 % of the same build with observation stubbed out`,
                met: r <= 1.02,
                figure: `${ratio(r)}`,
              },
            ];
      }),
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
