/**
 * The benchmarks' loopback servers, each run in its own process by `startServer` (bench/lib/child.ts).
 * Prints one JSON line once listening (`{ "url": ... }`), and closes on SIGTERM.
 *
 * - `task`: the testing kit's `startFakeServer` with one Mixpeek task that keeps running.
 * - `pages <rows> <pageSize> <delayMs>`: `GET /rows?cursor=N` answers `{ data, next }` with
 *   `pageSize` rows of about 100 bytes, after `delayMs`; `next` is absent on the last page.
 * - `limited <tasks> <windowMs> <minMs> <maxMs> <seed>`: Postman collection-update tasks behind
 *   the testing kit's rate limit (5 requests per token per `windowMs`, 429 with `Retry-After` and
 *   Postman's headers). Task i ends at a fixed time after the server starts, drawn uniformly in
 *   [minMs, maxMs]: prints the ids and the end times (ms since the epoch).
 * - `softwareone <tasks> <minMs> <maxMs> <seed>`: SoftwareOne tasks running for a time drawn
 *   uniformly in [minMs, maxMs] (from each task's first poll, reporting progress as they go),
 *   with the task list route (RQL `in(id,(…))`); prints the ids and durations. `GET /bench/stats`
 *   answers how many requests came before it (lists among them), how many task reads they
 *   made (a list reads many) and each task's first poll (ms since the epoch), so that a bench
 *   counts at the server without the server's CPU counting as its own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type FakeRoute,
  type FakeServer,
  fakeTask,
  mixpeekFake,
  postmanFake,
  softwareOneFake,
  softwareOneTaskList,
  startFakeServer,
} from '../../src/testing/server.js';
import { softwareOneId } from './ids.js';
import { seeded } from './random.js';

const [mode, ...args] = process.argv.slice(2);

async function serveTask(): Promise<{ url: string; close(): Promise<void> }> {
  const task = fakeTask(mixpeekFake, { phases: [{ state: 'running', polls: Number.MAX_SAFE_INTEGER, progress: 0.5 }] });
  const server = await startFakeServer({ tasks: [task] });
  console.log(JSON.stringify({ url: server.url, ref: task.ref, path: `/v1/tasks/${task.id}` }));
  return server;
}

/** One page body: the rows are the same bytes on every page, only the ids and cursor change. */
function pageBody(cursor: number, pageSize: number, total: number): string {
  const rows: string[] = [];
  for (let i = cursor; i < Math.min(total, cursor + pageSize); i++) {
    rows.push(
      `{"identifier":"asset-${i}","category":"Laptop","manufacturer":"Dell","model":"Latitude 7440","serialNumber":"SN${i}","quantity":1}`,
    );
  }
  const next = cursor + pageSize < total ? `,"next":${cursor + pageSize}` : '';
  return `{"data":[${rows.join(',')}]${next}}`;
}

async function servePages(): Promise<{ url: string; close(): Promise<void> }> {
  const [rows = 1_000_000, pageSize = 1000, delayMs = 3] = args.map(Number);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const body = pageBody(cursor, pageSize, rows);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  console.log(
    JSON.stringify({ url, rows, pageSize, delayMs, pageBytes: Buffer.byteLength(pageBody(0, pageSize, rows)) }),
  );
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Tasks that end at fixed times, behind a per-token rate limit of 5 requests per window. */
async function serveLimited(): Promise<{ url: string; close(): Promise<void> }> {
  const [count = 1000, windowMs = 1000, minMs = 30_000, maxMs = 300_000, seed = 1] = args.map(Number);
  const rng = seeded(seed);
  const started = Date.now();
  const ends = new Map<string, number>();
  for (let i = 0; i < count; i++) ends.set(`task-${i}`, started + Math.round(rng.between(minMs, maxMs)));
  const route: FakeRoute = {
    fake: postmanFake,
    method: 'GET',
    path: '/collection-updates-tasks/:taskId',
    respond: (request) => {
      const id = request.params.taskId as string;
      const end = ends.get(id);
      if (end === undefined) return { status: 404, headers: { 'content-type': 'application/json' }, body: '{}' };
      const status = Date.now() >= end ? 'successful' : 'in-progress';
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, status }) };
    },
  };
  const server = await startFakeServer({ routes: [route], rateLimit: { limit: 5, windowMs } });
  console.log(JSON.stringify({ url: server.url, ends: Object.fromEntries(ends) }));
  return server;
}

/** SoftwareOne tasks of drawn durations, their task list, and a count of what was asked. */
async function serveSoftwareOne(): Promise<{ url: string; close(): Promise<void> }> {
  const [count = 1000, minMs = 10_000, maxMs = 120_000, seed = 1] = args.map(Number);
  const rng = seeded(seed);
  const durations = Array.from({ length: count }, () => Math.round(rng.between(minMs, maxMs)));
  const tasks = durations.map((ms, i) =>
    fakeTask(softwareOneFake, { id: softwareOneId(i), phases: [{ state: 'running', ms }] }),
  );
  let server: FakeServer | undefined;
  const stats: FakeRoute = {
    fake: softwareOneFake,
    method: 'GET',
    path: '/bench/stats',
    respond: () => {
      // Called before this request is logged: the log holds only the client's own.
      const requests = server?.requests ?? [];
      const lists = requests.filter((r) => r.path.startsWith('/v1/system/tasks?')).length;
      const reads = tasks.reduce((sum, task) => sum + task.requests.length, 0);
      const firstPoll = tasks.map((task) => task.requests[0]?.at ?? null);
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requests: requests.length, lists, reads, firstPoll }),
      };
    },
  };
  server = await startFakeServer({ tasks, routes: [softwareOneTaskList(), stats] });
  console.log(JSON.stringify({ url: server.url, ids: tasks.map((t) => t.id), durations }));
  return server;
}

const servers: Record<string, () => Promise<{ url: string; close(): Promise<void> }>> = {
  pages: servePages,
  limited: serveLimited,
  softwareone: serveSoftwareOne,
};
const server = await (servers[mode ?? ''] ?? serveTask)();
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
