/**
 * The per-poll overhead scenario, run bundled by bench/overhead.ts against a server it started:
 * `<baseUrl> <taskRef> <taskPath> <requestsPerRound> <rounds>`. Prints one JSON line: for each
 * concurrency and loop, the wall time and the CPU time (this process's user + system) per request,
 * in µs, each the median round.
 */
import ky from 'ky';
import { createClient } from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const [baseUrl = '', ref = '', path = '', perRoundText = '2000', roundsText = '9'] = process.argv.slice(2);
const perRound = Number(perRoundText);
const rounds = Number(roundsText);
const TOKEN = 'sk_bench_token';

interface Cost {
  wallUs: number;
  cpuUs: number;
}

/** Runs `once` `count` times, `concurrency` at a time; returns µs of wall and CPU time per call. */
async function timed(once: () => Promise<unknown>, count: number, concurrency: number): Promise<Cost> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let left = count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left--;
        await once();
      }
    }),
  );
  const { user, system } = process.cpuUsage(cpu);
  return { wallUs: ((performance.now() - started) * 1000) / count, cpuUs: (user + system) / count };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const client = createClient(mixpeek, { baseUrl, token: TOKEN });
const url = new URL(path, baseUrl).href;
const headers = { Accept: 'application/json', Authorization: `Bearer ${TOKEN}` };
const loops: [string, () => Promise<unknown>][] = [
  ['fetch + res.json()', async () => (await fetch(url, { headers })).json()],
  // The baseline: ky with its retry and timeout off, nothing else.
  ['lean ky', () => ky.get(url, { retry: 0, timeout: false, headers }).json()],
  ['client.get()', () => client.get(ref)],
];

const check = await client.get(ref);
if (check.state !== 'running') throw new Error(`overhead: unexpected snapshot ${check.state}`);

const out: Record<string, Record<string, Cost>> = {};
for (const concurrency of [1, 16]) {
  // Warm every path (JIT, keep-alive sockets) before measuring.
  for (const [, loop] of loops) await timed(loop, perRound / 2, concurrency);
  const costs = loops.map((): Cost[] => []);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order so that no loop always runs first or last.
    for (let k = 0; k < loops.length; k++) {
      const i = (k + r) % loops.length;
      const [, loop] = loops[i] as [string, () => Promise<unknown>];
      costs[i]?.push(await timed(loop, perRound, concurrency));
    }
  }
  out[String(concurrency)] = Object.fromEntries(
    loops.map(([name], i) => {
      const each = costs[i] as Cost[];
      return [name, { wallUs: median(each.map((c) => c.wallUs)), cpuUs: median(each.map((c) => c.cpuUs)) }];
    }),
  );
}
console.log(JSON.stringify(out));
