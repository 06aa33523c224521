// Runs test/reliability/gc-check.ts in a child process under --expose-gc (see that file).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GcCheckInput, GcCheckOutput } from '../reliability/gc-check.js';

export type { GcCheckInput, GcCheckOutput };

/** Runs the check; kills it (and reports so in `stderr`) if it has not exited within `limitMs`. */
export function runGcCheck(
  input: GcCheckInput,
  limitMs: number,
): Promise<{ code: number | null; output: GcCheckOutput | undefined; stderr: string }> {
  const script = fileURLToPath(new URL('../reliability/gc-check.ts', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, TASKWAIT_GC_CHECK: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const guard = setTimeout(() => {
      stderr += `\nstill alive after ${limitMs} ms: killed`;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let output: GcCheckOutput | undefined;
      try {
        output = JSON.parse(last) as GcCheckOutput;
      } catch {
        output = undefined;
      }
      resolve({ code, output, stderr });
    });
  });
}
