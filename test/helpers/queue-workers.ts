// Worker processes running examples/queue-worker.ts (taskwait/bullmq's processor in BullMQ's
// Worker), for the scale test, the queue demo and the queue benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../examples/queue-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What examples/queue-worker.ts reads from TASKWAIT_WORKER. */
export interface QueueWorkerConfig {
  redis: { host: string; port: number };
  queue: string;
  baseUrl?: string;
  concurrency?: number;
  settledLog?: string;
  lockDurationMs?: number;
  wait?: Record<string, number | boolean>;
  retry?: { retries?: number; minDelayMs?: number; maxDelayMs?: number };
  budget?: false;
}

/** A running worker process. */
export interface WorkerProcess {
  readonly pid: number;
  /** Everything it wrote to stderr. */
  errors(): string;
  /** Resolves with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it at once, as a crash would (no close, no goodbye). */
  kill(): Promise<void>;
  /**
   * Asks it to close (SIGTERM) and waits for it to exit by itself; after `graceMs` it is killed
   * and the result says so.
   */
  stop(graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; forced: boolean }>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts a worker process and resolves once it is connected to Redis. */
export async function startWorker(config: QueueWorkerConfig): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, TASKWAIT_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    if (stderr.length < 100_000) stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    live.delete(child);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = new Promise<void>((resolve, reject) => {
    lines.once('line', () => resolve());
    exited.then(({ code }) => reject(new Error(`the worker exited with ${code} before it was ready:\n${stderr}`)));
  });
  await ready;
  lines.on('line', () => undefined);
  return {
    pid: child.pid as number,
    errors: () => stderr,
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs) {
      child.kill('SIGTERM');
      let forced = false;
      const timer = setTimeout(() => {
        forced = true;
        child.kill('SIGKILL');
      }, graceMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, forced };
    },
  };
}
