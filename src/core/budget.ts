/**
 * The request budget of a client: every request asks it before each attempt and tells it the
 * answer after, as AWS SDK v3's `DefaultRateLimiter` does (`getSendToken()` before,
 * `updateClientSendingRate(response)` after). It holds the concurrency cap, a floor shared by
 * every request after a 429 or `Retry-After`, the token bucket with its adaptive rate (`rate.ts`)
 * and the pace the server's rate-limit headers ask for (`ratelimit.ts`). Requests that can't go
 * yet wait in one queue: polls first (the latest wait first), then single requests, then pages.
 *
 * @module
 */
import { ConfigError } from './errors.js';
import { Heap, type HeapItem } from './heap.js';
import type { GatePass, RequestGate, RequestPriority } from './http.js';
import { AdaptiveRate } from './rate.js';
import { checkRateLimit, type RateLimit, readServerLimit, ServerWindow } from './ratelimit.js';
import { retryHint } from './retry-after.js';

export type { RateLimit } from './ratelimit.js';

/** Options of {@link createBudget}, and the budget options of `createClient`. */
export interface BudgetOptions {
  /** The most requests in flight at once. Default 32. */
  maxConcurrency?: number | undefined;
  /**
   * A token bucket every request takes a token from. Default for a client: the vendor's documented
   * limit (Postman: 300 per minute) on the vendor's own base URL, else none until the server
   * throttles; `false` for none at all.
   */
  rateLimit?: RateLimit | false | undefined;
}

/** What a budget is doing, for monitoring and tests. */
export interface BudgetStats {
  /** Requests in flight. */
  inFlight: number;
  /** Requests waiting for their turn. */
  queued: number;
  /** The rate requests may go at now (the bucket's, after any cut); `Infinity` when unlimited. */
  requestsPerSecond: number;
  /** Until when (ms since the epoch) every request is held back by a 429, a `Retry-After` or a window with no requests left; undefined when not. */
  pausedUntil: number | undefined;
  /** Throttling answers seen (429s, and 503s that ask for a pause). */
  throttled: number;
  /** Attempts let through so far. */
  sent: number;
}

/**
 * One request budget. Every client has its own; clients share one only when they are given the
 * same object (`createClient(vendor, { budget })`).
 */
export interface RequestBudget {
  /** What the budget is doing now. */
  readonly stats: BudgetStats;
}

/**
 * A request budget to share between clients that use one account (the same vendor and token):
 * pass it to each `createClient` as `budget`. Clients made without it each have their own, even
 * with the same token.
 *
 * @example
 * ```ts
 * const budget = createBudget({ maxConcurrency: 8, rateLimit: { requestsPerSecond: 5 } });
 * const a = createClient(postman, { token, budget });
 * const b = createClient(postman, { token, budget, baseUrl: 'https://api.postman.com' });
 * ```
 */
export function createBudget(options: BudgetOptions = {}): RequestBudget {
  return new Budget(options, undefined);
}

/** How each client's requests speak to a (possibly shared) budget. */
export interface GateSettings {
  /** Vendor headers that carry a retry delay in seconds, besides `Retry-After`. */
  retryAfterHeaders: readonly string[];
  /** The longest pause a server's hint may impose. */
  maxRetryAfterMs: number;
}

export const DEFAULT_MAX_CONCURRENCY = 32;
// A page waits behind polls due up to this long after it asked.
const PAGE_PENALTY_MS = 2000;
// Lateness counts for at most this much.
const MAX_LATE_MS = 600_000;
// A 429 without a hint holds every request back this long.
const BARE_429_PAUSE_MS = 1000;
interface Entry extends HeapItem {
  key: number;
  seq: number;
  priority: RequestPriority | undefined;
  signal: AbortSignal | undefined;
  settings: GateSettings;
  /** The longest a server's hint may hold this request back. */
  maxHoldMs: number;
  resolve: (pass: GatePass) => void;
  reject: (reason: unknown) => void;
  onAbort: (() => void) | undefined;
}

const before = (a: Entry, b: Entry) => a.key < b.key || (a.key === b.key && a.seq < b.seq);

