// Run in a child process under `node --expose-gc --import tsx` by hostile.test.ts (a few calls) and
// soak.test.ts (thousands): gets, waits and aborted waits against servers that never answer, that
// trickle a body forever, a token function and a custom fetch that never settle, with full garbage
// collections forced all along. Each call has a deadline (its request timeout, its wait timeout,
// or the moment its signal aborts); prints, as its last line, how each settled and how long after
// its deadline: `{ count, settled, wrong, overrunMs: { max, p99, median } }`.
//
// The hostile server runs in a grandchild process (`serve`), so its work is not on the event loop
// being measured. A call still pending at `guardMs` counts as unsettled, and the script exits 1.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigError, createClient, NetworkError, WaitTimeoutError } from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

export interface GcCheckInput {
  /** Calls of each (mode, kind) pair. */
  copies: number;
  requestTimeoutMs: number;
  waitTimeoutMs: number;
  abortAfterMs: number;
  /** The calls start evenly spread over this long. */
  startOverMs: number;
  gcEveryMs: number;
  guardMs: number;
}

export interface GcCheckOutput {
  count: number;
  settled: number;
  /** Calls that settled otherwise than expected, or not at all: `mode kind: what happened`. */
  wrong: string[];
  /** How long after its deadline each call settled, in ms. */
  overrunMs: { max: number; p99: number; median: number };
  /** How late a bare timer due at each deadline ran: the part of the overrun that is the event loop's. */
  timerLateMs: { max: number; p99: number; median: number };
  /** Each call's overrun less its bare timer's lateness: what the library itself adds. */
  excessMs: { max: number; p99: number; median: number };
  gcs: number;
  /** The longest one forced collection took: a pause no timer can beat. */
  gcMaxMs: number;
}

const MODES = ['stall', 'trickle', 'token', 'fetch'] as const;
const KINDS = ['get', 'wait', 'abort'] as const;
type Mode = (typeof MODES)[number];
type Kind = (typeof KINDS)[number];
type Client = ReturnType<typeof createClient<typeof mixpeek>>;

const STOP = new Error('gc-check: the caller gave up');

