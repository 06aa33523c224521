/**
 * A wait group of 10,000 tasks in one process: the heap each pending task holds and the timers
 * the group keeps, against 10,000 separate `client.wait()` calls measured in the same run. An
 * injected `fetch` answers "running" (no sockets) and every first delay is long, so that every
 * task is asleep while the heap is measured after `global.gc()`. Bundled, as shipped code
 * (bench/scenarios/group.ts).
 *
 * Run alone: `npx tsx bench/group.ts [--smoke]`.
 */
import { runBundled } from './lib/bundled.js';
import { main } from './lib/main.js';
import { type BenchResult, bytes, table } from './lib/stats.js';

interface Side {
  bytesPerTask: number;
  timers: number;
  left: number;
}
interface Figures {
  tasks: number;
  group: Side;
  separate: Side;
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const count = options.smoke ? 1000 : 10_000;
  const f = await runBundled<Figures>('scenarios/group.ts', [String(count)]);
  const text = [
    `${f.tasks} tasks pending at once on one client (an injected fetch answering PROCESSING); bundled code under node --expose-gc.`,
    '',
    table(
      ['', 'heap per pending task', 'timers while pending', 'timers left after abort'],
      [
        ['client.waitAll(refs): one group', bytes(f.group.bytesPerTask), String(f.group.timers), String(f.group.left)],
        [
          `${f.tasks} separate client.wait() calls`,
          bytes(f.separate.bytesPerTask),
          String(f.separate.timers),
          String(f.separate.left),
        ],
      ],
    ),
  ].join('\n');
  return {
    name: 'group',
    title: 'A wait group of many tasks (one process, injected fetch)',
    text,
    figures: { ...f },
    goals: [
      {
        goal: 'a group holds one timer, not one per task',
        met: f.group.timers <= 1 && f.group.left === 0,
        figure: `${f.group.timers} timer for ${f.tasks} tasks (${f.separate.timers} for separate waits)`,
      },
    ],
  };
}

await main(import.meta.url, run);
