// The queue demo: `npm run demo:queue`. Waits that outlive a process, on BullMQ and a real Redis.
//
// 1. starts a throwaway redis-server (persistence off) and the loopback fake of the five vendors
// 2. enqueues 1,000 waits across the five vendors (taskwait/bullmq's enqueueWait)
// 3. runs two worker processes (examples/queue-worker.ts), kills one with SIGKILL midway, starts
//    another: the killed worker's jobs are taken up again once their lock expires
// 4. prints the outcomes (each against what its fake task was given) and the figures
//
// Needs redis-server (Debian: apt-get install redis-server).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Queue } from 'bullmq';
import { enqueueWait, type WaitJobData, waitJobId } from '../src/bullmq/index.js';
import type { TaskSnapshot, TaskState } from '../src/index.js';
import {
  type AnyFakeTask,
  anaplanFake,
  fakeTask,
  layerIqFake,
  mixpeekFake,
  postmanFake,
  softwareOneFake,
  startFakeServer,
  type VendorFake,
} from '../src/testing/server.js';
import { startWorker, type WorkerProcess } from '../test/helpers/queue-workers.js';
import { findRedisServer, startRedis } from '../test/helpers/redis.js';

const WAITS = 1000;
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

if (!findRedisServer()) {
  console.error('demo:queue needs redis-server: apt-get install redis-server (Debian), brew install redis (macOS)');
  process.exit(1);
}

const VENDORS: { name: string; fake: VendorFake; id: (n: number) => string }[] = [
  { name: 'mixpeek', fake: mixpeekFake, id: (n) => `task_${n.toString(16).padStart(8, '0')}` },
  { name: 'postman', fake: postmanFake, id: (n) => `66ae9950-0869-4e65-96b0-${n.toString(16).padStart(12, '0')}` },
  { name: 'anaplan', fake: anaplanFake, id: (n) => n.toString(16).toUpperCase().padStart(32, '0') },
  { name: 'softwareone', fake: softwareOneFake, id: (n) => `TSK-0001-0000-0000-${String(n).padStart(4, '0')}` },
  { name: 'layer-iq', fake: layerIqFake, id: (n) => `run_${String(n).padStart(8, '0')}` },
];

