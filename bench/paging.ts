/**
 * Paging: a long walk over a loopback server (its own process) that takes a few ms per page,
 * with the core paginator (`paginate` + `fetch`) at prefetch 1 and 0, against a plain sequential
 * fetch loop. The consumer does some CPU work per row (as a real one would: transform, write),
 * which is what prefetch overlaps with the next page's request. Rows/s, and the heap and RSS
 * peaks sampled during the walk (after a GC beforehand), for a short and a long walk: memory must
 * not grow with the rows walked.
 *
 * Run alone: `npx tsx bench/paging.ts [--smoke]` (re-runs itself with --expose-gc).
 */
import { paginate } from '../src/index.js';
import { ensureGc, startServer } from './lib/child.js';
import { main } from './lib/main.js';
import { type BenchResult, bytes, clock, fixed, ratio, table } from './lib/stats.js';

interface Row {
  identifier: string;
  serialNumber: string;
  quantity: number;
}
interface Body {
  data: Row[];
  next?: number;
}

const PAGE_SIZE = 1000;
const SERVER_DELAY_MS = 3;

/** CPU work standing in for a consumer: `rounds` steps of a hash over the row's strings. */
function consume(row: Row, rounds: number, sink: { hash: number }): void {
  let hash = sink.hash ^ row.quantity;
  for (let i = 0; i < rounds; i++) {
    const text = i & 1 ? row.identifier : row.serialNumber;
    hash = (Math.imul(hash, 31) + text.charCodeAt(i % text.length)) | 0;
  }
  sink.hash = hash;
}

/** How many rounds of {@link consume} take `us` µs on this machine. */
function calibrate(us: number): number {
  const row: Row = { identifier: 'asset-123456', serialNumber: 'SN1234567', quantity: 1 };
  const sink = { hash: 0 };
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 5; k++) {
    const started = clock();
    for (let i = 0; i < 20_000; i++) consume(row, 100, sink);
    best = Math.min(best, (clock() - started) / 20_000 / 100);
  }
  return Math.max(1, Math.round(us / 1000 / best));
}

interface Walk {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Peaks above the heap and RSS measured after a GC just before the walk. */
  heapPeak: number;
  rssPeak: number;
}

type Strategy = 'prefetch 1' | 'prefetch 0' | 'plain loop';

async function walk(
  url: string,
  strategy: Strategy,
  expected: number,
  rounds: number,
  limit = expected,
): Promise<Walk> {
  const fetchPage = async (cursor: unknown, signal?: AbortSignal): Promise<Body> => {
    const res = await fetch(`${url}/rows?cursor=${String(cursor)}`, signal ? { signal } : {});
    if (!res.ok) throw new Error(`paging: HTTP ${res.status}`);
    return (await res.json()) as Body;
  };
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  let heapPeak = 0;
  let rssPeak = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed - heap0);
    rssPeak = Math.max(rssPeak, m.rss - rss0);
  };
  const sink = { hash: 0 };
  let rows = 0;
  const started = clock();
  if (strategy === 'plain loop') {
    let cursor: number | undefined = 0;
    while (cursor !== undefined) {
      const body: Body = await fetchPage(cursor);
      for (const row of body.data) consume(row, rounds, sink);
      rows += body.data.length;
      sample();
      cursor = rows >= limit ? undefined : body.next;
    }
  } else {
    const pages = paginate<Row>(
      {
        first: 0,
        async fetch(cursor, signal) {
          const body = await fetchPage(cursor, signal);
          return { items: body.data, meta: undefined, next: body.next };
        },
      },
      { prefetch: strategy === 'prefetch 1' ? 1 : 0, maxPages: Number.MAX_SAFE_INTEGER },
    ).pages();
    for await (const page of pages) {
      for (const row of page.items) consume(row, rounds, sink);
      rows += page.items.length;
      sample();
      if (rows >= limit) break;
    }
  }
  const seconds = (clock() - started) / 1000;
  if (rows !== Math.min(limit, expected)) throw new Error(`paging: ${strategy} walked ${rows} rows, not ${expected}`);
  return { rows, seconds, rowsPerSecond: rows / seconds, heapPeak, rssPeak };
}

