// Runs every example as its own process, against its own fake server, and fails if any fails:
// `npm run examples` (CI runs it, so the examples can't rot).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Run {
  file: string;
  args?: string[];
  /** The exit code the run must end with. Default 0. */
  exit?: number;
}

const RUNS: Run[] = [
  { file: 'await-in-backend.ts' },
  { file: 'script-exit-code.ts' },
  { file: 'script-exit-code.ts', args: ['partial'], exit: 2 },
  { file: 'script-exit-code.ts', args: ['failed'], exit: 1 },
  { file: 'script-exit-code.ts', args: ['timeout'], exit: 4 },
  { file: 'issues-to-csv.ts' },
  { file: 'resume-wait.ts' },
  { file: 'custom-vendor.ts' },
  { file: 'webhook-wake.ts' },
];
const TIME_LIMIT_MS = 60_000;
const dir = fileURLToPath(new URL('.', import.meta.url));

/** Runs one example under tsx; resolves with its exit code and everything it printed. */
function run({ file, args = [] }: Run): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${dir}${file}`, ...args], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${TIME_LIMIT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, TIME_LIMIT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

const results = await Promise.all(RUNS.map(async (r) => ({ ...r, ...(await run(r)) })));
let failures = 0;
for (const r of results) {
  const name = [r.file, ...(r.args ?? [])].join(' ');
  const ok = r.code === (r.exit ?? 0);
  if (!ok) failures += 1;
  console.log(`${ok ? '✔' : '✖'} ${name}  (exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s)`);
  const shown = ok ? r.output.trim().split('\n').slice(0, 12) : r.output.trim().split('\n');
  for (const line of shown) if (line) console.log(`    ${line}`);
}
console.log(
  failures ? `\n${failures} of ${results.length} example runs failed` : `\nall ${results.length} example runs passed`,
);
process.exitCode = failures ? 1 : 0;