const started = Date.now();
const [redis, server] = await Promise.all([startRedis(), startFakeServer()]);
const dir = await mkdtemp(join(tmpdir(), 'taskwait-demo-queue-'));
const workers: WorkerProcess[] = [];
const queue = new Queue('taskwait-demo', { connection: redis.connection() });
// Ctrl-C: no worker process or redis-server is left behind.
process.once('SIGINT', () => {
  for (const worker of workers) worker.kill().catch(() => undefined);
  redis.stop().finally(() => process.exit(130));
});
try {
  console.log(`\n${bold('taskwait queue demo')}  ${dim('waits that outlive a process: BullMQ on Redis')}\n`);
  const version = (await redis.info('server')).get('redis_version');
  console.log(
    `  redis-server ${version}  ${cyan(`${redis.host}:${redis.port}`)}  ${dim('(throwaway, persistence off)')}`,
  );
  console.log(`  fake vendor APIs   ${cyan(server.url)}  ${dim('(loopback, 5 % of requests fail: 503, 429, drops)')}`);

  // Each task is queued up to 0.5 s, then runs 0.5 to 4 s, and ends as its vendor can.
  const waits = Array.from({ length: WAITS }, (_, i) => {
    const vendor = VENDORS[i % VENDORS.length] as (typeof VENDORS)[number];
    const outcome = vendor.fake.outcomes[Math.floor(i / VENDORS.length) % vendor.fake.outcomes.length] as TaskState;
    const task: AnyFakeTask = fakeTask(vendor.fake, {
      id: vendor.id(i + 1),
      queuedMs: (i * 37) % 500,
      runningMs: 500 + ((i * 997) % 3500),
      outcome,
      faults: [
        { rate: 0.02, status: 503 },
        { rate: 0.02, rateLimit: 0.2, retryHeaders: 'standard' },
        { rate: 0.01, drop: true },
      ],
      seed: i + 1,
    });
    return { vendor: vendor.name, outcome, task };
  });
  server.add(...waits.map((w) => w.task));

  const config = {
    redis: { host: redis.host, port: redis.port },
    queue: queue.name,
    baseUrl: server.url,
    concurrency: 50,
    settledLog: join(dir, 'settled.log'),
    lockDurationMs: 3000,
    wait: { minDelayMs: 100, maxDelayMs: 1000 },
    retry: { retries: 2, minDelayMs: 50, maxDelayMs: 200 },
  };
  workers.push(...(await Promise.all([startWorker(config), startWorker(config)])));
  console.log(`  2 worker processes ${dim(`pids ${workers.map((w) => w.pid).join(', ')}, 50 jobs at a time each`)}`);

  await queue.waitUntilReady();
  const memoryBefore = Number((await redis.info('memory')).get('used_memory'));
  const commandsBefore = await commandCalls();
  const t0 = Date.now();
  for (let at = 0; at < WAITS; at += 250) {
    await Promise.all(waits.slice(at, at + 250).map((w) => enqueueWait(queue, { vendor: w.vendor, ref: w.task.ref })));
  }
  const memoryPending = Number((await redis.info('memory')).get('used_memory'));
  console.log(`\n  ${green('✔')} ${num(WAITS)} waits enqueued in ${Date.now() - t0} ms ${dim('(200 per vendor)')}`);

  let settled = 0;
  let killed = false;
  let printed = -1;
  while (settled < WAITS && Date.now() - t0 < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'active');
    settled = (counts.completed ?? 0) + (counts.failed ?? 0);
    const line = `  settled ${String(settled).padStart(4)} / ${WAITS}   ${dim(`${counts.delayed} delayed until their next poll, ${counts.active} polling now`)}`;
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (Math.floor(settled / 250) !== printed) {
      printed = Math.floor(settled / 250);
      console.log(line);
    }
    if (!killed && settled >= WAITS / 3) {
      killed = true;
      const victim = workers[0] as WorkerProcess;
      await victim.kill();
      const fresh = await startWorker(config);
      workers.push(fresh);
      if (tty) process.stdout.write('\r\x1b[2K');
      console.log(
        `  ${red('✖')} killed worker ${victim.pid} with SIGKILL at ${settled} settled ${dim('(its jobs in flight go to the others once their 3 s lock expires)')}`,
      );
      console.log(`  ${green('✔')} started worker ${fresh.pid}`);
    }
  }
  if (tty) process.stdout.write('\r\x1b[2K');
  const elapsed = Date.now() - t0;
  const commandsAfter = await commandCalls();

  // Outcomes, against what each fake task was given.
  const ids = new Map<string, { status: string; state?: TaskState }>();
  for (const status of ['completed', 'failed'] as const) {
    const jobs = (await queue.getJobs([status], 0, -1)) as Job<WaitJobData, TaskSnapshot>[];
    for (const job of jobs) {
      const state = status === 'completed' ? job.returnvalue.state : job.data.outcome?.snapshot?.state;
      ids.set(job.id as string, { status, ...(state ? { state } : {}) });
    }
  }
  const stateOf = (w: (typeof waits)[number]) => ids.get(waitJobId(w.vendor, w.task.ref))?.state;
  const states = ['succeeded', 'partial', 'skipped', 'failed', 'canceled'] as const;
  console.log(`\n${bold('Outcomes')}  ${dim('completed: succeeded, partial, skipped · failed: failed, canceled')}`);
  console.log(`  ${'vendor'.padEnd(12)} ${states.map((s) => s.padStart(9)).join(' ')}`);
  let right = 0;
  for (const vendor of VENDORS) {
    const mine = waits.filter((w) => w.vendor === vendor.name);
    const cells = states.map((state) => {
      const n = mine.filter((w) => stateOf(w) === state).length;
      return (n === 0 ? dim('·') : String(n)).padStart(color && n === 0 ? 9 + 8 : 9);
    });
    right += mine.filter((w) => stateOf(w) === w.outcome).length;
    console.log(`  ${vendor.name.padEnd(12)} ${cells.join(' ')}`);
  }
  const mark = right === WAITS ? green('✔') : red('✖');
  console.log(
    `  ${mark} ${num(right)} of ${num(WAITS)} waits ended as their fake task was given: none lost, none stuck`,
  );

  // Figures.
  const calls = new Map<string, number>();
  for (const line of (await readFile(config.settledLog, 'utf8')).split('\n')) {
    const id = line.split(' ')[0];
    if (id) calls.set(id, (calls.get(id) ?? 0) + 1);
  }
  const twice = [...calls.values()].filter((n) => n > 1).length;
  const requests = waits.reduce((sum, w) => sum + w.task.requests.length, 0);
  const faults = waits.reduce((sum, w) => sum + w.task.requests.filter((r) => r.fault).length, 0);
  const commands = [...commandsAfter].reduce((sum, [name, n]) => sum + n - (commandsBefore.get(name) ?? 0), 0);
  console.log(`\n${bold('Figures')}`);
  console.log(`  ${secs(elapsed)} from the first enqueue to the last outcome ${dim(`(tasks run 0.5 to 4.5 s)`)}`);
  console.log(
    `  ${num(requests)} HTTP requests, ${(requests / WAITS).toFixed(2)} per task; ${num(faults)} faults injected, all survived`,
  );
  console.log(
    `  onSettled ran for ${num(calls.size)} jobs; ${twice} ran it twice ${dim('(jobs in the killed worker’s hands)')}`,
  );
  console.log(
    `  Redis: ${((memoryPending - memoryBefore) / WAITS).toFixed(0)} bytes per pending wait, ${(commands / requests).toFixed(1)} commands per poll ${dim('(INFO memory, INFO commandstats, Lua script internals included)')}`,
  );

  const ends = await Promise.all(workers.slice(1).map((w) => w.stop(15_000)));
  const clean = ends.every((end) => end.code === 0 && !end.forced);
  await queue.close();
  const left = (await redis.info('clients')).get('connected_clients');
  console.log(
    `  ${clean ? green('✔') : yellow('!')} workers closed on SIGTERM and exited by themselves; Redis connections left: ${left} ${dim('(this demo’s own)')}`,
  );
  console.log(
    `\n  ${dim(`${secs(Date.now() - started)} in all. Next: the README, "Waiting at scale" · examples/queue-worker.ts`)}\n`,
  );
  if (right !== WAITS || !clean) process.exitCode = 1;
} finally {
  for (const worker of workers) await worker.kill().catch(() => undefined);
  await queue.close();
  await server.close();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

async function commandCalls(): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const [key, value] of await redis.info('commandstats')) {
    const count = /calls=(\d+)/.exec(value);
    if (count && key !== 'cmdstat_info') calls.set(key, Number(count[1]));
  }
  return calls;
}
