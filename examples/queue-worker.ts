// A worker process of taskwait/bullmq, the shape of yours: one client per vendor (the tokens stay
// here, never in Redis), BullMQ's Worker running taskwait's processor, an onSettled that records
// each outcome, and a clean close on SIGTERM. `npm run demo:queue` runs two of these, and the
// BullMQ scale test three.
//
//   TASKWAIT_WORKER='{"redis":{"host":"127.0.0.1","port":6379},"queue":"taskwait","baseUrl":"http://127.0.0.1:8080"}' \
//     npx tsx examples/queue-worker.ts
//
// It prints one JSON line once it is connected ({"ready":true,"pid":...}), and exits by itself,
// every connection closed, after SIGTERM.
import { appendFileSync } from 'node:fs';
import { Worker } from 'bullmq';
import { waitProcessor } from '../src/bullmq/index.js';
import { createClient, type WaitDefaults } from '../src/index.js';
import { anaplan } from '../src/vendors/anaplan/index.js';
import { layerIq } from '../src/vendors/layer-iq/index.js';
import { mixpeek } from '../src/vendors/mixpeek/index.js';
import { postman } from '../src/vendors/postman/index.js';
import { softwareOne } from '../src/vendors/softwareone/index.js';

interface WorkerConfig {
  redis: { host: string; port: number };
  queue: string;
  /** The fake vendor server (omit against the real APIs). */
  baseUrl?: string;
  concurrency?: number;
  /** Where onSettled appends `<job id> <status>` lines. */
  settledLog?: string;
  /** Short locks, so that the jobs of a killed worker are taken up again within seconds. */
  lockDurationMs?: number;
  wait?: WaitDefaults;
  retry?: { retries?: number; minDelayMs?: number; maxDelayMs?: number };
  /** `false` sends every request on its own (no request budget), as a test of faults wants. */
  budget?: false;
}

const config = JSON.parse(process.env.TASKWAIT_WORKER ?? '{}') as WorkerConfig;
const options = { baseUrl: config.baseUrl, wait: config.wait, retry: config.retry, budget: config.budget };
const env = process.env;
const clients = {
  mixpeek: createClient(mixpeek, { ...options, token: env.MIXPEEK_TOKEN ?? 'sk_test_demo' }),
  postman: createClient(postman, { ...options, token: env.POSTMAN_TOKEN ?? 'PMAK-demo' }),
  anaplan: createClient(anaplan, { ...options, token: env.ANAPLAN_TOKEN ?? 'anaplan-demo' }),
  softwareone: createClient(softwareOne, { ...options, token: env.SOFTWAREONE_TOKEN ?? 'idt:TKN-demo' }),
  'layer-iq': createClient(layerIq, { ...options, token: env.LAYER_IQ_TOKEN ?? 'liq_test_demo_key' }),
};

const lockDuration = config.lockDurationMs ?? 30_000;
const worker = new Worker(
  config.queue,
  waitProcessor({
    clients,
    // At least once per job: a worker killed between this call and the job's end leaves the job
    // to another worker, which calls it again. Key what it writes by the job id.
    onSettled: (outcome) => {
      if (config.settledLog) appendFileSync(config.settledLog, `${outcome.jobId} ${outcome.status}\n`);
    },
  }),
  {
    // null: a command waits for Redis to come back instead of failing the job.
    connection: { ...config.redis, maxRetriesPerRequest: null },
    concurrency: config.concurrency ?? 50,
    lockDuration,
    stalledInterval: lockDuration / 2,
    maxStalledCount: 5,
  },
);
worker.on('error', (error) => console.error(`worker ${process.pid}: ${error.message}`));

await worker.waitUntilReady();
console.log(JSON.stringify({ ready: true, pid: process.pid }));

process.once('SIGTERM', () => {
  // Finishes the polls in flight, then closes every connection: the process then exits on its own.
  worker.close().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
});
