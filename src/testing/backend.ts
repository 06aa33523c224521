/**
 * The set of fake tasks and extra routes one msw setup or one loopback server serves, and the
 * dispatch of a request to them. Transport-free: both adapters hand it requests.
 *
 * @module
 */
import { ConfigError } from '../index.js';
import type { VendorFake } from './fake.js';
import { errorAnswer } from './faults.js';
import { FakeLimiter, type FakeRateLimit } from './limit.js';
import { compilePath, type PathMatcher, pathBelow } from './paths.js';
import { type FakeRequest, headerRecord, type RecordedRequest, redactHeaders, redactPath } from './record.js';
import type { AnyFakeTask, FakeResponse } from './task.js';

/** A request as a {@link FakeRoute} sees it. */
export interface FakeRouteRequest {
  method: string;
  url: URL;
  /** Names lower-cased; credentials included (a route may check them; they are never recorded). */
  headers: Record<string, string>;
  /** The `:params` of the route's path. */
  params: Record<string, string>;
  /** The body parsed as JSON; the text when it is not JSON; undefined when empty. */
  body: unknown;
}

/** What a {@link FakeRoute} can do besides answering. */
export interface FakeRouteContext {
  /** The base URL the route is served under (the server's URL, or the vendor's for msw), ending in `/`. */
  baseUrl: string;
  /** Serves another task from now on (a task the route just created). */
  add(task: AnyFakeTask): void;
  /** Every task served, for a route that lists tasks. */
  tasks: readonly AnyFakeTask[];
}

/**
 * An extra endpoint next to the fake tasks, e.g. a vendor's "create task" call answering 202 with
 * a `Location`. See `layerIqIngest` for one.
 */
export interface FakeRoute {
  /** The vendor whose base URL the route lives under (for msw). */
  fake: VendorFake;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** msw-style path below the base URL, e.g. `/assets/ingest` or `/items/:id`. */
  path: string;
  /**
   * Answers a request that matched `method` and `path`. Fields left out default to status 200,
   * no headers, an empty body and no delay; `body` is the raw text (e.g. `JSON.stringify(...)`).
   */
  respond(request: FakeRouteRequest, context: FakeRouteContext): Partial<FakeResponse> | Promise<Partial<FakeResponse>>;
}

interface CompiledRoute {
  route: FakeRoute;
  match: PathMatcher;
}

/** An incoming request with its body still to read. */
export interface IncomingFakeRequest extends FakeRequest {
  url: URL;
  text(): Promise<string>;
}

