/**
 * The per-poll scenario of bench/observe.ts, bundled three times: against src/ as it was before
 * observation (the baseline), and twice against src/ as it is now (one copy for the plain client,
 * one for the observed clients, so that neither's JIT state colours the other's). Run as the
 * entry, the plain bundle loads the other two and times all in alternating rounds in this one
 * process: `<baseline bundle> <observed bundle> <polls per round> <waits> <polls per wait> <rounds>
 * [<bundle with observation stubbed out> <a second copy of this bundle>]`.
 * Prints one JSON line. The figure is CPU time (user + system) per poll: the machine may be busy
 * with other work, which wall time would count.
 *
 * Every request is answered by an injected `fetch` from memory: what is timed is the library's own
 * work per poll (the HTTP layer, validation, normalization, the schedule, and now the observation
 * call sites), not a socket.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as api from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { authorization, createClient, defineTask, defineVendor, type WaitState } from '../../src/index.js';

const Job = z.looseObject({ id: z.string(), state: z.string(), percent: z.number().optional() });
const vendor = defineVendor({
  name: 'bench',
  baseUrl: 'https://bench.test/v1',
  auth: authorization('Bearer'),
  statuses: ['working', 'done'],
  states: { working: 'running', done: 'succeeded' },
  tasks: {
    job: defineTask({
      model: 'Job',
      schema: Job,
      status: (job) => job.state,
      snapshot: (job) => ({ id: job.id, progress: (job.percent ?? 0) / 100 }),
    }),
  },
  ref: z.string(),
  route: (id) => ({ kind: 'job', path: ['jobs', id] }),
});

type Client = ReturnType<typeof createClient<typeof vendor>>;

/** A task is done on its `doneAt`-th poll (`w-<doneAt>-<n>`), or never (any other id). */
function memoryFetch(): typeof fetch {
  const polls = new Map<string, number>();
  return async (input) => {
    const id = decodeURIComponent(
      String(input instanceof Request ? input.url : input)
        .split('/')
        .pop() as string,
    );
    const n = (polls.get(id) ?? 0) + 1;
    polls.set(id, n);
    const doneAt = id.startsWith('w-') ? Number(id.split('-')[1]) : Number.POSITIVE_INFINITY;
    const body = JSON.stringify({ id, state: n >= doneAt ? 'done' : 'working', percent: Math.min(99, n) });
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  };
}

/** A client of this build, with `extra` options (the baseline build gets none). */
export function makeClient(extra: Record<string, unknown> = {}): Client {
  return createClient(vendor, {
    token: 'sk_bench_token_123456',
    fetch: memoryFetch(),
    retry: { retries: 0 },
    wait: { minDelayMs: 1, maxDelayMs: 1, jitter: 0, estimate: false },
    ...extra,
  });
}

/** CPU time (user + system) since `since`, in µs. */
function cpuSince(since: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return user + system;
}

/** `count` polls of one task with `poll()`, one after the other; CPU µs per poll. */
export async function pollLoop(client: Client, count: number, tag: string): Promise<number> {
  let state: WaitState | undefined;
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const step = await client.poll(`p-${tag}`, state === undefined ? {} : { state });
    state = step.state;
  }
  return cpuSince(started) / count;
}

/** `waits` waits at once, each done on its `pollsEach`-th poll, 1 ms apart; CPU µs per poll. */
export async function waitLoop(client: Client, waits: number, pollsEach: number, tag: string): Promise<number> {
  const started = process.cpuUsage();
  await Promise.all(Array.from({ length: waits }, (_, i) => client.wait(`w-${pollsEach}-${tag}-${i}`)));
  return cpuSince(started) / (waits * pollsEach);
}

/** The observed clients of this build: an in-memory tracer, and a logger at debug that drops its records. */
export function observedClients(): { tracer: Client; logger: Client; reset(): void } {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const noop = () => {};
  return {
    tracer: makeClient({ telemetry: { api, tracerProvider } }),
    logger: makeClient({ logLevel: 'debug', logger: { debug: noop, info: noop, warn: noop, error: noop } }),
    reset: () => exporter.reset(),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** A client of the bundle at `file`, named `name`; none without a file. */
async function loaded(name: string, file: string | undefined): Promise<[string, Client][]> {
  if (file === undefined) return [];
  const build = (await import(pathToFileURL(file).href)) as typeof import('./observe.js');
  return [[name, build.makeClient() as Client]];
}

async function main(): Promise<void> {
  const [
    baselineFile = '',
    observedFile = '',
    pollsText = '2000',
    waitsText = '200',
    eachText = '20',
    roundsText = '9',
    unobservedFile,
    copyFile,
  ] = process.argv.slice(2);
  const [polls, waits, each, rounds] = [pollsText, waitsText, eachText, roundsText].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const baseline = (await import(pathToFileURL(baselineFile).href)) as typeof import('./observe.js');
  const observed = (
    (await import(pathToFileURL(observedFile).href)) as typeof import('./observe.js')
  ).observedClients();
  const clients: [string, Client][] = [
    ['before (baseline build)', baseline.makeClient() as unknown as Client],
    ['now: no logger, no tracer', makeClient()],
    ['now: in-memory tracer', observed.tracer],
    ['now: logLevel debug, a no-op logger', observed.logger],
    // Today's code with observation's modules stubbed out, and a second copy of today's code
    // loaded the same way: what observation itself costs today.
    ...(await loaded('now, observation stubbed out', unobservedFile)),
    ...(await loaded('now, a second copy of the same build', copyFile)),
  ];
  const loops = {
    'poll()': (c: Client, tag: string) => pollLoop(c, polls, tag),
    'wait()': (c: Client, tag: string) => waitLoop(c, waits, each, tag),
  };
  const out: Record<string, Record<string, number>> = {};
  for (const [loopName, loop] of Object.entries(loops)) {
    // Warm every path (JIT) before measuring.
    for (const [name, client] of clients) await loop(client, `warm-${name.length}`);
    const times = clients.map((): number[] => []);
    for (let r = 0; r < rounds; r++) {
      // Alternate the order so that none always runs first.
      const order = clients.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const i of order) {
        observed.reset();
        times[i]?.push(await loop((clients[i] as [string, Client])[1], `${r}-${i}`));
      }
    }
    out[loopName] = Object.fromEntries(clients.map(([name], i) => [name, median(times[i] as number[])]));
  }
  console.log(JSON.stringify(out));
}

const entry = process.argv[1];
if (entry && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))) await main();
