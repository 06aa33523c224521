/**
 * A real loopback HTTP server (`node:http`) serving fake tasks: for users without msw, for
 * demos, CLIs and benchmarks. Imports no msw; `taskwait/testing/server` carries the whole
 * msw-free kit.
 *
 * @module taskwait/testing/server
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBackend, type FakeRoute } from './backend.js';
import type { FakeRateLimit } from './limit.js';
import type { RecordedRequest } from './record.js';
import { sleep } from './sleep.js';
import type { AnyFakeTask } from './task.js';
import { type FakeDelivery, type FakeWebhookOptions, WebhookSender } from './webhooks.js';

export * from './kit.js';
export type { FakeDelivery, FakeWebhookOptions } from './webhooks.js';

// A trickled answer goes out in this many pieces.
const TRICKLE_CHUNKS = 8;

/** Options of {@link startFakeServer}. */
export interface FakeServerOptions {
  /** The tasks to serve from the start; add more with `server.add()`. */
  tasks?: readonly AnyFakeTask[];
  /** Extra endpoints, e.g. `layerIqIngest()`. */
  routes?: readonly FakeRoute[];
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /**
   * Limit each token to `limit` requests per window, as a vendor's API does: the rest are
   * answered 429 with `Retry-After` and rate-limit headers (Postman's by default), which every
   * answer also carries. Default: no limit.
   */
  rateLimit?: FakeRateLimit;
  /**
   * POST each task's end to this endpoint as its vendor pushes it (Layer IQ's signed
   * `WebhookEvent`; vendors that push nothing send nothing). A task whose life only time moves
   * (`queuedMs`, `runningMs`, or `phases` in `ms`) is reported when it ends, polled or not;
   * another when a poll first sees its end. Default: no webhooks.
   */
  webhooks?: FakeWebhookOptions;
}

/** A running fake server. */
export interface FakeServer {
  /** The base URL to pass as the client's `baseUrl`, e.g. `http://127.0.0.1:49152` (no trailing slash). */
  readonly url: string;
  /** Every request the server received, oldest first; credentials redacted. */
  readonly requests: readonly RecordedRequest[];
  /** The tasks served, including those routes created. */
  readonly tasks: readonly AnyFakeTask[];
  /** Every webhook sent (with `webhooks`), oldest first. */
  readonly deliveries: readonly FakeDelivery[];
  /** Serves more tasks. */
  add(...tasks: AnyFakeTask[]): void;
  /** Stops listening, ends held-back answers and closes every connection; resolves when all are gone. */
  close(): Promise<void>;
}

/**
 * Starts a loopback server that serves `tasks` below its root: every vendor's task path (e.g.
 * `/v1/tasks/:taskId`) at `server.url`, which a client takes as its `baseUrl`.
 *
 * @example
 * ```ts
 * import { fakeTask, mixpeekFake, startFakeServer } from 'taskwait/testing/server';
 * const task = fakeTask(mixpeekFake, { progress: [0.5], outcome: 'succeeded' });
 * const server = await startFakeServer({ tasks: [task] });
 * try {
 *   const client = createClient(mixpeek, { baseUrl: server.url, token: 'sk_test' });
 *   await client.wait(task.ref);
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const closing = new AbortController();
  // One listener per answer held back or trickled: many may be in flight at once.
  setMaxListeners(0, closing.signal);
  let base: URL | undefined;
  const webhooks = options.webhooks && new WebhookSender(options.webhooks, () => base as URL, closing.signal);
  const backend = new FakeBackend(
    options.tasks ?? [],
    options.routes,
    options.rateLimit,
    webhooks && ((task) => webhooks.track(task)),
  );

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const answer = await backend.dispatch(
      { method: req.method ?? 'GET', url, headers: req.headers, text: () => readBody(req) },
      base as URL,
    );
    // Ends a held-back or trickled answer early when the client gives up or the server closes.
    const gone = new AbortController();
    const abort = () => gone.abort();
    const slow = answer.delayMs > 0 || answer.trickleMs !== undefined;
    if (slow) {
      res.once('close', abort);
      closing.signal.addEventListener('abort', abort, { once: true });
    }
    try {
      if (answer.delayMs > 0) await sleep(answer.delayMs, gone.signal);
      if (gone.signal.aborted) return;
      if (answer.drop) {
        req.socket.destroy();
        return;
      }
      const body = Buffer.from(answer.body);
      if (answer.cut) {
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.resetAndDestroy());
        return;
      }
      if (answer.trickleMs !== undefined && body.length > 0) {
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
        const size = Math.ceil(body.length / TRICKLE_CHUNKS);
        for (let at = 0; at < body.length && !gone.signal.aborted; at += size) {
          if (at > 0) await sleep(answer.trickleMs / TRICKLE_CHUNKS, gone.signal);
          if (!gone.signal.aborted) res.write(body.subarray(at, at + size));
        }
        if (!gone.signal.aborted) res.end();
        return;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(body);
    } finally {
      res.off('close', abort);
      closing.signal.removeEventListener('abort', abort);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'fake_server_error', message: String((error as Error)?.message ?? error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  base = new URL(`${url}/`);

  let closed: Promise<void> | undefined;
  return {
    url,
    requests: backend.requests,
    tasks: backend.tasks,
    deliveries: webhooks?.deliveries ?? [],
    add: (...tasks) => {
      for (const task of tasks) backend.add(task);
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        webhooks?.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
