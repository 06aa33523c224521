/**
 * Per-poll overhead: `client.get()` (ky, p-retry, the size cap, Zod validation, normalization)
 * against a bare `fetch` + `res.json()` loop, both on the testing kit's loopback server (run in
 * its own process) serving the same Mixpeek task. The loops (bench/scenarios/overhead.ts) run
 * bundled, as shipped code. Rounds alternate between the loops so that drift in the machine's
 * speed hits all alike; the figure is the median round. A third loop, ky alone, shows where the
 * overhead comes from.
 *
 * Run alone: `npx tsx bench/overhead.ts [--smoke]`.
 */
import { runBundled } from './lib/bundled.js';
import { startServer } from './lib/child.js';
import { main } from './lib/main.js';
import { type BenchResult, fixed, ratio, table } from './lib/stats.js';

type Figures = Record<string, Record<string, number>>;

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const perRound = options.smoke ? 200 : 2000;
  const rounds = options.smoke ? 2 : 9;
  const server = await startServer<{ ref: string; path: string }>('task');
  let figures: Figures;
  try {
    figures = await runBundled<Figures>('scenarios/overhead.ts', [
      server.url,
      server.info.ref,
      server.info.path,
      String(perRound),
      String(rounds),
    ]);
  } finally {
    await server.close();
  }
  const rows: string[][] = [];
  for (const [concurrency, loops] of Object.entries(figures)) {
    const base = loops['fetch + res.json()'] as number;
    const label = concurrency === '1' ? 'one at a time' : `${concurrency} at a time`;
    for (const [name, us] of Object.entries(loops)) {
      rows.push([`${label}: ${name}`, fixed(us, 0), fixed(1e6 / us, 0), ratio(us / base)]);
    }
  }
  const one = figures['1'] as Record<string, number>;
  const sequential = (one['client.get()'] as number) / (one['fetch + res.json()'] as number);
  const text = [
    `${rounds} alternating rounds of ${perRound} requests each; µs per request (wall time / requests), median round.`,
    '',
    table(['loop', 'µs/request', 'requests/s', 'ratio'], rows),
  ].join('\n');
  return {
    name: 'overhead',
    title: 'Per-poll overhead (loopback, testing kit server)',
    text,
    figures: { perRound, rounds, microseconds: figures },
    goals: [
      {
        goal: 'client.get() within 15 % of a bare fetch + res.json() loop',
        met: sequential <= 1.15,
        figure: `${ratio(sequential)} of bare fetch, one request at a time`,
      },
    ],
  };
}

await main(import.meta.url, run);