/** Several walks as one: total rows over total time; the highest memory peaks. */
function combine(walks: readonly Walk[]): Walk {
  const rows = walks.reduce((sum, w) => sum + w.rows, 0);
  const seconds = walks.reduce((sum, w) => sum + w.seconds, 0);
  return {
    rows: rows / walks.length,
    seconds: seconds / walks.length,
    rowsPerSecond: rows / seconds,
    heapPeak: Math.max(...walks.map((w) => w.heapPeak)),
    rssPeak: Math.max(...walks.map((w) => w.rssPeak)),
  };
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  await ensureGc(import.meta.url);
  const sizes = options.smoke ? [10_000, 50_000] : [100_000, 1_000_000];
  const usPerRow = 2;
  const rounds = calibrate(usPerRow);
  const strategies: Strategy[] = ['prefetch 1', 'prefetch 0', 'plain loop'];
  const results: Record<string, Walk> = {};
  const lines: string[] = [];
  let prefetchRatio = Number.NaN;
  let growth = Number.NaN;
  for (const total of sizes) {
    const server = await startServer<{ pageBytes: number }>('pages', [
      String(total),
      String(PAGE_SIZE),
      String(SERVER_DELAY_MS),
    ]);
    try {
      // Warm up: a few pages each, so JIT and sockets are ready.
      for (const s of strategies) await walk(server.url, s, total, rounds, 5 * PAGE_SIZE);
      // Two passes in opposite orders, so that drift in the machine's speed hits all alike.
      const passes: Record<string, Walk[]> = {};
      for (const order of [strategies, [...strategies].reverse()]) {
        for (const s of order) {
          const walked = await walk(server.url, s, total, rounds);
          passes[s] = [...(passes[s] ?? []), walked];
        }
      }
      for (const s of strategies) results[`${s} ${total}`] = combine(passes[s] as Walk[]);
      if (lines.length === 0) {
        lines.push(
          `Pages of ${PAGE_SIZE} rows (${bytes(server.info.pageBytes)} of JSON), the server answering after ${SERVER_DELAY_MS} ms; ` +
            `the consumer spends about ${usPerRow} µs of CPU per row. Each walk twice (orders reversed); time is the mean. ` +
            'Memory: the highest peak above the level after a GC just before the walk.',
          '',
        );
      }
    } finally {
      await server.close();
    }
  }
  const rowsOut: string[][] = [];
  for (const total of sizes) {
    const plain = results[`plain loop ${total}`] as Walk;
    for (const s of strategies) {
      const w = results[`${s} ${total}`] as Walk;
      rowsOut.push([
        `${s}, ${total.toLocaleString('en-US')} rows`,
        fixed(w.seconds, 2),
        fixed(w.rowsPerSecond, 0),
        ratio(w.rowsPerSecond / plain.rowsPerSecond),
        bytes(w.heapPeak),
        bytes(w.rssPeak),
      ]);
    }
  }
  lines.push(table(['walk', 's', 'rows/s', 'vs plain loop', 'heap peak', 'RSS peak'], rowsOut));
  const [small, large] = sizes as [number, number];
  const big = results[`prefetch 1 ${large}`] as Walk;
  prefetchRatio = big.rowsPerSecond / (results[`plain loop ${large}`] as Walk).rowsPerSecond;
  const smallPeak = (results[`prefetch 1 ${small}`] as Walk).heapPeak;
  growth = big.heapPeak / Math.max(smallPeak, 1);
  return {
    name: 'paging',
    title: 'Paging (loopback walk, prefetch vs plain loop)',
    text: lines.join('\n'),
    figures: { pageSize: PAGE_SIZE, serverDelayMs: SERVER_DELAY_MS, usPerRow, walks: results },
    goals: [
      {
        goal: 'paging with prefetch beats the plain sequential loop',
        met: prefetchRatio > 1,
        figure: `${ratio(prefetchRatio)} the plain loop's rows/s over ${large.toLocaleString('en-US')} rows`,
      },
      {
        goal: 'memory does not grow with the rows walked',
        met: big.heapPeak <= 2 * Math.max(smallPeak, 8 * 1024 * 1024),
        figure: `heap peak ${bytes(big.heapPeak)} over ${large.toLocaleString('en-US')} rows vs ${bytes(smallPeak)} over ${small.toLocaleString('en-US')} (${fixed(growth, 2)}x for ${large / small}x the rows)`,
      },
    ],
  };
}

await main(import.meta.url, run);
