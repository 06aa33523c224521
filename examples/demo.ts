// The taskwait demo: `npm run demo`. No network, no credentials: a local fake of the vendors' APIs.
//
// 1. starts the loopback fake server (taskwait/testing/server)
// 2. ingests a few thousand asset rows into Layer IQ and awaits the import with a live progress line
// 3. pages through the import's issues and normalized rows with `for await`
// 4. awaits one task of each other vendor, with a few faults injected on the way
import { createClient, TaskFailedError, type TaskSnapshot } from '../src/index.js';
import {
  anaplanFake,
  fakeTask,
  layerIqIngest,
  mixpeekFake,
  postmanFake,
  softwareOneFake,
  startFakeServer,
} from '../src/testing/server.js';
import { anaplan } from '../src/vendors/anaplan/index.js';
import { layerIq } from '../src/vendors/layer-iq/index.js';
import { mixpeek } from '../src/vendors/mixpeek/index.js';
import { postman } from '../src/vendors/postman/index.js';
import { softwareOne } from '../src/vendors/softwareone/index.js';

const tty = process.stdout.isTTY === true;
const color = tty && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint(1);
const dim = paint(2);
const green = paint(32);
const yellow = paint(33);
const red = paint(31);
const cyan = paint(36);
const num = (n: number) => n.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mark = (s: TaskSnapshot) =>
  s.state === 'succeeded' ? green('✔') : s.state === 'partial' ? yellow('◐') : red('✖');
const tint = (s: TaskSnapshot) => (s.state === 'succeeded' ? green : s.state === 'partial' ? yellow : red)(s.state);

// Short poll and retry delays, so the demo takes seconds. The defaults: polls 1 s → 30 s, retries 0.5 s → 5 s.
const DEMO_POLLING = { minDelayMs: 40, maxDelayMs: 160 };
const DEMO_RETRY = { minDelayMs: 40, maxDelayMs: 160 };
const started = Date.now();

