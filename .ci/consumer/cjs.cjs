// A CommonJS consumer: `require` of every entry, then a task awaited with a vendor of its own.
// Usage: node [--no-experimental-require-module] cjs.cjs <task server URL> <subpath>...
const { realpathSync } = require('node:fs');
const { sep } = require('node:path');
const taskwait = require('taskwait');
const { createClient, TaskFailedError } = taskwait;
const localVendor = require('./local-vendor.cjs');
const { z } = require('zod');

async function main() {
  const [baseUrl, ...entries] = process.argv.slice(2);
  const here = realpathSync(process.cwd());
  const loaded = [];
  for (const name of entries) {
    const file = require.resolve(name);
    if (!file.startsWith(`${here}${sep}node_modules${sep}taskwait${sep}`) || realpathSync(file) !== file) {
      throw new Error(`${name} resolved outside this project's node_modules: ${file}`);
    }
    if (!file.endsWith('.cjs')) throw new Error(`require ${name} should load the CommonJS build, got ${file}`);
    loaded.push(`${name}=${Object.keys(require(name)).length}`);
  }
  console.log(`require ok (exports per entry): ${loaded.join(' ')}`);

  const local = localVendor(taskwait, z);
  const client = createClient(local, { baseUrl, token: 'test-token', wait: { minDelayMs: 10, maxDelayMs: 50 } });
  const states = [];
  const id = `ok-cjs-${process.pid}`;
  const done = await client.wait(id, { onProgress: (s) => states.push(s.state), timeoutMs: 20_000 });
  if (done.state !== 'succeeded' || done.progress !== 1) throw new Error(`unexpected end: ${JSON.stringify(done)}`);
  const failed = await client.wait(`fail-cjs-${process.pid}`, { timeoutMs: 20_000 }).catch((error) => error);
  if (!(failed instanceof TaskFailedError) || failed.snapshot.state !== 'failed') {
    throw new Error(`expected a TaskFailedError, got ${failed}`);
  }
  const flags = process.execArgv.join(' ') || 'no flags';
  console.log(`wait ok (${flags}): ${states.join(' → ')}; a failing task rejects with ${failed.name}`);
  if (entries.includes('taskwait/bullmq')) console.log(await bullmqRun(client));
}

// One run of taskwait/bullmq's processor on a job object (no Redis needed): the task is still
// queued, so the job is delayed with the DelayedError of the very bullmq this program requires.
async function bullmqRun(client) {
  const { waitJobId, waitProcessor } = require('taskwait/bullmq');
  const { DelayedError } = require('bullmq');
  let delayedTo = 0;
  const job = {
    id: waitJobId('local', `run-cjs-${process.pid}`),
    timestamp: Date.now(),
    data: { vendor: 'local', ref: `run-cjs-${process.pid}` },
    async updateData(data) {
      job.data = data;
    },
    async moveToDelayed(at) {
      delayedTo = at;
    },
  };
  const thrown = await waitProcessor({ clients: { local: client } })(job, 'token').catch((error) => error);
  if (!(thrown instanceof DelayedError) || job.data.state?.polls !== 1 || delayedTo < job.timestamp) {
    throw new Error(`expected the job delayed with bullmq's DelayedError, got ${thrown}`);
  }
  return `bullmq ok: one poll, then ${thrown.name} from the required bullmq; resume token in the job data`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
