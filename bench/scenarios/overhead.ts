/**
 * The per-poll overhead scenario, run bundled by bench/overhead.ts against a server it started:
 * `<baseUrl> <taskRef> <taskPath> <requestsPerRound> <rounds>`. Prints one JSON line.
 */
import ky from 'ky';
import { createClient } from '../../src/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const [baseUrl = '', ref = '', path = '', perRoundText = '2000', roundsText = '9'] = process.argv.slice(2);
const perRound = Number(perRoundText);
const rounds = Number(roundsText);
const TOKEN = 'sk_bench_token';

/** Runs `once` `count` times, `concurrency` at a time; returns µs per call. */
async function timed(once: () => Promise<unknown>, count: number, concurrency: number): Promise<number> {
  const started = performance.now();
  let left = count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left--;
        await once();
      }
    }),
  );
  return ((performance.now() - started) * 1000) / count;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const client = createClient(mixpeek, { baseUrl, token: TOKEN });
const url = new URL(path, baseUrl).href;
const headers = { Accept: 'application/json', Authorization: `Bearer ${TOKEN}` };
// Where the overhead comes from: the HTTP library alone, configured as src/core/http.ts does.
const api = ky.create({ retry: 0, timeout: false, throwHttpErrors: false });
const loops: [string, () => Promise<unknown>][] = [
  ['fetch + res.json()', async () => (await fetch(url, { headers })).json()],
  [
    'ky + res.json() (diagnostic)',
    async () => (await api(url, { headers, signal: new AbortController().signal })).json(),
  ],
  ['client.get()', () => client.get(ref)],
];

const check = await client.get(ref);
if (check.state !== 'running') throw new Error(`overhead: unexpected snapshot ${check.state}`);

const out: Record<string, Record<string, number>> = {};
for (const concurrency of [1, 16]) {
  // Warm every path (JIT, keep-alive sockets) before measuring.
  for (const [, loop] of loops) await timed(loop, perRound / 2, concurrency);
  const times = loops.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so that neither always runs first.
    const order = r % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    for (const i of order) {
      const [, loop] = loops[i] as [string, () => Promise<unknown>];
      times[i]?.push(await timed(loop, perRound, concurrency));
    }
  }
  out[String(concurrency)] = Object.fromEntries(loops.map(([name], i) => [name, median(times[i] as number[])]));
}
console.log(JSON.stringify(out));
