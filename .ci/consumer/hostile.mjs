// Hostile servers and callbacks against the installed tarball (issue 12), run as
// `node --expose-gc hostile.mjs` in a consumer: a body that trickles forever with full GCs forced
// (the request timeout and an abort must still end it), a token function that never settles,
// quadratic-prone text through redaction and a failed task, and the token as a JSON key. Prints one
// line per case; exits 1 on the first wrong outcome, and must exit by itself (nothing left running).
import { createServer } from 'node:http';
import { ConfigError, createClient, NetworkError, redact, TaskFailedError } from 'taskwait';
import { mixpeek } from 'taskwait/mixpeek';

const TOKEN = 'zQ9xK2mPq7vT4wL8rNb3hE5s';
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

/** Fails the check unless `ok`. */
function check(ok, what) {
  if (!ok) {
    console.error(`hostile check failed: ${what}`);
    process.exit(1);
  }
}

/** `promise`, or a rejection after `ms` (a wait that never ends fails the check instead of hanging it). */
function within(promise, ms, what) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

const outcome = (promise) =>
  promise.then(
    (value) => ({ value }),
    (error) => ({ error }),
  );

let answer = () => {};
const server = createServer((request, response) => answer(request, response));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const json = (body) => (_, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

try {
  // 1. A body that trickles forever, with a full GC every 50 ms.
  answer = (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"task_id":"t1"');
    const timer = setInterval(() => response.write(' '), 100);
    response.on('close', () => clearInterval(timer));
  };
  const collector = setInterval(() => globalThis.gc(), 50);
  const slow = createClient(mixpeek, { baseUrl, token: TOKEN, requestTimeoutMs: 300, retry: { retries: 0 } });
  const patient = createClient(mixpeek, { baseUrl, token: TOKEN, requestTimeoutMs: 600_000, retry: { retries: 0 } });
  const stop = new AbortController();
  const reason = Symbol('stop');
  setTimeout(() => stop.abort(reason), 350);
  const started = Date.now();
  const [timedOut, aborted] = await within(
    Promise.all([outcome(slow.get('t1')), outcome(patient.wait('t1', { signal: stop.signal }))]),
    10_000,
    'a body that trickles forever',
  );
  clearInterval(collector);
  check(timedOut.error instanceof NetworkError && timedOut.error.timedOut, `get: ${String(timedOut.error)}`);
  check(aborted.error === reason, `wait({ signal }): ${String(aborted.error)}`);
  console.log(
    `slow body, GC every 50 ms: get → NetworkError (timed out), wait({ signal }) → the abort reason, in ${Date.now() - started} ms`,
  );

  // 2. A token function that never settles.
  const stuck = createClient(mixpeek, { baseUrl, token: () => new Promise(() => {}), requestTimeoutMs: 200 });
  const token = await within(outcome(stuck.get('t1')), 10_000, 'a token function that never settles');
  check(token.error instanceof ConfigError && token.error.field === 'token', `token: ${String(token.error)}`);
  const stop2 = new AbortController();
  setTimeout(() => stop2.abort(reason), 50);
  const tokenAbort = await within(outcome(stuck.wait('t1', { signal: stop2.signal })), 10_000, 'token + abort');
  check(tokenAbort.error === reason, `token + abort: ${String(tokenAbort.error)}`);
  console.log('token function that never settles: get → ConfigError (token), wait({ signal }) → the abort reason');

  // 3. Text that made redaction quadratic: redact() at 256 KiB and 1 MiB, and a failed task.
  const cpu = (work) => {
    const before = process.cpuUsage();
    work();
    const { user, system } = process.cpuUsage(before);
    return (user + system) / 1000;
  };
  const small = 'a.'.repeat(128 * 1024);
  const large = 'a.'.repeat(512 * 1024);
  redact(small);
  const t1 = Math.min(
    cpu(() => redact(small)),
    cpu(() => redact(small)),
  );
  const t4 = Math.min(
    cpu(() => redact(large)),
    cpu(() => redact(large)),
  );
  const growth = t4 / Math.max(t1, 1);
  check(growth < 8, `redact() took ${growth.toFixed(1)}x the time for 4x the text`);
  answer = json({ task_id: 't1', task_type: 'x', status: 'FAILED', error_message: large });
  const client = createClient(mixpeek, { baseUrl, token: TOKEN, retry: { retries: 0 } });
  const failedAt = Date.now();
  const failed = await within(outcome(client.wait('t1')), 10_000, 'a failed task with 1 MiB of a.a.a.');
  check(failed.error instanceof TaskFailedError, `1 MiB failure text: ${String(failed.error)}`);
  check(failed.error.message.length < 5000, `a message of ${failed.error.message.length} characters`);
  console.log(
    `redaction: 1 MiB of 'a.' in ${t4.toFixed(1)} ms of CPU, ${growth.toFixed(1)}x the 256 KiB time; a failed task with it rejected in ${Date.now() - failedAt} ms, its message ${failed.error.message.length} characters`,
  );

  // 4. The token as a JSON key.
  answer = json({ task_id: 't1', task_type: 'x', status: 'FAILED', additional_data: { error: { [TOKEN]: 'denied' } } });
  const keyed = await outcome(client.wait('t1'));
  check(keyed.error instanceof TaskFailedError, `token as key: ${String(keyed.error)}`);
  const shown = [keyed.error.message, JSON.stringify(keyed.error.snapshot), JSON.stringify(keyed.error.toJSON())];
  check(!shown.some((text) => text.includes(TOKEN.slice(0, 6))), `the token as a key was shown: ${shown[0]}`);
  console.log(`token as a JSON key: redacted in snapshot.raw and the message (${keyed.error.message})`);
} finally {
  server.closeAllConnections();
  server.close();
}