/** Tasks and routes, and a log of every request. */
export class FakeBackend {
  readonly tasks: AnyFakeTask[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly #routes: CompiledRoute[];
  readonly #kindPaths = new Map<VendorFake, PathMatcher[]>();
  // Tasks by id, each with its place in `tasks`: a request is matched against the few tasks whose
  // id is one of its path segments, not against every task (10,000 tasks, tens of thousands of polls).
  readonly #byId = new Map<string, { task: AnyFakeTask; order: number }[]>();
  readonly #limiter: FakeLimiter | undefined;
  readonly #touched: ((task: AnyFakeTask) => void) | undefined;

  /** `touched` hears of each task added, and of each task after it answered a request. */
  constructor(
    tasks: readonly AnyFakeTask[],
    routes: readonly FakeRoute[] = [],
    rateLimit?: FakeRateLimit,
    touched?: (task: AnyFakeTask) => void,
  ) {
    this.#touched = touched;
    this.#limiter = rateLimit === undefined ? undefined : new FakeLimiter(rateLimit);
    this.#routes = routes.map((route) => ({ route, match: compilePath(route.path) }));
    for (const task of tasks) this.add(task);
    for (const { route } of this.#routes) this.#learn(route.fake);
  }

  /** Serves `task` too. Two tasks of one vendor and kind can't share an id. */
  add(task: AnyFakeTask): void {
    if (!task || typeof task.respond !== 'function') {
      throw new ConfigError('tasks', 'tasks takes fake tasks made by fakeTask()');
    }
    const same = this.#byId.get(task.id);
    const clash = same?.some(({ task: t }) => t.fake === task.fake && t.kind === task.kind);
    if (clash)
      throw new ConfigError('tasks', `two ${task.fake.vendor} ${String(task.kind)} tasks have the id ${task.id}`);
    const entry = { task, order: this.tasks.length };
    if (same) same.push(entry);
    else this.#byId.set(task.id, [entry]);
    this.tasks.push(task);
    this.#learn(task.fake);
    this.#touched?.(task);
  }

  /** The vendor fakes served. */
  get fakes(): VendorFake[] {
    return [...this.#kindPaths.keys()];
  }

  /**
   * Answers `request`, whose URL lies below `base`. `serves` says which fakes this base stands
   * for (msw serves each vendor at its own base; the loopback server serves all at one).
   */
  async dispatch(
    request: IncomingFakeRequest,
    base: URL,
    serves: (fake: VendorFake) => boolean = () => true,
  ): Promise<FakeResponse> {
    const path = pathBelow(request.url, base) ?? request.url.pathname;
    const method = request.method.toUpperCase();
    let response: FakeResponse | undefined;
    const limited = this.#limiter?.check(headerRecord(request.headers), Date.now());
    const task = limited?.allowed === false ? undefined : this.#taskAt(path, serves);
    if (limited?.allowed === false) {
      response = {
        status: 429,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { name: 'rateLimitError', message: 'Rate limit exceeded: try again later' } }),
        delayMs: 0,
        drop: false,
        fault: 'rateLimit',
      };
    } else if (task) {
      response = task.respond(request);
      this.#touched?.(task);
    } else {
      for (const { route, match } of this.#routes) {
        const params = route.method === method && serves(route.fake) ? match(path) : undefined;
        if (!params) continue;
        const text = await request.text();
        const answer = await route.respond(
          { method, url: request.url, headers: headerRecord(request.headers), params, body: parseBody(text) },
          {
            baseUrl: base.href.endsWith('/') ? base.href : `${base.href}/`,
            add: (t) => this.add(t),
            tasks: this.tasks,
          },
        );
        response = {
          status: answer.status ?? 200,
          headers: answer.headers ?? {},
          body: answer.body ?? '',
          delayMs: answer.delayMs ?? 0,
          drop: answer.drop ?? false,
        };
        break;
      }
    }
    if (!response) {
      // A task path with an id nobody serves: the vendor's own 404.
      const owner = [...this.#kindPaths].find(([fake, matchers]) => serves(fake) && matchers.some((m) => m(path)));
      const answer = owner
        ? errorAnswer(owner[0], 404, `No task at ${path}`)
        : {
            status: 404,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: 'not_found', message: `The fake server has nothing at ${method} ${path}` }),
          };
      response = { ...answer, delayMs: 0, drop: false };
    }
    if (limited) response = { ...response, headers: { ...response.headers, ...limited.headers } };
    this.requests.push({
      at: Date.now(),
      method,
      path: redactPath(request.url),
      headers: redactHeaders(headerRecord(request.headers)),
      status: response.drop ? 'dropped' : response.status,
      ...(response.fault ? { fault: response.fault } : {}),
    });
    return response;
  }

  /** The first task added that serves `path`: a task's id is one of the path's segments. */
  #taskAt(path: string, serves: (fake: VendorFake) => boolean): AnyFakeTask | undefined {
    let found: { task: AnyFakeTask; order: number } | undefined;
    for (const segment of path.split('/')) {
      if (segment === '') continue;
      for (const entry of this.#byId.get(decodeSegment(segment)) ?? []) {
        if (found && found.order <= entry.order) continue;
        if (serves(entry.task.fake) && entry.task.matches(path)) found = entry;
      }
    }
    return found?.task;
  }

  #learn(fake: VendorFake): void {
    if (!this.#kindPaths.has(fake)) {
      this.#kindPaths.set(
        fake,
        Object.values(fake.kinds).map((kind) => compilePath(kind.path)),
      );
    }
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
