/**
 * The awaiting of bench/fleet.ts, run bundled in a fresh process for each row and round:
 * `<row> <scale> <url> <ids> <warmScale> <warmUrl> <warmIds>` (ids comma-separated). Awaits the
 * warm-up server's tasks first (unmeasured: the JIT sees every path of the row), then, after a
 * `gc()`, the measured ones. Prints one JSON line: this process's CPU time while awaiting those,
 * the wall time, and when it saw each task ended (ms since the epoch).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type TaskSnapshot } from '../../src/index.js';
import { softwareOne } from '../../src/vendors/softwareone/index.js';
import { type Random, seeded } from '../lib/random.js';

const ROWS = ['fetch', 'waitAll', 'wait-get', 'wait-batched'] as const;
type Row = (typeof ROWS)[number];

const TOKEN = 'swo-bench-token-0000';
const TERMINAL = new Set(['Completed', 'Failed', 'Canceled']);

/** One task on plain backoff, as a user writes it without a library: when it was seen ended. */
async function handWritten(url: string, id: string, rng: Random, scale: number): Promise<number> {
  let delayMs = 1000;
  for (;;) {
    const res = await fetch(`${url}/v1/system/tasks/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!res.ok) throw new Error(`GET ${id}: ${res.status}`);
    const task = (await res.json()) as { status?: string };
    if (TERMINAL.has(task.status ?? '')) return Date.now();
    await sleep((delayMs * rng.between(0.8, 1.2)) / scale);
    delayMs = Math.min(delayMs * 2, 30_000);
  }
}

/** Makes the row's client (not measured) and returns the awaiting (measured): when each task was seen ended. */
function prepare(row: Row, url: string, ids: readonly string[], scale: number): () => Promise<number[]> {
  const seen = new Array<number>(ids.length).fill(Number.NaN);
  if (row === 'fetch') {
    const rng = seeded(11);
    return async () => {
      await Promise.all(
        ids.map(async (id, i) => {
          seen[i] = await handWritten(url, id, rng, scale);
        }),
      );
      return seen;
    };
  }
  const client = createClient(softwareOne, {
    baseUrl: url,
    token: TOKEN,
    wait: { minDelayMs: 1000 / scale, maxDelayMs: 30_000 / scale, maxEstimateDelayMs: 300_000 / scale },
    retry: { minDelayMs: 500 / scale, maxDelayMs: 5000 / scale },
    batch: row === 'wait-get' ? false : { windowMs: 250 / scale },
  });
  if (row === 'waitAll') {
    const index = new Map(ids.map((id, i) => [id, i]));
    const onTaskProgress = (snapshot: TaskSnapshot) => {
      if (snapshot.terminal) seen[index.get(snapshot.id) as number] = Date.now();
    };
    return async () => {
      await client.waitAll(ids, { onTaskProgress });
      return seen;
    };
  }
  return async () => {
    await Promise.all(
      ids.map(async (id, i) => {
        await client.wait(id);
        seen[i] = Date.now();
      }),
    );
    return seen;
  };
}

const [rowText = '', scale = '10', url = '', ids = '', warmScale = '50', warmUrl = '', warmIds = ''] =
  process.argv.slice(2);
const row = ROWS.find((r) => r === rowText);
if (!row) throw new Error(`fleet scenario: unknown row ${rowText}`);

await prepare(row, warmUrl, warmIds.split(','), Number(warmScale))();
const awaiting = prepare(row, url, ids.split(','), Number(scale));
// The warm-up leaves garbage and finalizers (undici's): collected and run before the clock starts.
globalThis.gc?.();
await sleep(100);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const seen = await awaiting();
const { user, system } = process.cpuUsage(cpu0);
console.log(JSON.stringify({ userUs: user, systemUs: system, wallMs: performance.now() - t0, seen }));
