// A wait that runs out of time saves its resume token; a later wait (another run of a cron job,
// another worker) resumes from it and finishes, keeping the backoff and the poll count.
//
//   npx tsx examples/resume-wait.ts
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, WaitTimeoutError } from '../src/index.js';
import { fakeTask, softwareOneFake, startFakeServer } from '../src/testing/index.js';
import { softwareOne } from '../src/vendors/softwareone/index.js';

// A fake SoftwareOne task that stays queued for 400 ms, then runs for 300 ms. Its clock stands
// still until the second run, so the first one meets it queued however slow the machine is.
let clockStarted: number | undefined;
const task = fakeTask(softwareOneFake, {
  id: 'TSK-0001-2474-4798-1266',
  queuedMs: 400,
  runningMs: 300,
  clock: () => 1_800_000_000_000 + (clockStarted === undefined ? 0 : Date.now() - clockStarted),
});
const server = await startFakeServer({ tasks: [task] });
const client = createClient(softwareOne, {
  baseUrl: server.url, // omit against the real API
  token: process.env.SWO_API_TOKEN ?? 'idt:TKN-example',
  wait: { minDelayMs: 20, maxDelayMs: 100 },
});
const dir = await mkdtemp(join(tmpdir(), 'taskwait-'));
const tokenFile = join(dir, 'wait.json');

try {
  // First run: wait at most 200 ms, then save where the wait stands.
  try {
    await client.wait(task.ref, { timeoutMs: 200 });
    assert.fail('the task should not be done yet');
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    await writeFile(tokenFile, error.resumeToken);
    console.log(
      `run 1: gave up after ${error.polls} polls, last seen ${error.snapshot?.state}; token saved to ${tokenFile}`,
    );
  }

  clockStarted = Date.now();
  // Later run: the token alone is enough (it carries the task reference, never the credential).
  const token = await readFile(tokenFile, 'utf8');
  assert.ok(!token.includes('TKN-example'));
  const done = await client.resume(token, {
    onProgress: (s) =>
      console.log(`run 2: ${s.state}${s.progress === undefined ? '' : ` ${Math.round(s.progress * 100)}%`}`),
  });
  const polls = (JSON.parse(token) as { polls: number }).polls;
  console.log(
    `run 2: task ${done.id} ${done.state} (${done.rawStatus}); ${polls} polls before the resume, ${task.polls} in all`,
  );
  assert.equal(done.state, 'succeeded');
} finally {
  await rm(dir, { recursive: true, force: true });
  await server.close();
}
