/**
 * Runs every benchmark, each in its own process (`node --expose-gc`, tsx's loader), prints their
 * tables and writes the figures as JSON:
 *
 *   npx tsx bench/run.ts            full sizes, a few minutes; writes bench/results/latest.json
 *   npx tsx bench/run.ts --smoke    tiny sizes, seconds (CI); writes bench/results/smoke.json
 *   npx tsx bench/run.ts --only efficiency,size
 *
 * Every figure is printed with a baseline measured in the same run and the ratio to it. Goals not
 * met are reported, not failed: this is a measurement (bench/size.ts --check is the CI budget).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFlags } from './lib/child.js';
import { parseArgs } from './lib/main.js';
import type { BenchResult } from './lib/stats.js';

const BENCHES = [
  'efficiency',
  'overhead',
  'observe',
  'validation',
  'paging',
  'waits',
  'group',
  'budget',
  'batched',
  'fleet',
  'queue',
  'wake',
  'redaction',
  'size',
] as const;

const args = parseArgs(process.argv.slice(2));
const smoke = args.smoke === true;
const only = typeof args.only === 'string' ? args.only.split(',') : undefined;
const out = fileURLToPath(new URL(`./results/${smoke ? 'smoke' : 'latest'}.json`, import.meta.url));

const dir = await mkdtemp(join(tmpdir(), 'taskwait-bench-'));
const results: (BenchResult & { seconds: number })[] = [];
const failed: string[] = [];
const started = Date.now();
try {
  for (const name of BENCHES) {
    if (only && !only.includes(name)) continue;
    const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
    const json = join(dir, `${name}.json`);
    const t0 = Date.now();
    const child = spawn(process.execPath, [...nodeFlags(), file, '--json', json, ...(smoke ? ['--smoke'] : [])], {
      stdio: 'inherit',
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) {
      failed.push(name);
      console.error(`\n${name}: exited with ${code}`);
      continue;
    }
    const result = JSON.parse(await readFile(json, 'utf8')) as BenchResult;
    results.push({ ...result, seconds: (Date.now() - t0) / 1000 });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const report = {
  generatedAt: new Date().toISOString(),
  command: `npx tsx bench/run.ts${smoke ? ' --smoke' : ''}`,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  smoke,
  seconds: (Date.now() - started) / 1000,
  results,
};
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);

console.log(`\n## Goals (${smoke ? 'smoke sizes: not the figures to quote' : 'full run'})\n`);
for (const result of results) {
  for (const goal of result.goals) console.log(`- ${goal.met ? 'met' : 'NOT met'}: ${goal.goal}: ${goal.figure}`);
}
console.log(`\n${results.length} benchmarks in ${report.seconds.toFixed(0)} s; figures in ${out}`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
