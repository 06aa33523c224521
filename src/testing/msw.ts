/**
 * msw request handlers that serve fake tasks at the vendors' real URLs. msw is an optional peer
 * dependency: it is loaded when {@link taskwaitHandlers} is first called, so that the rest of
 * `taskwait/testing` works without it.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { HttpHandler } from 'msw';
import { ConfigError } from '../index.js';
import { FakeBackend, type FakeRoute } from './backend.js';
import { baseUrlOf } from './base-urls.js';
import type { VendorFake } from './fake.js';
import type { FakeRateLimit } from './limit.js';
import { joinUrl } from './paths.js';
import { sleep } from './sleep.js';
import type { AnyFakeTask } from './task.js';

/** Options of {@link taskwaitHandlers}. */
export interface TaskwaitHandlerOptions {
  /**
   * Serve every task under this base URL (the client's `baseUrl`). Default: each vendor's
   * production base URL, so the code under test needs no change.
   */
  baseUrl?: string | undefined;
  /** Extra endpoints, e.g. `layerIqIngest()`. */
  routes?: readonly FakeRoute[] | undefined;
  /** Limit each token's requests per window, answering 429 beyond it. See `startFakeServer`. */
  rateLimit?: FakeRateLimit | undefined;
}

/**
 * msw handlers serving `tasks` at their vendors' task paths (any `:taskId` of those paths: an
 * unknown id gets the vendor's own 404). Put your own handlers for the vendor's other endpoints
 * before these, or add them with `server.use()`.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { fakeTask, mixpeekFake, taskwaitHandlers } from 'taskwait/testing';
 *
 * const task = fakeTask(mixpeekFake, { queuedPolls: 2, progress: [0.3, 0.6], outcome: 'failed' });
 * const server = setupServer(...taskwaitHandlers(task));
 * ```
 */
export function taskwaitHandlers(
  tasks: AnyFakeTask | readonly AnyFakeTask[],
  options: TaskwaitHandlerOptions = {},
): HttpHandler[] {
  const { http, HttpResponse } = loadMsw();
  const backend = new FakeBackend(
    Array.isArray(tasks) ? tasks : [tasks as AnyFakeTask],
    options.routes,
    options.rateLimit,
  );
  if (options.baseUrl !== undefined) checkBase(options.baseUrl);
  const baseOf = (fake: VendorFake) => options.baseUrl ?? baseUrlOf(fake);
  const handlers: HttpHandler[] = [];
  const seen = new Set<string>();
  const add = (fake: VendorFake, method: 'all' | Lowercase<FakeRoute['method']>, path: string) => {
    const base = baseOf(fake);
    const pattern = joinUrl(base, path);
    const key = `${method} ${pattern}`;
    if (seen.has(key)) return;
    seen.add(key);
    const baseUrl = new URL(base);
    const serves = (other: VendorFake) => other === fake || baseOf(other) === base;
    handlers.push(
      http[method](pattern, async ({ request }) => {
        const url = new URL(request.url);
        const answer = await backend.dispatch(
          { method: request.method, url, headers: request.headers, text: () => request.clone().text() },
          baseUrl,
          serves,
        );
        if (answer.delayMs > 0) await sleep(answer.delayMs, request.signal);
        if (answer.drop) return HttpResponse.error();
        const init = { status: answer.status, headers: answer.headers };
        if (answer.cut || answer.trickleMs !== undefined) {
          return new HttpResponse(
            brokenStream(answer.body, answer.cut === true, answer.trickleMs ?? 0, request.signal),
            init,
          );
        }
        return new HttpResponse(answer.body === '' ? null : answer.body, init);
      }),
    );
  };
  for (const route of options.routes ?? []) add(route.fake, route.method.toLowerCase() as 'post', route.path);
  for (const fake of backend.fakes) {
    for (const kind of Object.values(fake.kinds)) add(fake, 'all', kind.path);
  }
  return handlers;
}

type Msw = typeof import('msw');
let msw: Msw | undefined;

/**
 * msw, required once from taskwait's own place in node_modules. On Node >= 20.19 `require` reaches
 * msw's ES module build (its `module-sync` condition), the very copy a test's `import 'msw/node'`
 * loads; msw tells handlers apart by their `kind`, not their class, in any case.
 */
function loadMsw(): Msw {
  if (msw !== undefined) return msw;
  try {
    msw = createRequire(here())('msw') as Msw;
    return msw;
  } catch (error) {
    const missing = (error as { code?: unknown })?.code === 'MODULE_NOT_FOUND' && /'msw'/.test(String(error));
    if (!missing) throw error;
    throw new ConfigError(
      'msw',
      "taskwaitHandlers needs msw, which is not installed: run `npm install --save-dev msw`, or serve the fakes without msw with startFakeServer from 'taskwait/testing/server'",
      { cause: error },
    );
  }
}

function here(): string {
  return typeof __filename === 'string' ? __filename : import.meta.url;
}

function checkBase(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError('baseUrl', `baseUrl must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
}

const TRICKLE_CHUNKS = 8;

/** The body cut off half-way by an error (`cut`), or sent in pieces over `trickleMs`. */
function brokenStream(text: string, cut: boolean, trickleMs: number, signal: AbortSignal): ReadableStream<Uint8Array> {
  const body = new TextEncoder().encode(text);
  if (cut) {
    return new ReadableStream({
      start(controller) {
        controller.enqueue(body.subarray(0, Math.floor(body.length / 2)));
        controller.error(new TypeError('terminated: the connection was reset'));
      },
    });
  }
  const size = Math.max(1, Math.ceil(body.length / TRICKLE_CHUNKS));
  let at = 0;
  return new ReadableStream({
    async pull(controller) {
      if (at > 0) await sleep(trickleMs / TRICKLE_CHUNKS, signal);
      // The client gave up: its read fails, as a socket's would.
      if (signal.aborted) return controller.error(signal.reason);
      if (at >= body.length) return controller.close();
      controller.enqueue(body.subarray(at, at + size));
      at += size;
    },
  });
}
