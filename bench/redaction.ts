/**
 * Redaction and messages over hostile server text: ms per MiB at 256 KiB and at 4 MiB for each
 * adversarial input (shaped against each redaction pattern), on each path: `redact()`, `redact()`
 * with exact secrets, and a whole `get()`/`wait()` whose failed task or garbled body carries the
 * text. Linear code spends the same per MiB at both sizes; quadratic code spends 16x more per MiB
 * at 4 MiB than at 256 KiB. The baseline is `JSON.stringify` of the same text (a linear scan that
 * escapes it), measured in the same run.
 *
 * Before the fix, 'a.'.repeat(60000) (117 KiB) in a failure text took 4.2 s, and 20, 39 and 78 KiB
 * took 118, 463 and 2,173 ms: about 30 s per MiB at 78 KiB, and growing with the size.
 *
 * Run alone: `npx tsx bench/redaction.ts [--smoke]`.
 */
import { createClient, redact } from '../src/index.js';
import { mixpeek } from '../src/vendors/mixpeek/index.js';
import { main } from './lib/main.js';
import { type BenchResult, fixed, ratio, table } from './lib/stats.js';

const SECRET = 'sk_test_Be9chRedaction0001';

const fill = (unit: string, size: number, head = '') =>
  (head + unit.repeat(Math.ceil(size / unit.length))).slice(0, size);

const INPUTS: [string, (size: number) => string][] = [
  ["'a.' repeated (a URL scheme that never ends)", (n) => fill('a.', n)],
  ["'x://' and a userinfo without @", (n) => fill('a', n, 'x://')],
  ["'https://a@' repeated", (n) => fill('https://a@', n)],
  ["'Bearer' and spaces", (n) => `${fill(' ', n - 1, 'Bearer')}!`],
  ["'token=' and spaces", (n) => `${fill(' ', n - 2, 'token=')}ab`],
  ['\'"token":\' repeated', (n) => fill('"token":', n)],
  ['the secret repeated', (n) => fill(`${SECRET} `, n)],
  ['prose', (n) => fill('The task failed: the row had no serial number. ', n)],
];

type Path = (text: string) => unknown;

function clientPaths(): Record<string, Path> {
  let text = '';
  let failed = true;
  const client = createClient(mixpeek, {
    baseUrl: 'https://api.mixpeek.test',
    token: SECRET,
    retry: { retries: 0 },
    maxResponseBytes: 64 * 1024 * 1024,
    fetch: async () => {
      const body = failed
        ? JSON.stringify({ task_id: 't', task_type: 'x', status: 'FAILED', error_message: text })
        : text;
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    },
  });
  return {
    'wait(): failed task': (t) => {
      text = t;
      failed = true;
      return client.wait('t').catch((e: Error) => e.message);
    },
    'get(): body not JSON': (t) => {
      text = t;
      failed = false;
      return client.get('t').catch((e: Error) => e.message);
    },
  };
}

const PATHS: Record<string, Path> = {
  'JSON.stringify (baseline)': (text) => JSON.stringify(text),
  'redact()': (text) => redact(text),
  'redact() with secrets': (text) => redact(text, [SECRET, 'another-secret-value']),
  ...clientPaths(),
};

/** This process's CPU time for `work`, in ms: other processes on a busy machine don't count. */
async function cpuTime(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

async function perMiB(path: Path, text: string, runs: number): Promise<number> {
  await path(text);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) best = Math.min(best, await cpuTime(() => path(text)));
  return best / (text.length / (1024 * 1024));
}

async function run(args: { smoke: boolean }): Promise<BenchResult> {
  const [small, large] = args.smoke ? [64 * 1024, 256 * 1024] : [256 * 1024, 4 * 1024 * 1024];
  const runs = args.smoke ? 1 : 5;
  const label = (n: number) => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : `${n / 1024} KiB`);
  const rows: string[][] = [];
  const figures: Record<string, Record<string, { small: number; large: number }>> = {};
  let worstGrowth = 0;
  let worstVsBaseline = 0;
  for (const [input, make] of INPUTS) {
    const texts = [make(small), make(large)] as const;
    const baseline = await perMiB(PATHS['JSON.stringify (baseline)'] as Path, texts[1], runs);
    figures[input] = {};
    for (const [name, path] of Object.entries(PATHS)) {
      const a = await perMiB(path, texts[0], runs);
      const b = await perMiB(path, texts[1], runs);
      (figures[input] as Record<string, { small: number; large: number }>)[name] = { small: a, large: b };
      const growth = b / Math.max(a, 0.01);
      if (!name.includes('baseline')) {
        worstGrowth = Math.max(worstGrowth, growth);
        worstVsBaseline = Math.max(worstVsBaseline, b / Math.max(baseline, 0.01));
      }
      rows.push([input, name, fixed(a, 2), fixed(b, 2), ratio(growth), ratio(b / Math.max(baseline, 0.01))]);
    }
  }
  const text = [
    `CPU ms per MiB of server text, the quickest of ${runs} runs, at ${label(small)} and ${label(large)}. ` +
      `"growth" is the per-MiB time at ${label(large)} over that at ${label(small)}: about 1x when linear, ` +
      `${large / small}x when quadratic. "vs baseline": against JSON.stringify of the same ${label(large)}.`,
    '',
    table(['input', 'path', `ms/MiB @ ${label(small)}`, `ms/MiB @ ${label(large)}`, 'growth', 'vs baseline'], rows),
  ].join('\n');
  return {
    name: 'redaction',
    title: 'Redaction and messages over hostile server text (ms per MiB)',
    text,
    figures: { small, large, runs, perMiB: figures },
    goals: [
      {
        goal: 'redaction and messages are linear in the server text',
        // Quadratic would be the size ratio; caches and GC allow some growth in linear code.
        met: worstGrowth < 2.5,
        figure: `the worst per-MiB growth from ${label(small)} to ${label(large)} is ${ratio(worstGrowth)} (quadratic: ${large / small}x)`,
      },
    ],
  };
}

await main(import.meta.url, run);
