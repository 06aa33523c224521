// A browser page: a vendor defined here with defineVendor, a task awaited with createClient().wait()
// against the task server named by `?api=` (another origin, so CORS is exercised), the outcome
// published on `window.taskwaitResult` for the check to read.
import * as taskwait from 'taskwait';
import { createClient, TaskFailedError } from 'taskwait';
import { z } from 'zod';
// @ts-expect-error: a CommonJS helper without types, bundled by esbuild
import localVendor from './local-vendor.cjs';

const local = localVendor(taskwait, z);

declare global {
  interface Window {
    taskwaitResult?: Record<string, unknown>;
  }
}

async function main(): Promise<Record<string, unknown>> {
  const api = new URL(location.href).searchParams.get('api');
  if (!api) throw new Error('no ?api= task server');
  const client = createClient(local, { baseUrl: api, token: 'test-token', wait: { minDelayMs: 20, maxDelayMs: 100 } });
  const states: string[] = [];
  const started = performance.now();
  const done = await client.wait('ok-browser', { timeoutMs: 20_000, onProgress: (s) => states.push(s.state) });
  const failure = await client.wait('fail-browser', { timeoutMs: 20_000 }).catch((error: unknown) => error);
  return {
    ok: true,
    states,
    state: done.state,
    progress: done.progress,
    rawStatus: done.rawStatus,
    ms: Math.round(performance.now() - started),
    failure: failure instanceof TaskFailedError ? `${failure.name}: ${failure.snapshot.state}` : String(failure),
    userAgent: navigator.userAgent,
  };
}

main().then(
  (result) => {
    window.taskwaitResult = result;
    document.body.textContent = JSON.stringify(result);
  },
  (error: unknown) => {
    window.taskwaitResult = {
      ok: false,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  },
);