/** The budget behind {@link createBudget} and each client's own. */
export class Budget implements RequestBudget {
  readonly #maxConcurrency: number;
  readonly #queue = new Heap<Entry>(before);
  readonly #rate: AdaptiveRate;
  readonly #window = new ServerWindow();
  #seq = 0;
  /** Queued requests that obey a server's hint for less than their client does. */
  #shortHolds = 0;
  #inFlight = 0;
  #sent = 0;
  #throttled = 0;
  #lastSentAt = 0;
  // The floor every request waits out after a 429 or Retry-After, and when it was set.
  #pausedUntil = 0;
  #pausedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(options: BudgetOptions, vendorLimit: RateLimit | undefined) {
    const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (
      typeof maxConcurrency !== 'number' ||
      !(maxConcurrency >= 1) ||
      (!Number.isInteger(maxConcurrency) && maxConcurrency !== Number.POSITIVE_INFINITY)
    ) {
      throw new ConfigError(
        'maxConcurrency',
        `maxConcurrency must be a whole number of at least 1 (or Infinity), got ${describe(maxConcurrency)}`,
      );
    }
    const limit = options.rateLimit === false ? undefined : (options.rateLimit ?? vendorLimit);
    if (limit !== undefined) checkRateLimit(limit);
    this.#maxConcurrency = maxConcurrency;
    this.#rate = new AdaptiveRate(limit);
  }

  get stats(): BudgetStats {
    const now = Date.now();
    const paused = Math.max(this.#pausedUntil, this.#window.exhaustedUntil);
    return {
      inFlight: this.#inFlight,
      queued: this.#queue.size,
      requestsPerSecond: this.#rate.perSecond,
      pausedUntil: paused > now ? paused : undefined,
      throttled: this.#throttled,
      sent: this.#sent,
    };
  }

  /** The gate one client's HTTP layer asks. */
  gate(settings: GateSettings): RequestGate {
    return {
      acquire: (signal, priority, maxHoldMs) =>
        this.#acquire(
          signal,
          priority,
          settings,
          Math.min(maxHoldMs ?? settings.maxRetryAfterMs, settings.maxRetryAfterMs),
        ),
    };
  }

  #acquire(
    signal: AbortSignal | undefined,
    priority: RequestPriority | undefined,
    settings: GateSettings,
    maxHoldMs: number,
  ): Promise<GatePass> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = Date.now();
    if (this.#queue.size === 0 && this.#inFlight < this.#maxConcurrency && this.#holdFor(now, maxHoldMs) <= 0) {
      return Promise.resolve(this.#grant(now, priority, settings));
    }
    return new Promise<GatePass>((resolve, reject) => {
      const entry: Entry = {
        heapIndex: -1,
        key: keyOf(priority, now),
        seq: this.#seq++,
        priority,
        signal,
        settings,
        maxHoldMs,
        resolve,
        reject,
        onAbort: undefined,
      };
      if (signal) {
        entry.onAbort = () => {
          this.#queue.remove(entry);
          if (maxHoldMs < settings.maxRetryAfterMs) this.#shortHolds -= 1;
          reject(signal.reason);
          this.#pump();
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
      if (maxHoldMs < settings.maxRetryAfterMs) this.#shortHolds += 1;
      this.#pump();
    });
  }

  /** Lets queued requests go while they may; arms the one timer for when the next may. */
  #pump(): void {
    for (;;) {
      const head = this.#queue.peek();
      if (head === undefined || this.#inFlight >= this.#maxConcurrency) break;
      const now = Date.now();
      const { entry, hold } = this.#next(head, now);
      if (hold > 0) {
        this.#arm(now + hold);
        return;
      }
      this.#queue.remove(entry);
      if (entry.maxHoldMs < entry.settings.maxRetryAfterMs) this.#shortHolds -= 1;
      if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
      entry.resolve(this.#grant(now, entry.priority, entry.settings));
    }
    // Nothing can go on a timer now (the queue is empty, or full slots will call back).
    this.#disarm();
  }

  /**
   * The entry to go next and how long it must wait: the head, unless a server's hint holds it and
   * a request that obeys hints for less time (its wait's `maxRetryAfterMs`) may go sooner.
   */
  #next(head: Entry, now: number): { entry: Entry; hold: number } {
    const hold = this.#holdFor(now, head.maxHoldMs);
    if (hold <= 0 || this.#shortHolds === 0) return { entry: head, hold };
    let best = { entry: head, hold };
    for (const entry of this.#queue.items()) {
      if (entry.maxHoldMs >= head.maxHoldMs) continue;
      const own = this.#holdFor(now, entry.maxHoldMs);
      if (own < best.hold || (own <= 0 && best.hold <= 0 && before(entry, best.entry))) best = { entry, hold: own };
    }
    return best;
  }

  /**
   * How long the next request must wait: the floor, the server's window, the bucket. What a
   * server's hint imposes lasts `maxHoldMs` at most from when it was heard.
   */
  #holdFor(now: number, maxHoldMs: number): number {
    return Math.max(
      Math.min(this.#pausedUntil, this.#pausedAt + maxHoldMs) - now,
      this.#window.hold(now, this.#lastSentAt, maxHoldMs),
      this.#rate.wait(now),
    );
  }

  #grant(now: number, priority: RequestPriority | undefined, settings: GateSettings): GatePass {
    this.#inFlight += 1;
    this.#sent += 1;
    this.#lastSentAt = now;
    this.#rate.take(now);
    this.#window.sent(now);
    if (priority?.kind === 'poll' && priority.sentAt === undefined) priority.sentAt = now;
    const sentSeq = this.#sent;
    let released = false;
    return {
      release: (status, headers) => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        if (status !== undefined && headers !== undefined) this.#heard(status, headers, now, sentSeq, settings);
        this.#pump();
      },
    };
  }

  /** What one answer says: a throttle, a floor, the server's window; and the adaptive rate moves. */
  #heard(status: number, headers: Headers, sentAt: number, sentSeq: number, settings: GateSettings): void {
    const now = Date.now();
    const hint = status >= 400 ? retryHint(headers, settings.retryAfterHeaders, now) : undefined;
    const throttled = status === 429 || (status === 503 && hint !== undefined && hint > 0);
    if (hint !== undefined || status === 429) {
      this.#pause(now, now + Math.min(hint ?? BARE_429_PAUSE_MS, settings.maxRetryAfterMs));
    }
    const window = readServerLimit(headers, now);
    // Requests sent after this one went out are not in the server's count yet.
    if (window) this.#window.heard(window, now, this.#sent - sentSeq, settings.maxRetryAfterMs);
    if (throttled) {
      this.#throttled += 1;
      // A server that says where its window stands is paced by that: the cut is for the others.
      if (!window) this.#rate.throttled(now, sentAt);
    } else {
      this.#rate.answered(now);
    }
  }

  #pause(now: number, until: number): void {
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#pausedAt = now;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#disarm();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, at - Date.now()),
    );
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}

/** Earlier is first: the time a request was due, less how late its wait already runs; pages later. */
function keyOf(priority: RequestPriority | undefined, now: number): number {
  if (priority === undefined) return now;
  const due = priority.dueAt ?? now;
  const late = Math.min(MAX_LATE_MS, Math.max(0, priority.lateMs ?? 0));
  return due - late + (priority.kind === 'page' ? PAGE_PENALTY_MS : 0);
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  return typeof value;
}
