#!/usr/bin/env node
// Mutation testing by area (StrykerJS, incremental). Usage:
//   node .ci/mutation/run.mjs [area ...] [--full] [--check] [--concurrency=N]
// No area: every area in areas.json. --full ignores the incremental results. --check fails when a
// file measured in this run scores below its goal in goals.json. --concurrency sets Stryker's test runners (default in
// stryker.config.mjs). The scores per file are written to scores.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const areas = JSON.parse(readFileSync(join(here, 'areas.json'), 'utf8'));
const goals = JSON.parse(readFileSync(join(here, 'goals.json'), 'utf8'));
const scoresFile = join(here, 'scores.json');

const args = process.argv.slice(2);
const full = args.includes('--full');
const check = args.includes('--check');
const concurrency = args.find((a) => a.startsWith('--concurrency='))?.slice('--concurrency='.length);
const wanted = args.filter((a) => !a.startsWith('--'));
for (const name of wanted) {
  if (!areas[name]) {
    console.error(`unknown area ${name}; areas: ${Object.keys(areas).join(', ')}`);
    process.exit(2);
  }
}
const chosen = wanted.length > 0 ? wanted : Object.keys(areas);

const work = join(root, '.tmp', 'mutation');
mkdirSync(work, { recursive: true });
mkdirSync(join(here, 'incremental'), { recursive: true });

const scores = existsSync(scoresFile) ? JSON.parse(readFileSync(scoresFile, 'utf8')) : {};
const timings = [];
const measured = new Set();
let failed = false;

for (const name of chosen) {
  const area = areas[name];
  const report = join(work, `${name}.json`);
  // Kept gzipped in the repo (they are large and nobody reads them); Stryker reads and writes plain JSON.
  const kept = join(here, 'incremental', `${name}.json.gz`);
  const incremental = join(work, `${name}.incremental.json`);
  if (existsSync(kept)) writeFileSync(incremental, gunzipSync(readFileSync(kept)));
  const config = join(work, `${name}.config.mjs`);
  const base = relative(work, join(here, 'stryker.config.mjs')).replaceAll('\\', '/');
  writeFileSync(
    config,
    `import base from './${base}';
export default {
  ...base,
  mutate: ${JSON.stringify(area.mutate)},
  vitest: { ...base.vitest, configFile: '.ci/mutation/vitest.config.ts' },
  incrementalFile: ${JSON.stringify(relative(root, incremental))},
  force: ${full},${concurrency === undefined ? '' : `\n  concurrency: ${Number(concurrency)},`}
  jsonReporter: { fileName: ${JSON.stringify(relative(root, report))} },
  htmlReporter: { fileName: ${JSON.stringify(relative(root, join(work, `${name}.html`)))} },
};
`,
  );
  console.log(`\n== mutation: ${name} (${area.mutate.join(', ')})`);
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', config], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TASKWAIT_MUTATION_TESTS: area.tests.join(',') },
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  timings.push({ area: name, seconds });
  if (run.status !== 0) {
    console.error(`stryker failed for ${name} (exit ${run.status})`);
    failed = true;
    continue;
  }
  if (existsSync(incremental)) writeFileSync(kept, gzipSync(readFileSync(incremental), { level: 9 }));
  const result = JSON.parse(readFileSync(report, 'utf8'));
  for (const [file, { mutants }] of Object.entries(result.files)) {
    const count = (status) => mutants.filter((m) => m.status === status).length;
    const killed = count('Killed') + count('Timeout');
    const survived = count('Survived') + count('NoCoverage');
    const ignored = count('Ignored');
    measured.add(file);
    const total = killed + survived;
    scores[file] = {
      score: total === 0 ? 100 : Math.round((1000 * killed) / total) / 10,
      killed,
      survived,
      ignored,
      compileErrors: count('CompileError'),
    };
  }
}

const sorted = Object.fromEntries(Object.entries(scores).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(scoresFile, `${JSON.stringify(sorted, null, 2)}\n`);

console.log('\n== mutation scores (killed / killed + survived; equivalent mutants are ignored in the source)');
for (const [file, s] of Object.entries(sorted)) {
  const goal = goalOf(file);
  const below = goal !== undefined && s.score < goal;
  if (below && check && measured.has(file)) failed = true;
  console.log(
    `${file.padEnd(44)} ${String(s.score).padStart(5)} %  ${String(s.killed).padStart(4)} killed ${String(s.survived).padStart(4)} survived${goal === undefined ? '' : `  goal ${goal} %${below ? '  BELOW' : ''}`}`,
  );
}
for (const t of timings) console.log(`time ${t.area}: ${t.seconds} s`);
process.exit(failed ? 1 : 0);

function goalOf(file) {
  for (const [pattern, goal] of Object.entries(goals)) {
    if (
      pattern === file ||
      (pattern.endsWith('/*/index.ts') &&
        file.endsWith('/index.ts') &&
        file.startsWith(pattern.slice(0, -'*/index.ts'.length)))
    )
      return goal;
  }
  return undefined;
}
