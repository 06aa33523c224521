// Loads every entry of the built package the ways users do: import, and require() on a Node
// without require(esm), which proves the CommonJS build carries its ESM-only dependencies.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const subpaths = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'taskwait' : `taskwait/${key.slice(2)}`));

for (const name of subpaths) {
  const esm = await import(name);
  if (Object.keys(esm).length === 0) throw new Error(`import('${name}') exported nothing`);
  const out = execFileSync(
    process.execPath,
    ['--no-experimental-require-module', '-e', `process.stdout.write(String(Object.keys(require('${name}')).length))`],
    { encoding: 'utf8' },
  );
  if (Number(out) === 0) throw new Error(`require('${name}') exported nothing`);
  console.log(`ok ${name}: import ${Object.keys(esm).length} exports, require ${out} exports`);
}
const { createClient } = await import('taskwait');
const cjs = execFileSync(
  process.execPath,
  ['--no-experimental-require-module', '-e', "process.stdout.write(typeof require('taskwait').createClient)"],
  { encoding: 'utf8' },
);
if (typeof createClient !== 'function' || cjs !== 'function') throw new Error('createClient missing');