// The Layer IQ ingest endpoint creates a task per batch: queued 250 ms, then running for 1.4 s.
const server = await startFakeServer({ routes: [layerIqIngest({ task: { queuedMs: 250, runningMs: 1400 } })] });
try {
  console.log(`\n${bold('taskwait demo')}  ${dim('await the asynchronous tasks of other companies’ APIs')}\n`);
  console.log(`  fake vendor APIs  ${cyan(server.url)}  ${dim('(local loopback server: no network, no credentials)')}`);
  console.log(
    `  polling           every ${DEMO_POLLING.minDelayMs}–${DEMO_POLLING.maxDelayMs} ms ${dim('(shortened for the demo with the wait option; default 1 s → 30 s)')}`,
  );

  // --- Layer IQ: ingest, wait with a progress line, page through issues and rows -------------
  console.log(`\n${bold('Layer IQ')}  ${dim('POST /assets/ingest, then GET /tasks/{id} until it ends')}`);
  const layer = createClient(layerIq, {
    baseUrl: server.url,
    token: 'liq_test_demo_key',
    wait: DEMO_POLLING,
    retry: DEMO_RETRY,
  });
  const rows = assetRows(3000);
  const [ref] = await layer.ingest(rows, { normalize: true });
  if (!ref) throw new Error('the ingest returned no task');
  console.log(`  ${green('✔')} ${num(rows.length)} rows accepted  ${dim(`202 → ${new URL(ref).pathname}`)}`);

  const line = progressLine();
  const end = await layer.wait(ref, { onProgress: (s) => line.update(s) }).finally(() => line.done());
  const counts = end.raw.counts;
  const polls = server.tasks[0]?.polls ?? 0;
  console.log(
    `  ${mark(end)} ${tint(end)} after ${secs(line.elapsed())} and ${polls} polls: ${num(counts.inserted ?? 0)} inserted, ${num(counts.failed ?? 0)} failed  ${dim(end.state === 'partial' ? `(Layer IQ said ${end.rawStatus}; failed rows make it partial)` : '')}`,
  );

  const bySeverity = new Map<string, number>();
  const firstErrors: string[] = [];
  for await (const issue of layer.issues(ref)) {
    bySeverity.set(issue.severity, (bySeverity.get(issue.severity) ?? 0) + 1);
    if (issue.severity === 'ERROR' && firstErrors.length < 3) {
      firstErrors.push(`row ${String(issue.rowIndex).padStart(4)}  ${issue.code.padEnd(22)} ${dim(issue.message)}`);
    }
  }
  const issueCount = [...bySeverity.values()].reduce((a, b) => a + b, 0);
  const tally = [...bySeverity].map(([severity, n]) => `${num(n)} ${severity.toLowerCase()}${n === 1 ? '' : 's'}`);
  console.log(`  ${cyan('↳')} issues: ${num(issueCount)} (${tally.join(', ')}), e.g.`);
  for (const text of firstErrors) console.log(`      ${text}`);

  let pages = 0;
  let normalized = 0;
  const makers = new Map<string, number>();
  for await (const page of layer.normalizedRows(ref, { pageSize: 250 }).pages()) {
    pages += 1;
    for (const row of page.items) {
      normalized += 1;
      if (row.manufacturer) makers.set(row.manufacturer, (makers.get(row.manufacturer) ?? 0) + 1);
    }
  }
  const top = [...makers].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${num(n)}`);
  console.log(`  ${cyan('↳')} normalized rows: ${num(normalized)} in ${pages} pages: ${top.join(' · ')}`);
  console.log(`      ${dim('normalized: " dell " and "DELL" came back as "Dell", "hp" as "HP", "de" as "DE"')}`);

  // --- One task of each other vendor, with faults on the way --------------------------------
  console.log(`\n${bold('Other vendors')}  ${dim('one task each, with faults injected; they run at once')}`);
  const mixpeekTask = fakeTask(mixpeekFake, { queuedPolls: 2, progress: [0.3, 0.7], faults: [{ on: 2, status: 503 }] });
  const postmanTask = fakeTask(postmanFake, {
    queuedPolls: 2,
    outcome: 'failed',
    error: 'Invalid OpenAPI schema: paths./pets.get is missing responses',
    faults: [{ on: 2, rateLimit: 0.05 }], // Postman's own rate-limit headers; 50 ms keeps the demo quick
  });
  const anaplanTask = fakeTask(anaplanFake, {
    progress: [0.25, 0.5, 0.75],
    outcome: 'partial',
    faults: [{ on: 3, drop: true }],
  });
  const softwareOneTask = fakeTask(softwareOneFake, {
    phases: [
      { state: 'blocked', polls: 1 },
      { state: 'queued', polls: 1 },
      { state: 'running', progress: [0.4, 0.8] },
    ],
    faults: [{ on: 2, body: 'html' }],
  });
  server.add(mixpeekTask, postmanTask, anaplanTask, softwareOneTask);

  const options = { baseUrl: server.url, wait: DEMO_POLLING, retry: DEMO_RETRY };
  const results = await Promise.all([
    report('mixpeek', mixpeekTask, 'a 503', () =>
      createClient(mixpeek, { ...options, token: 'sk_test_demo' }).wait(mixpeekTask.ref),
    ),
    report('postman', postmanTask, 'a 429 (X-RateLimit-RetryAfter)', () =>
      createClient(postman, { ...options, token: 'PMAK-demo' }).wait(postmanTask.ref),
    ),
    report('anaplan', anaplanTask, 'a dropped connection', () =>
      createClient(anaplan, { ...options, token: 'anaplan-demo' }).wait(anaplanTask.ref),
    ),
    report('softwareone', softwareOneTask, 'an HTML page with 200', () =>
      createClient(softwareOne, { ...options, token: 'idt:TKN-demo' }).wait(softwareOneTask.ref),
    ),
  ]);

  // --- Summary ---------------------------------------------------------------------------------
  const faults = server.requests.filter((r) => r.fault).length;
  console.log(`\n${bold('Summary')}`);
  console.log(
    `  ${1 + results.length} tasks of 5 vendors awaited · ${num(server.requests.length)} HTTP requests · ${faults} faults injected, all survived · ${secs(Date.now() - started)}`,
  );
  console.log(`  ${dim('Next: npm run examples · the README · examples/*.ts')}\n`);
} finally {
  await server.close();
}

/** Awaits one task and prints a line about it; a failed task is reported, not thrown. */
async function report(name: string, task: { polls: number }, fault: string, wait: () => Promise<TaskSnapshot>) {
  const t0 = Date.now();
  let end: TaskSnapshot;
  try {
    end = await wait();
  } catch (error) {
    if (!(error instanceof TaskFailedError)) throw error;
    end = error.snapshot;
  }
  const state = tint(end) + ' '.repeat(Math.max(0, 10 - end.state.length));
  console.log(
    `  ${mark(end)} ${name.padEnd(12)} ${end.rawStatus.padEnd(10)} → ${state} ${dim(`${task.polls} polls in ${secs(Date.now() - t0)}, past ${fault}`)}`,
  );
  if (end.error) console.log(`      ${dim(`error: ${end.error.message}`)}`);
  return end;
}

/**
 * A live progress line: on a terminal, one line redrawn on each snapshot and every 100 ms (the
 * clock runs between polls); when piped, a plain line per state change or quarter of progress.
 */
function progressLine() {
  const t0 = Date.now();
  let snapshot: TaskSnapshot | undefined;
  let printed = '';
  const draw = () => {
    if (!snapshot) return;
    const pct = Math.round((snapshot.progress ?? 0) * 100);
    const width = 28;
    const filled = Math.round((pct / 100) * width);
    const bar = `${cyan('█'.repeat(filled))}${dim('░'.repeat(width - filled))}`;
    process.stdout.write(
      `\r\x1b[2K  ${bar} ${String(pct).padStart(3)}%  ${snapshot.state.padEnd(9)} ${dim(secs(Date.now() - t0))}`,
    );
  };
  const ticker = tty ? setInterval(draw, 100) : undefined;
  return {
    update(s: TaskSnapshot) {
      snapshot = s;
      if (tty) return draw();
      const text = `  ${String(Math.floor((s.progress ?? 0) * 4) * 25).padStart(3)}%  ${s.state}`;
      if (text !== printed) console.log(text);
      printed = text;
    },
    done() {
      clearInterval(ticker);
      if (tty) process.stdout.write('\r\x1b[2K');
    },
    elapsed: () => Date.now() - t0,
  };
}

/** `count` asset rows as an export from an asset register might hold them: some messy, a few wrong. */
function assetRows(count: number) {
  const makers = [' dell ', 'DELL', 'lenovo', 'Lenovo ', 'hp', 'HP', 'apple', 'Apple'];
  const models: Record<string, string[]> = {
    dell: ['Latitude 5440', 'OptiPlex 7010'],
    lenovo: ['ThinkPad T14', 'ThinkCentre M70q'],
    hp: ['EliteBook 840', 'ProDesk 400'],
    apple: ['MacBook Pro 14', 'Mac mini'],
  };
  const countries = ['de', 'DE', 'fr', 'nl', 'us', 'gb'];
  return Array.from({ length: count }, (_, i) => {
    const maker = makers[i % makers.length] as string;
    const key = maker.trim().toLowerCase();
    return {
      identifier: `ASSET-${String(i + 1).padStart(5, '0')}`,
      manufacturer: maker,
      model: (models[key] as string[])[i % 2],
      countryCode: i % 331 === 17 ? 'Germany' : (countries[i % countries.length] as string),
      serialNumber: i % 41 === 5 ? undefined : `SN${(i * 7919).toString(36).toUpperCase().padStart(8, '0')}`,
      year: 2019 + (i % 6),
      quantity: i % 499 === 7 ? 0 : 1,
    };
  });
}
