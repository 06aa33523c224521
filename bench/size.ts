/**
 * Bundle size: what a user ships for `import { createClient } from 'taskwait'` plus one vendor
 * (`taskwait/mixpeek`), bundled from src/ by esbuild (minified, tree-shaken, ESM for the
 * browser-or-node `neutral` platform), with the dependencies (ky, p-retry, zod) bundled in and
 * left external; gzip and brotli. Each dependency's share comes from esbuild's metafile.
 *
 * `npx tsx bench/size.ts --check` exits 1 when a size is over its budget (for CI).
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { main } from './lib/main.js';
import { type BenchResult, bytes, table } from './lib/stats.js';

/**
 * Budgets in bytes, gzipped: the sizes measured when they were set (see bench/results), plus
 * about 10 % headroom. Raise one only with a reason in the commit message.
 */
export const BUDGETS = {
  /**
   * taskwait's own code, dependencies external: 12.2 KiB when set; 14.3 KiB once every await was
   * bounded, redaction made linear and paging loops caught (issue 12); 19.3 KiB once every client
   * carried its request budget, wait groups and batched reads (issue 14); about 5.5 KiB more for
   * logging, hooks, OpenTelemetry and caller stacks (issue 16), always in the client: 27.1 KiB
   * with all three merged.
   */
  ownGzip: 29 * 1024,
  /**
   * Everything a bundler ships, dependencies included: 108.4 KiB when set (zod is 90 % of it);
   * 123.6 KiB with issues 12, 14 and 16.
   */
  totalGzip: 126 * 1024,
} as const;

const ENTRY = `
import { createClient } from 'taskwait';
import { mixpeek } from 'taskwait/mixpeek';
export const client = createClient(mixpeek, { token: 'sk_example' });
`;

const DEPENDENCIES = ['ky', 'p-retry', 'is-network-error', 'zod'];

interface Measured {
  minified: number;
  gzip: number;
  brotli: number;
  /** Minified bytes by package ("taskwait" for src/). */
  byPackage: Record<string, number>;
}

async function measure(external: boolean): Promise<Measured> {
  const src = new URL('../src/', import.meta.url).pathname;
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: src, loader: 'ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'error',
    alias: { 'taskwait/mixpeek': `${src}vendors/mixpeek/index.ts`, taskwait: `${src}index.ts` },
    external: external ? DEPENDENCIES : [],
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return {
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
    byPackage: byPackage(result.metafile as Metafile),
  };
}

function byPackage(metafile: Metafile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match ? (match[1] as string) : path.includes('src/') ? 'taskwait' : 'entry';
      out[name] = (out[name] ?? 0) + bytesInOutput;
    }
  }
  return out;
}

export async function run(options: { smoke: boolean; check?: unknown }): Promise<BenchResult> {
  const own = await measure(true);
  const all = await measure(false);
  const rows = [
    [
      'taskwait only (ky, p-retry, zod external)',
      bytes(own.minified),
      bytes(own.gzip),
      bytes(own.brotli),
      bytes(BUDGETS.ownGzip),
    ],
    ['with its dependencies', bytes(all.minified), bytes(all.gzip), bytes(all.brotli), bytes(BUDGETS.totalGzip)],
  ];
  const shares = Object.entries(all.byPackage)
    .filter(([name]) => name !== 'entry')
    .sort((a, b) => b[1] - a[1])
    .map(([name, size]) => [name, bytes(size), `${((size / all.minified) * 100).toFixed(0)} %`]);
  const text = [
    "`import { createClient } from 'taskwait'` + `import { mixpeek } from 'taskwait/mixpeek'`, bundled from src/ by esbuild (minified, tree-shaken, ESM).",
    '',
    table(['bundle', 'minified', 'gzip', 'brotli', 'gzip budget'], rows),
    '',
    table(['package', 'minified', 'share'], shares),
  ].join('\n');
  const goals = [
    {
      goal: 'taskwait only, gzipped, within budget',
      met: own.gzip <= BUDGETS.ownGzip,
      figure: `${bytes(own.gzip)} of ${bytes(BUDGETS.ownGzip)}`,
    },
    {
      goal: 'with dependencies, gzipped, within budget',
      met: all.gzip <= BUDGETS.totalGzip,
      figure: `${bytes(all.gzip)} of ${bytes(BUDGETS.totalGzip)}`,
    },
  ];
  if (options.check && goals.some((g) => !g.met)) process.exitCode = 1;
  return {
    name: 'size',
    title: 'Bundle size (createClient + one vendor)',
    text,
    figures: { own, all, budgets: BUDGETS },
    goals,
  };
}

await main(import.meta.url, run);
