// An ESM consumer: `import` of every entry, then a task awaited with a vendor of its own.
// Usage: node esm.mjs <task server URL> <subpath>...
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as taskwait from 'taskwait';
import { z } from 'zod';
import localVendor from './local-vendor.cjs';

const [baseUrl, ...entries] = process.argv.slice(2);
const here = realpathSync(process.cwd());
const loaded = [];
for (const name of entries) {
  const file = fileURLToPath(import.meta.resolve(name));
  if (!file.startsWith(`${here}${sep}node_modules${sep}taskwait${sep}`) || realpathSync(file) !== file) {
    throw new Error(`${name} resolved outside this project's node_modules: ${file}`);
  }
  if (!file.endsWith('.js')) throw new Error(`import ${name} should load the ESM build, got ${file}`);
  const module = await import(name);
  loaded.push(`${name}=${Object.keys(module).length}`);
}
console.log(`import ok (exports per entry): ${loaded.join(' ')}`);

const local = localVendor(taskwait, z);
const { createClient, TaskFailedError } = taskwait;
const client = createClient(local, { baseUrl, token: 'test-token', wait: { minDelayMs: 10, maxDelayMs: 50 } });
const states = [];
const done = await client.wait(`ok-esm-${process.pid}`, { onProgress: (s) => states.push(s.state), timeoutMs: 20_000 });
if (done.state !== 'succeeded' || done.progress !== 1) throw new Error(`unexpected end: ${JSON.stringify(done)}`);
const failed = await client.wait(`fail-esm-${process.pid}`, { timeoutMs: 20_000 }).catch((error) => error);
if (!(failed instanceof TaskFailedError) || failed.snapshot.state !== 'failed') {
  throw new Error(`expected a TaskFailedError, got ${failed}`);
}
console.log(
  `wait ok: ${states.join(' → ')}; a failing task rejects with ${failed.name} (${failed.snapshot.error?.message})`,
);

// One run of taskwait/bullmq's processor on a job object (no Redis needed): the task is still
// queued, so the job is delayed with the DelayedError of the very bullmq this program imports.
if (entries.includes('taskwait/bullmq')) {
  const { waitJobId, waitProcessor } = await import('taskwait/bullmq');
  const { DelayedError } = await import('bullmq');
  let delayedTo = 0;
  const job = {
    id: waitJobId('local', `run-esm-${process.pid}`),
    timestamp: Date.now(),
    data: { vendor: 'local', ref: `run-esm-${process.pid}` },
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
  console.log(`bullmq ok: one poll, then ${thrown.name} from the imported bullmq; resume token in the job data`);
}
