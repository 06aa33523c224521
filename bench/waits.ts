/**
 * Many waits: 10,000 `client.wait()` calls pending at once in one process, with an injected
 * `fetch` that answers "running" (no sockets), so every wait sleeps between polls. The scenario
 * (bench/scenarios/waits.ts) runs bundled, as shipped code, under `node --expose-gc`.
 *
 * 1. Memory: heap per pending wait, measured after `global.gc()` with every wait asleep (their
 *    first delay is set long so that none polls during the measurement), against the heap
 *    before they started. Two batches: the figure is the second's; the first also holds what a
 *    process pays once (the JIT's code for the wait's paths), and is printed beside it.
 * 2. Responsiveness: the event loop's delay (`monitorEventLoopDelay`) while the waits poll on the
 *    default schedule (1 s, 2 s, 4 s ...), against the same process idle.
 *
 * Run alone: `npx tsx bench/waits.ts [--smoke]`.
 */
import { runBundled } from './lib/bundled.js';
import { main } from './lib/main.js';
import { type BenchResult, bytes, fixed, table } from './lib/stats.js';

interface Loop {
  p50: number;
  p99: number;
  max: number;
}
interface Figures {
  waits: number;
  heapBefore: number;
  heapPending: number;
  bytesPerWait: number;
  bytesPerFirstWait: number;
  heapAfter: number;
  aborted: number;
  startupMs: number;
  pollsPerSecond: number;
  idle: Loop;
  busy: Loop;
  leftovers: number;
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const count = options.smoke ? 1000 : 10_000;
  const seconds = options.smoke ? 2 : 10;
  const f = await runBundled<Figures>('scenarios/waits.ts', [String(count), String(seconds)]);
  const loopRow = (name: string, l: Loop) => [name, fixed(l.p50, 1), fixed(l.p99, 1), fixed(l.max, 1)];
  const text = [
    `${f.waits} waits on one client, an injected fetch answering PROCESSING at 5 %; bundled code under node --expose-gc.`,
    '',
    table(
      ['memory', 'value'],
      [
        ['heap before the waits (after GC)', bytes(f.heapBefore)],
        ['heap with every wait pending (after GC)', bytes(f.heapPending)],
        ['heap per pending wait', bytes(f.bytesPerWait)],
        ['  in the first batch (with the JIT code compiled meanwhile)', bytes(f.bytesPerFirstWait)],
        ['heap after aborting them all (after GC)', bytes(f.heapAfter)],
        ['waits that rejected with the abort reason', `${f.aborted} of ${f.waits}`],
      ],
    ),
    '',
    table(
      ['event loop delay', 'p50 ms', 'p99 ms', 'max ms'],
      [
        loopRow('idle process (baseline)', f.idle),
        loopRow(`${f.waits} waits polling (${fixed(f.pollsPerSecond, 0)} polls/s over ${seconds} s)`, f.busy),
      ],
    ),
    '',
    `Starting the ${f.waits} waits (a first poll each, at once) took ${fixed(f.startupMs, 0)} ms: that burst is the max. ` +
      `Timers or immediates left after aborting every wait: ${f.leftovers}.`,
  ].join('\n');
  return {
    name: 'waits',
    title: 'Many waits (one process, injected fetch)',
    text,
    figures: { ...f },
    goals: [
      {
        goal: 'under 2 KB of heap per pending wait',
        met: f.bytesPerWait < 2048,
        figure: `${bytes(f.bytesPerWait)} per wait`,
      },
    ],
  };
}

await main(import.meta.url, run);