async function serve(): Promise<void> {
  const server = createServer((request, response) => {
    if (request.url?.includes('stall')) return;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"task_id":"t","status":"PROCESSING"');
    const timer = setInterval(() => response.write(' '), 100);
    response.on('close', () => clearInterval(timer));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

async function startServer(): Promise<{ url: string; close(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    close: () => {
      lines.close();
      child.kill('SIGTERM');
    },
  };
}

function expected(mode: Mode, kind: Kind, error: unknown): boolean {
  if (kind === 'abort') return error === STOP;
  if (kind === 'wait') return error instanceof WaitTimeoutError;
  if (mode === 'token') return error instanceof ConfigError && error.field === 'token';
  return error instanceof NetworkError && error.timedOut;
}

function describe(outcome: unknown): string {
  if (outcome instanceof Error) return `${outcome.name}: ${outcome.message.slice(0, 120)}`;
  return String(outcome);
}

async function check(input: GcCheckInput): Promise<GcCheckOutput> {
  const server = await startServer();
  const pending = new Set<string>();
  const wrong: string[] = [];
  const overruns: number[] = [];
  const late: number[] = [];
  const excess: number[] = [];
  let gcs = 0;
  let gcMaxMs = 0;
  const gc = globalThis.gc as () => void;
  const collector = setInterval(() => {
    const t0 = performance.now();
    gc();
    gcMaxMs = Math.max(gcMaxMs, performance.now() - t0);
    gcs++;
  }, input.gcEveryMs);

  const clientFor = (mode: Mode, requestTimeoutMs: number) =>
    createClient(mixpeek, {
      baseUrl: mode === 'token' || mode === 'fetch' ? 'http://127.0.0.1:9' : server.url,
      token: mode === 'token' ? () => new Promise<string>(() => {}) : 'sk_test_gcCheck00001',
      ...(mode === 'fetch' ? { fetch: () => new Promise<Response>(() => {}) } : {}),
      requestTimeoutMs,
      retry: { retries: 0 },
      wait: { minDelayMs: 50, maxDelayMs: 100 },
    });

  const clients = new Map(
    MODES.map((mode) => [mode, { short: clientFor(mode, input.requestTimeoutMs), long: clientFor(mode, 600_000) }]),
  );
  const run = (mode: Mode, kind: Kind, i: number): Promise<void> => {
    const { short, long } = clients.get(mode) as { short: Client; long: Client };
    const label = `${mode} ${kind} #${i}`;
    const ref = mode === 'stall' ? `stall_${i}` : `task_${i}`;
    const started = Date.now();
    let deadline: number;
    let call: Promise<unknown>;
    if (kind === 'get') {
      deadline = started + input.requestTimeoutMs;
      call = short.get(ref);
    } else if (kind === 'wait') {
      deadline = started + input.waitTimeoutMs;
      call = long.wait(ref, { timeoutMs: input.waitTimeoutMs });
    } else {
      const control = new AbortController();
      deadline = started + input.abortAfterMs;
      setTimeout(() => control.abort(STOP), input.abortAfterMs);
      call = long.wait(ref, { signal: control.signal });
    }
    pending.add(label);
    // A bare timer due at the same deadline: how late the event loop itself runs it.
    let timerLate: number | undefined;
    setTimeout(() => {
      timerLate = Date.now() - deadline;
      late.push(timerLate);
    }, deadline - Date.now());
    return call
      .then(
        (value) => {
          wrong.push(`${label}: resolved ${describe(value)}`);
        },
        (error: unknown) => {
          if (!expected(mode, kind, error)) wrong.push(`${label}: ${describe(error)}`);
          const overrun = Date.now() - deadline;
          overruns.push(overrun);
          // The call's own share: past the moment the event loop got round to its deadline.
          excess.push(overrun - (timerLate ?? overrun));
        },
      )
      .finally(() => pending.delete(label));
  };

  // Started evenly over `startOverMs`, every mode and kind interleaved, so that the figure is the
  // library's lateness under GC, not that of an event loop swamped by thousands of connects at once.
  const plan = Array.from({ length: input.copies }, (_, i) =>
    MODES.flatMap((mode) => KINDS.map((kind) => [mode, kind, i] as const)),
  ).flat();
  const calls = plan.map(
    ([mode, kind, i], n) =>
      new Promise<void>((resolve) => {
        setTimeout(() => run(mode, kind, i).then(resolve), (n * input.startOverMs) / plan.length);
      }),
  );
  const count = plan.length;

  let guard: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(calls),
    new Promise<void>((resolve) => {
      guard = setTimeout(resolve, input.guardMs);
    }),
  ]);
  clearTimeout(guard);
  clearInterval(collector);
  server.close();
  for (const label of pending) wrong.push(`${label}: still pending after ${input.guardMs} ms`);
  return {
    count,
    settled: count - pending.size,
    wrong,
    overrunMs: spread(overruns),
    timerLateMs: spread(late),
    excessMs: spread(excess),
    gcs,
    gcMaxMs: Math.round(gcMaxMs),
  };
}

function spread(values: readonly number[]): { max: number; p99: number; median: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { max: sorted.at(-1) ?? Number.NaN, p99: at(0.99), median: at(0.5) };
}

if (process.argv[2] === 'serve') {
  await serve();
} else {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const input = JSON.parse(process.env.TASKWAIT_GC_CHECK ?? '{}') as GcCheckInput;
  const output = await check(input);
  console.log(JSON.stringify(output));
  process.exitCode = output.settled === output.count ? 0 : 1;
  // Unsettled calls may hold sockets: don't wait for them.
  setTimeout(() => process.exit(), 500).unref();
}
